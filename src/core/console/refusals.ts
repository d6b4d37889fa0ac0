// What the console will not send, and why: each namespace belongs to a part of the connection the
// session itself negotiates (RFC 6120 §4–7, XEP-0198, XEP-0386, XEP-0388). Sending any of them by
// hand would break the session or its accounting, or put credentials on the wire.
import { NS_SASL, NS_SASL2 } from "../redact";
import { NS_STREAMS } from "../xmlStream";

export interface Refusal {
  namespace: string;
  what: string;
  reason: string;
}

export const REFUSED_NAMESPACES: readonly Refusal[] = [
  { namespace: NS_STREAMS, what: "stream-level element", reason: "the session opens and closes the stream and reads its features and errors itself" },
  { namespace: "urn:ietf:params:xml:ns:xmpp-streams", what: "stream error condition", reason: "stream errors end the stream; close the session instead" },
  { namespace: "urn:ietf:params:xml:ns:xmpp-tls", what: "STARTTLS element", reason: "TLS is negotiated when the session connects" },
  { namespace: NS_SASL, what: "SASL element", reason: "authentication happens once, when the session logs in, and carries credentials" },
  { namespace: NS_SASL2, what: "SASL2 element", reason: "authentication happens once, when the session logs in, and carries credentials" },
  { namespace: "jabber:iq:auth", what: "legacy authentication element", reason: "non-SASL authentication (XEP-0078) sends credentials; the session is already logged in" },
  { namespace: "urn:ietf:params:xml:ns:xmpp-bind", what: "resource binding element", reason: "the session binds its resource once, when it logs in" },
  { namespace: "urn:xmpp:bind:0", what: "Bind 2 element", reason: "the session binds its resource once, when it logs in" },
  { namespace: "urn:ietf:params:xml:ns:xmpp-session", what: "session establishment element", reason: "the session establishes itself when it logs in" },
  { namespace: "urn:xmpp:sm:3", what: "stream management element", reason: "acknowledgements and resumption (XEP-0198) are the session's own; sent by hand they corrupt its counters" },
  { namespace: "urn:xmpp:sm:2", what: "stream management element", reason: "acknowledgements and resumption (XEP-0198) are the session's own; sent by hand they corrupt its counters" },
];

/** Namespace names compare exactly in XML; here case and surrounding space are ignored too, to refuse near-misses. */
const BY_NAMESPACE = new Map(REFUSED_NAMESPACES.map((r) => [r.namespace.toLowerCase(), r]));

export function refusalFor(namespace: string): Refusal | undefined {
  return BY_NAMESPACE.get(namespace.trim().toLowerCase());
}
