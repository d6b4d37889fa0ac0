// Pairs each iq get/set the console sends with its result or error (RFC 6120 §8.2.3), as
// Wireshark does: by id AND by sender. A reply only counts when it comes from the address the
// request went to; for a request without `to` (or to our own bare JID or domain) the server may
// answer from the domain, our bare JID, or with no `from` at all (RFC 6120 §8.1.2.1) — the same
// rule as iq.ts. Anything else with a matching id (a spoof) is reported unpaired and changes nothing.
// Requests unanswered by their deadline become "no reply"; the number waiting is capped and the
// oldest is given up first. Timers come from an injectable clock and are always cleared.
import type { Element } from "@xmpp/xml";
import { errorDetail, type StanzaErrorDetail } from "./stanzaErrors";

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface OwnAddress {
  /** The bound full JID, e.g. alice@example.org/sic-1. */
  jid: string;
}

export interface PairingOptions {
  own: OwnAddress;
  replyDeadlineMs?: number;
  maxPending?: number;
  clock?: Clock;
}

export const DEFAULT_REPLY_DEADLINE_MS = 15_000;
export const DEFAULT_MAX_PENDING = 256;

/** R is whatever the caller uses to point at a logged element, e.g. its stanza log seq. */
export type PairingEvent<R> =
  | { kind: "reply"; id: string; request: R; reply: R; latencyMs: number; outcome: "result" | "error"; error: StanzaErrorDetail | null; late: boolean }
  | { kind: "no-reply"; id: string; request: R; waitedMs: number }
  | { kind: "given-up"; id: string; request: R; note: string }
  | { kind: "unpaired"; id: string | null; reply: R; note: string };

interface Pending<R> {
  id: string;
  to: string | undefined;
  ref: R;
  sentAt: number;
  timer: unknown;
}

/** The bare part lower-cased (RFC 7622 localpart and domain compare without case), the resource exact. */
export function normaliseJid(jid: string): string {
  const slash = jid.indexOf("/");
  const bare = (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase().replace(/\.$/, "");
  return slash === -1 ? bare : bare + jid.slice(slash);
}

/** Whether `from` may answer a request sent to `to` by the account `own`. */
export function isReplySender(to: string | undefined, from: string | undefined, own: OwnAddress): boolean {
  const full = normaliseJid(own.jid);
  const bare = full.split("/")[0]!;
  const domain = bare.slice(bare.indexOf("@") + 1);
  const sender = from === undefined ? undefined : normaliseJid(from);
  const target = to === undefined ? undefined : normaliseJid(to);
  if (target === undefined) return sender === undefined || sender === domain || sender === bare;
  if (target === bare || target === domain) return sender === undefined || sender === target;
  return sender === target;
}

export class IqPairing<R> {
  private readonly byId = new Map<string, Pending<R>[]>();
  /** Oldest first: Map keeps insertion order. */
  private readonly order = new Map<Pending<R>, true>();
  /** Requests whose deadline passed, kept (bounded) so a late reply is still recognised. */
  private readonly expired = new Map<Pending<R>, true>();
  private readonly clock: Clock;
  private readonly deadlineMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly options: PairingOptions,
    private readonly onEvent: (event: PairingEvent<R>) => void = () => {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.deadlineMs = options.replyDeadlineMs ?? DEFAULT_REPLY_DEADLINE_MS;
    this.maxPending = Math.max(1, options.maxPending ?? DEFAULT_MAX_PENDING);
  }

  get pendingCount(): number {
    return this.order.size;
  }

  /** Registers an element we sent; only iq get/set with an id await a reply. Returns whether it does. */
  sent(el: Element, ref: R, deadlineMs = this.deadlineMs): boolean {
    const type = el.attrs.type;
    const id = el.attrs.id;
    if (el.name !== "iq" || (type !== "get" && type !== "set") || !id) return false;
    while (this.order.size >= this.maxPending) this.giveUpOldest();
    const pending: Pending<R> = { id, to: el.attrs.to, ref, sentAt: this.clock.now(), timer: undefined };
    pending.timer = this.clock.setTimer(() => this.expire(pending), deadlineMs);
    this.byId.set(id, [...(this.byId.get(id) ?? []), pending]);
    this.order.set(pending, true);
    return true;
  }

  /** Looks at an element we received; a result or error is paired or reported unpaired. */
  received(el: Element, ref: R): PairingEvent<R> | null {
    const type = el.attrs.type;
    if (type !== "result" && type !== "error") return null;
    if (el.name !== "iq") return null;
    const id = el.attrs.id;
    const from = el.attrs.from;
    const matches = (p: Pending<R>) => isReplySender(p.to, from, this.options.own);
    const waiting = id === undefined ? undefined : this.byId.get(id)?.find(matches);
    const late = waiting ? undefined : [...this.expired.keys()].find((p) => p.id === id && matches(p));
    const request = waiting ?? late;
    let event: PairingEvent<R>;
    if (request) {
      if (waiting) this.forget(waiting);
      else this.expired.delete(request);
      event = {
        kind: "reply",
        id: request.id,
        request: request.ref,
        reply: ref,
        latencyMs: this.clock.now() - request.sentAt,
        outcome: type,
        error: type === "error" ? errorDetail(el) : null,
        late: !waiting,
      };
    } else {
      const sameId = id !== undefined && (this.byId.has(id) || [...this.expired.keys()].some((p) => p.id === id));
      const note = sameId
        ? "Its id matches a request, but it came from an address that request was not sent to; it is not taken as the reply."
        : "No request with this id is waiting for a reply.";
      event = { kind: "unpaired", id: id ?? null, reply: ref, note };
    }
    this.onEvent(event);
    return event;
  }

  /** Stops every timer; requests still waiting are forgotten without events. */
  dispose(): void {
    for (const pending of this.order.keys()) this.clock.clearTimer(pending.timer);
    this.order.clear();
    this.byId.clear();
    this.expired.clear();
  }

  private expire(pending: Pending<R>): void {
    if (!this.order.has(pending)) return;
    this.forget(pending);
    this.expired.set(pending, true);
    if (this.expired.size > this.maxPending) this.expired.delete(this.expired.keys().next().value!);
    this.onEvent({ kind: "no-reply", id: pending.id, request: pending.ref, waitedMs: this.clock.now() - pending.sentAt });
  }

  private giveUpOldest(): void {
    const oldest = this.order.keys().next().value;
    if (!oldest) return;
    this.forget(oldest);
    const note = `More than ${this.maxPending} requests were waiting for replies; stopped waiting for the oldest (id "${oldest.id.slice(0, 80)}").`;
    this.onEvent({ kind: "given-up", id: oldest.id, request: oldest.ref, note });
  }

  private forget(pending: Pending<R>): void {
    this.clock.clearTimer(pending.timer);
    this.order.delete(pending);
    const rest = (this.byId.get(pending.id) ?? []).filter((p) => p !== pending);
    if (rest.length > 0) this.byId.set(pending.id, rest);
    else this.byId.delete(pending.id);
  }
}
