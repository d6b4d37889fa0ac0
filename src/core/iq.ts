// IQ request/response over our stream (RFC 6120 §8.2.3), with the sender check XEP-0279 needs:
// a reply is only taken from the addresses allowed to answer; anything else with the same id
// (a spoof from another JID) is ignored, as are unrelated stanzas that arrive meanwhile.
import { randomBytes } from "node:crypto";
import { xml, type Element } from "@xmpp/xml";
import type { XmlStream } from "./xmlStream";

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

export function stanzaError(iq: Element): StanzaErrorInfo {
  const error = iq.getChild("error");
  const condition =
    error?.getChildElements().find((c) => c.name !== "text" && (c.attrs.xmlns ?? NS_STANZAS) === NS_STANZAS)?.name ??
    "undefined-condition";
  const text = error?.getChildText("text", NS_STANZAS) ?? error?.getChildText("text") ?? null;
  return { type: error?.attrs.type ?? "cancel", condition, text: text ? text.slice(0, 300) : null };
}

/** Sends one IQ and waits for its reply from an allowed sender (undefined = no 'from'). */
export async function request(
  stream: XmlStream,
  type: "get" | "set",
  payload: Element,
  options: { to?: string; acceptFrom: (from: string | undefined) => boolean },
): Promise<IqReply> {
  const id = newId();
  stream.send(xml("iq", { type, id, ...(options.to ? { to: options.to } : {}) }, payload));
  for (;;) {
    const el = await stream.next();
    if (el.name !== "iq") continue;
    const replyType = el.attrs.type;
    if (replyType === "get" || replyType === "set") {
      answerUnsupported(stream, el);
      continue;
    }
    if (el.attrs.id !== id || !options.acceptFrom(el.attrs.from)) continue;
    if (replyType === "result") return { ok: true, iq: el };
    if (replyType === "error") return { ok: false, iq: el, error: stanzaError(el) };
  }
}

/** RFC 6120 §8.2.3: an entity must answer every get/set; we offer nothing, so: service-unavailable. */
function answerUnsupported(stream: XmlStream, iq: Element): void {
  if (!iq.attrs.id) return;
  stream.send(
    xml(
      "iq",
      { type: "error", id: iq.attrs.id, ...(iq.attrs.from ? { to: iq.attrs.from } : {}) },
      xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: NS_STANZAS })),
    ),
  );
}
