// A tiny hand-over queue: one side pushes elements, the other awaits them in order; a failure
// rejects the waiting and every later read. Bounded by what is pushed: the live session pushes
// only replies its IqClient is waiting for.
import type { Element } from "@xmpp/xml";
import type { SicError } from "../errors";

export class ElementQueue {
  private readonly queued: Element[] = [];
  private readonly waiters: { resolve: (el: Element) => void; reject: (err: SicError) => void }[] = [];
  private failure: SicError | null = null;

  push(el: Element): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(el);
    else this.queued.push(el);
  }

  next(): Promise<Element> {
    if (this.failure) return Promise.reject(this.failure);
    const el = this.queued.shift();
    if (el) return Promise.resolve(el);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  fail(err: SicError): void {
    this.failure ??= err;
    for (const waiter of this.waiters.splice(0)) waiter.reject(err);
  }
}
