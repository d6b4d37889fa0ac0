// Parsing and classifying IP addresses, with ipaddr.js. IPv4-mapped IPv6 (::ffff:a.b.c.d) is
// reported as the IPv4 address it carries: that is the address the server's peer really used.
import ipaddr from "ipaddr.js";

export type Family = "IPv4" | "IPv6";

export interface ParsedIp {
  /** Normalised text: dotted quad for IPv4, RFC 5952 compressed form for IPv6. */
  ip: string;
  family: Family;
  /** ipaddr.js range name: "unicast", "private", "loopback", "carrierGradeNat", "uniqueLocal", ... */
  range: string;
}

/** The longest textual IP address we accept: full IPv6 with an embedded IPv4 and a zone id. */
export const MAX_IP_TEXT = 64;

const STRICT_IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Returns the parsed address, or null when the text is not exactly one IPv4 or IPv6 address. */
export function parseIp(text: string): ParsedIp | null {
  if (text.length === 0 || text.length > MAX_IP_TEXT) return null;
  // ipaddr.js also accepts octal, hex and short IPv4 forms ("127.1"); a server must send a dotted quad.
  if (ipaddr.IPv4.isValid(text) && !STRICT_IPV4.test(text)) return null;
  if (!ipaddr.isValid(text)) return null;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(text);
  } catch {
    return null;
  }
  const family: Family = addr.kind() === "ipv4" ? "IPv4" : "IPv6";
  return { ip: addr.toString(), family, range: addr.range() };
}

/** Normalises a socket address as Node reports it (which may be IPv4-mapped) for comparisons. */
export function normaliseIp(text: string): string {
  return parseIp(text)?.ip ?? text;
}
