// Stanza errors (RFC 6120 §8.3) in both directions: reading the condition of an error we received
// by its namespace, and building the error we owe the server for an iq get/set we do not handle.
import { xml, type Element } from "@xmpp/xml";

export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/** RFC 6120 §8.3.3: the defined conditions. Any other name is reported as undefined-condition. */
const CONDITIONS = new Set([
  "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone", "internal-server-error",
  "item-not-found", "jid-malformed", "not-acceptable", "not-allowed", "not-authorized", "policy-violation",
  "recipient-unavailable", "redirect", "registration-required", "remote-server-not-found",
  "remote-server-timeout", "resource-constraint", "service-unavailable", "subscription-required",
  "undefined-condition", "unexpected-request",
]);
const ERROR_TYPES = new Set(["auth", "cancel", "continue", "modify", "wait"]);
const MAX_TEXT = 300;

export interface StanzaErrorDetail {
  /** auth, cancel, continue, modify or wait; null when missing or not one of those. */
  type: string | null;
  condition: string;
  /** The server's human-readable text, clipped and with control and direction characters neutralised. */
  text: string | null;
  /** An application-specific condition (another namespace), as "{namespace}name", clipped. */
  appCondition: string | null;
}

/** The error in an iq/message/presence of type error; conditions count only in the stanzas namespace. */
export function errorDetail(stanza: Element): StanzaErrorDetail {
  const error = stanza.getChildElements().find((c) => localName(c) === "error");
  const children = error?.getChildElements() ?? [];
  const defined = children.find((c) => c.getNS() === NS_STANZAS && localName(c) !== "text");
  const condition = defined && CONDITIONS.has(localName(defined)) ? localName(defined) : "undefined-condition";
  const text = children.find((c) => c.getNS() === NS_STANZAS && localName(c) === "text")?.text() ?? null;
  const app = children.find((c) => c.getNS() !== NS_STANZAS);
  const type = error?.attrs.type;
  return {
    type: type !== undefined && ERROR_TYPES.has(type) ? type : null,
    condition,
    text: text ? neutralise(text) : null,
    appCondition: app ? neutralise(`{${app.getNS() ?? ""}}${localName(app)}`) : null,
  };
}

const localName = (el: Element) => el.name.slice(el.name.indexOf(":") + 1);

/**
 * Server text on one line: controls and bidirectional overrides become U+FFFD, then clipped. The
 * console's one neutraliser (the CLI's send prints through it too), until src/core/text.ts lands.
 */
export function neutralise(s: string, maxChars = MAX_TEXT): string {
  const clean = s.replace(/[\t\n\r]+/g, " ").replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "\uFFFD").trim();
  return clean.length > maxChars ? clean.slice(0, maxChars - 1) + "…" : clean;
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
  if (!mustAnswer(request)) return null;
  const from = request.attrs.from;
  return xml(
    "iq",
    { type: "error", id: request.attrs.id, ...(from ? { to: from } : {}) },
    xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: NS_STANZAS })),
  );
}
