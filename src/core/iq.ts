// IQ request/response over our stream (RFC 6120 §8.2.3), with the sender check XEP-0279 needs:
// a reply is only taken from the addresses allowed to answer; anything else with the same id
// (a spoof from another JID) is ignored, as are unrelated stanzas that arrive meanwhile.
// Several requests may be in flight at once (pipelining): a reply read while waiting for another
// is kept until asked for.
import { randomBytes } from "node:crypto";
import { xml, type Element } from "@xmpp/xml";
import { quoted, quotedName } from "./text";
import type { XmlStream } from "./xmlStream";

export const NS_CLIENT = "jabber:client";
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

export interface StanzaErrorInfo {
  type: string;
  condition: string;
  text: string | null;
}

export type IqReply = { ok: true; iq: Element } | { ok: false; iq: Element; error: StanzaErrorInfo };

export function newId(): string {
  return "sic-" + randomBytes(6).toString("hex");
}

/** An IQ of ours: a jabber:client <iq>, prefixed or not; an element named iq in any other namespace is not one. */
export function isIq(el: Element): boolean {
  return el.is("iq", NS_CLIENT);
}

/** The error of an IQ error reply (RFC 6120 §8.3), in the server's words, quoted for display. */
export function stanzaError(iq: Element): StanzaErrorInfo {
  const error = iq.getChild("error", NS_CLIENT);
  const defined = error?.getChildElements().filter((c) => c.getNS() === NS_STANZAS) ?? [];
  const condition = defined.find((c) => c.getName() !== "text")?.getName();
  const text = defined.find((c) => c.getName() === "text")?.text();
  return {
    type: quotedName(error?.attrs.type ?? "cancel"),
    condition: condition ? quotedName(condition) : "undefined-condition",
    text: text ? quoted(text) : null,
  };
}

export class IqClient {
  /** Ids we sent and have not yet handed a reply for, with the JID each was addressed to (lower case). */
  private readonly pending = new Map<string, string | undefined>();
  /** Replies that arrived while another one was awaited. */
  private readonly early = new Map<string, IqReply>();

  /** Where replies are read from: the stream, or whoever reads it for everyone (see readFrom). */
  private read: () => Promise<Element>;

  constructor(
    private readonly stream: XmlStream,
    private readonly acceptFrom: (from: string | undefined) => boolean,
  ) {
    this.read = () => stream.next();
  }

  /**
   * For a live console, which reads every element itself: replies are then taken from `source`,
   * fed with the elements `awaits` claims, so this client and the console never race for the stream.
   */
  readFrom(source: () => Promise<Element>): void {
    this.read = source;
  }

  /** Whether `el` is a reply this client is waiting for (same id, allowed sender). */
  awaits(el: Element): boolean {
    const type = el.attrs.type;
    const id = el.attrs.id;
    return el.name === "iq" && (type === "result" || type === "error") && id !== undefined && this.pending.has(id) && this.answersFrom(id, el.attrs.from);
  }

  /** RFC 6120 §8.1.2.1: a reply comes from whom the request went to (a component: a proxy), or from the server. */
  private answersFrom(id: string, from: string | undefined): boolean {
    const to = this.pending.get(id);
    return this.acceptFrom(from) || (to !== undefined && from?.toLowerCase() === to);
  }

  /** An IQ ready to be written (alone or with other data); its reply is then awaited with reply(id). */
  build(type: "get" | "set", payload: Element, to?: string): { id: string; element: Element } {
    const id = newId();
    this.pending.set(id, to?.toLowerCase());
    return { id, element: xml("iq", { type, id, ...(to ? { to } : {}) }, payload) };
  }

  send(type: "get" | "set", payload: Element, to?: string): string {
    const { id, element } = this.build(type, payload, to);
    this.stream.send(element);
    return id;
  }

  request(type: "get" | "set", payload: Element, to?: string): Promise<IqReply> {
    return this.reply(this.send(type, payload, to));
  }

  async reply(id: string): Promise<IqReply> {
    for (;;) {
      const kept = this.early.get(id);
      if (kept) {
        this.early.delete(id);
        this.pending.delete(id);
        return kept;
      }
      const el = await this.read();
      if (!isIq(el)) continue;
      const type = el.attrs.type;
      if (type === "get" || type === "set") {
        answerUnsupported(this.stream, el);
        continue;
      }
      const replyId = el.attrs.id;
      if (replyId === undefined || !this.pending.has(replyId) || this.early.has(replyId) || !this.answersFrom(replyId, el.attrs.from)) continue;
      if (type === "result") this.early.set(replyId, { ok: true, iq: el });
      else if (type === "error") this.early.set(replyId, { ok: false, iq: el, error: stanzaError(el) });
    }
  }
}

/**
 * RFC 6120 §8.2.3: an entity must answer every get/set; we offer nothing, so: service-unavailable.
 * Only while the server reads: one that floods requests and stops reading gets no more answers.
 */
function answerUnsupported(stream: XmlStream, iq: Element): void {
  if (iq.attrs.id) stream.sendIfReading(serviceUnavailable(iq));
}

/** RFC 6120 §8.2.3: every iq get or set must be answered; one without an id cannot be. */
export function mustAnswer(el: Element): boolean {
  return el.name === "iq" && (el.attrs.type === "get" || el.attrs.type === "set") && !!el.attrs.id;
}

/**
 * RFC 6120 §8.4: the reply to an iq get/set whose payload we do not handle — service-unavailable,
 * addressed back to its sender (no `to` when it came from our own server without `from`). Null for
 * anything that must not be answered (not a get/set, no id), so an error is never answered.
 */
export function serviceUnavailableReply(request: Element): Element | null {
  return mustAnswer(request) ? serviceUnavailable(request) : null;
}

function serviceUnavailable(request: Element): Element {
  const from = request.attrs.from;
  return xml(
    "iq",
    { type: "error", id: request.attrs.id, ...(from ? { to: from } : {}) },
    xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: NS_STANZAS })),
  );
}
