// Stanza errors (RFC 6120 §8.3) in both directions: reading the condition of an error we received
// by its namespace, and building the error we owe the server for an iq get/set we do not handle.
import type { Element } from "@xmpp/xml";
import { NS_STANZAS } from "../iq";
import { quoted } from "../text";

export { NS_STANZAS };

/** RFC 6120 §8.3.3: the defined conditions. Any other name is reported as undefined-condition. */
const CONDITIONS = new Set([
  "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone", "internal-server-error",
  "item-not-found", "jid-malformed", "not-acceptable", "not-allowed", "not-authorized", "policy-violation",
  "recipient-unavailable", "redirect", "registration-required", "remote-server-not-found",
  "remote-server-timeout", "resource-constraint", "service-unavailable", "subscription-required",
  "undefined-condition", "unexpected-request",
]);
const ERROR_TYPES = new Set(["auth", "cancel", "continue", "modify", "wait"]);

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
    text: text ? quoted(text) : null,
    appCondition: app ? quoted(`{${app.getNS() ?? ""}}${localName(app)}`) : null,
  };
}

const localName = (el: Element) => el.name.slice(el.name.indexOf(":") + 1);

// The session answers with the same reply (iq.ts); one builder for both.
export { mustAnswer, serviceUnavailableReply } from "../iq";
