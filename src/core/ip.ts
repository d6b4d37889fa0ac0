// Parsing and classifying IP addresses, with ipaddr.js. IPv4-mapped IPv6 (::ffff:a.b.c.d) is
// reported as the IPv4 address it carries: that is the address the server's peer really used.
// Only the standard text forms are accepted (node:net's isIP: IPv4 as four decimal octets without
// leading zeros, also inside IPv6); ipaddr.js alone would take octal, hex and short IPv4 forms,
// and would turn the deprecated IPv4-compatible form (::a.b.c.d) into IPv4, which it is not.
// An IPv6 zone id ("%eth0") names an interface of the machine that wrote the text, the server:
// it is removed; the address itself is kept.
import net from "node:net";
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

/** IPv6 text with its embedded dotted quad (if any) written as two hex groups, for ipaddr.js. */
function hexOnly(v6: string): string {
  const colon = v6.lastIndexOf(":");
  const tail = v6.slice(colon + 1);
  if (!tail.includes(".")) return v6;
  const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
  return `${v6.slice(0, colon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/** Returns the parsed address, or null when the text is not exactly one IPv4 or IPv6 address. */
export function parseIp(text: string): ParsedIp | null {
  if (text.length === 0 || text.length > MAX_IP_TEXT) return null;
  const kind = net.isIP(text);
  if (kind === 0) return null;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = kind === 4 ? ipaddr.IPv4.parse(text) : ipaddr.IPv6.parse(hexOnly(text.replace(/%.*$/, "")));
    if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
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
