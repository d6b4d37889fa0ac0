// XEP-0279: Server IP Check. Which queries to send, in which order, and what a valid answer is.
//   sic:1  <address xmlns='urn:xmpp:sic:1'/>  → <address><ip/><port/>?</address>
//   sic:0  <ip xmlns='urn:xmpp:sic:0'/>       → <ip>address as text</ip>      (spec 0.1; Prosody)
//   sic:0  <address xmlns='urn:xmpp:sic:0'/>  → <address><ip/></address>       (ejabberd)
// Queries carry no 'to': servers answer for the session that asks (Prosody refuses any 'to').
import { xml, type Element } from "@xmpp/xml";
import { SicError } from "./errors";
import type { StanzaErrorInfo } from "./iq";
import { MAX_IP_TEXT, parseIp, type ParsedIp } from "./ip";
import { quoted, quotedName } from "./text";

export const NS_SIC_1 = "urn:xmpp:sic:1";
export const NS_SIC_0 = "urn:xmpp:sic:0";
export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";

export interface SicQuery {
  namespace: typeof NS_SIC_1 | typeof NS_SIC_0;
  element: "address" | "ip";
}

export const SIC1: SicQuery = { namespace: NS_SIC_1, element: "address" };
export const SIC0_IP: SicQuery = { namespace: NS_SIC_0, element: "ip" };
export const SIC0_ADDRESS: SicQuery = { namespace: NS_SIC_0, element: "address" };

export function sameQuery(a: SicQuery, b: SicQuery): boolean {
  return a.namespace === b.namespace && a.element === b.element;
}

export function queryPayload(query: SicQuery): Element {
  return xml(query.element, { xmlns: query.namespace });
}

/**
 * The queries to try, in order, given the server's disco#info features (null when disco failed,
 * so we probe). An empty list means the server says it does not support the protocol.
 */
export function planQueries(features: ReadonlySet<string> | null): SicQuery[] {
  if (features === null || features.has(NS_SIC_1)) return [SIC1, SIC0_IP, SIC0_ADDRESS];
  if (features.has(NS_SIC_0)) return [SIC0_IP, SIC0_ADDRESS];
  return [];
}

export type Protocol = "auto" | "sic:1" | "sic:0";

/** Queries for an explicitly chosen protocol version: no disco#info, no fall-back across versions. */
export function forcedQueries(protocol: Exclude<Protocol, "auto">): SicQuery[] {
  return protocol === "sic:1" ? [SIC1] : [SIC0_IP, SIC0_ADDRESS];
}

/** Whether an error to `query` means "try the next shape" rather than a final answer. */
export function shouldFallBack(query: SicQuery, error: StanzaErrorInfo): boolean {
  if (error.condition === "service-unavailable" || error.condition === "feature-not-implemented") return true;
  // ejabberd answers the spec-0.1 <ip/> shape with bad-request; its sic:0 wants <address/>.
  return query === SIC0_IP && error.condition === "bad-request";
}

/** The final meaning of a query error that is not a fall-back. */
export function queryError(error: StanzaErrorInfo): SicError {
  const said = error.text ? ` The server said: "${error.text}".` : "";
  if (error.condition === "forbidden" || error.condition === "not-allowed") {
    return new SicError("forbidden", `The server refused to tell this session its address (<${error.condition}/>).${said}`);
  }
  return new SicError("server-error", `The server answered the address query with <${error.condition}/>.${said}`);
}

/** The features a disco#info result lists, as displayable text (they are kept and shown). */
export function discoFeatures(result: Element): Set<string> {
  const query = result.getChild("query", NS_DISCO_INFO);
  return new Set(
    (query?.getChildren("feature", NS_DISCO_INFO) ?? [])
      .map((f) => f.attrs.var)
      .filter((v): v is string => typeof v === "string")
      .map((v) => quoted(v, MAX_FEATURE_CHARS)),
  );
}

const MAX_FEATURE_CHARS = 200;

export interface SicAnswer extends ParsedIp {
  port: number | null;
  /** The namespace of the answer's element: the one asked. */
  namespace: string;
}

const SIC_NAMESPACES = new Set<string>([NS_SIC_0, NS_SIC_1]);
const MAX_PORT_TEXT = 16;

const isPayload = (c: Element) => (c.getName() === "address" || c.getName() === "ip") && SIC_NAMESPACES.has(c.getNS() ?? "");

/**
 * Validates an IQ result to an address query. Throws SicError("bad-reply") with what was wrong.
 * The answer is the one XEP-0279 payload in the namespace asked (either version when `asked` is
 * omitted), prefixed or not; its <ip> and <port> count only in that same namespace.
 */
export function parseAnswer(iq: Element, asked?: SicQuery["namespace"]): SicAnswer {
  const candidates = iq.getChildElements().filter(isPayload);
  if (candidates.length > 1) throw new SicError("bad-reply", `The server's result holds ${candidates.length} XEP-0279 payloads; an answer has one.`);
  const payload = candidates[0];
  if (!payload || (asked !== undefined && payload.getNS() !== asked)) {
    const first = payload ?? iq.getChildElements()[0];
    throw new SicError(
      "bad-reply",
      first
        ? `The server answered with <${quotedName(first.getName())} xmlns='${quoted(first.getNS() ?? "", 100)}'> instead of an XEP-0279 address${asked ? ` in ${asked}` : ""}.`
        : "The server answered the address query with an empty result.",
    );
  }
  const namespace = payload.getNS()!;
  let ipText: string;
  let portText: string | null = null;
  if (payload.getName() === "ip") {
    ipText = ownText(payload, "<ip>");
  } else {
    const ips = payload.getChildren("ip", namespace);
    const ports = payload.getChildren("port", namespace);
    if (ips.length !== 1) {
      throw new SicError("bad-reply", ips.length === 0 ? "The server's <address> holds no <ip>." : "The server's <address> holds more than one <ip>.");
    }
    if (ports.length > 1) throw new SicError("bad-reply", "The server's <address> holds more than one <port>.");
    ipText = ownText(ips[0]!, "<ip>");
    portText = ports[0] ? ownText(ports[0], "<port>") : null;
  }
  if (ipText.length > MAX_IP_TEXT) {
    throw new SicError("bad-reply", `The server's <ip> is ${ipText.length} characters long; no IP address is.`);
  }
  const ip = parseIp(ipText);
  if (!ip) throw new SicError("bad-reply", `The server's <ip> "${printable(ipText)}" is not an IPv4 or IPv6 address in canonical text form.`);
  return { ...ip, port: portText === null ? null : parsePort(portText), namespace };
}

function ownText(el: Element, what: string): string {
  if (el.getChildElements().length > 0) throw new SicError("bad-reply", `The server's ${what} contains elements, not text.`);
  return el.text().trim();
}

function parsePort(text: string): number {
  if (text.length > MAX_PORT_TEXT || !/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new SicError("bad-reply", `The server's <port> "${printable(text.slice(0, MAX_PORT_TEXT))}" is not a port from 1 to 65535.`);
  }
  return Number(text);
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, MAX_IP_TEXT);
}
