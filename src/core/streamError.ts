// Stream errors (RFC 6120 §4.9): the server ends the stream with a condition, maybe a text, and
// for <see-other-host/> the host to go to. All three are the server's words: quoted, never raw.
import type { Element } from "@xmpp/xml";
import { SicError } from "./errors";
import { quoted, quotedName } from "./text";

export const NS_STREAMS = "http://etherx.jabber.org/streams";
export const NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";

/** A redirect names a host and maybe a port; anything longer is not one (RFC 6120 §4.9.3.19). */
const MAX_REDIRECT_CHARS = 300;

export function streamErrorFrom(el: Element, phase: string): SicError {
  const children = el.getChildElements().filter((c) => c.getNS() === NS_STREAM_ERRORS);
  const conditionEl = children.find((c) => c.getName() !== "text");
  const condition = conditionEl ? quotedName(conditionEl.getName()) : "undefined-condition";
  const text = children.find((c) => c.getName() === "text")?.text() ?? "";
  const redirect = conditionEl?.getName() === "see-other-host" ? conditionEl.text().trim() : "";
  const detail = redirect ? ` (it points to ${quoted(redirect, MAX_REDIRECT_CHARS)})` : "";
  return new SicError(
    "stream-error",
    `The server ended the stream while ${phase} with <${condition}/>${detail}${text ? `: ${quoted(text)}` : ""}.`,
  );
}
