// The candidate list from what was learned: a pure function over evidence (no sockets, no clock).
//   UDP (ICE, XEP-0176): host = the UDP socket's own address; srflx = each address a STUN server
//   saw; relay = each TURN allocation.   TCP (SOCKS5, XEP-0065/0260): direct = this machine's
//   addresses (minus loopback and link-local unless nothing else) on the port the client listens
//   on; assisted = the address the XMPP server saw (XEP-0279) on that port; proxy = the server's
//   XEP-0065 streamhosts.
import { parseIp } from "../ip";
import { foundation, icePriority, s5bPriority, MAX_LOCAL_PREFERENCE, type IceType, type S5bType } from "./priority";

interface Endpoint {
  ip: string;
  port: number;
}

export type CandidateType = "host" | "srflx" | "relay" | "proxy";

export interface Candidate {
  type: CandidateType;
  protocol: "udp" | "tcp";
  ip: string;
  port: number;
  priority: number;
  foundation: string;
  /** XEP-0260's name for a TCP candidate's type. */
  s5bType?: S5bType;
  /** The address this candidate was derived from (ICE rel-addr/rel-port). */
  related?: Endpoint;
  /** The STUN/TURN server or SOCKS5 proxy (JID) it came through. */
  via?: string;
  /** A proxy's JID (XEP-0065 streamhost). */
  jid?: string;
}

export interface CandidateEvidence {
  /** Addresses of this machine's interfaces. */
  interfaces: readonly string[];
  udp?: {
    local: Endpoint;
    bindings: readonly { server: Endpoint; mapped: Endpoint }[];
    relays: readonly { server: Endpoint; relayed: Endpoint; mapped?: Endpoint }[];
  };
  tcp?: { local: Endpoint; seen: { ip: string; port: number | null } | null };
  /** The port this client would accept direct SOCKS5 connections on, if any. */
  s5bPort?: number;
  proxies?: readonly { jid: string; host: string; port: number }[];
}

const UNROUTABLE = new Set(["loopback", "linkLocal", "unspecified"]);

/** Interface addresses worth offering: loopback and link-local only when nothing else exists. */
export function hostAddresses(interfaces: readonly string[]): string[] {
  const parsed = [...new Set(interfaces.map((a) => parseIp(a.replace(/%.*$/, ""))).filter((p) => p !== null).map((p) => p!))];
  const routable = parsed.filter((p) => !UNROUTABLE.has(p.range));
  const chosen = routable.length > 0 ? routable : parsed.filter((p) => p.range !== "unspecified");
  // RFC 8421: prefer IPv6, then keep the interfaces' order.
  return [...new Set([...chosen.filter((p) => p.family === "IPv6"), ...chosen.filter((p) => p.family === "IPv4")].map((p) => p.ip))];
}

const key = (e: Endpoint) => `${e.ip}|${e.port}`;
const show = (e: Endpoint) => (e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
const norm = (e: Endpoint): Endpoint => ({ ip: parseIp(e.ip)?.ip ?? e.ip, port: e.port });

function udpCandidates(udp: NonNullable<CandidateEvidence["udp"]>): Candidate[] {
  const local = norm(udp.local);
  const ice = (type: Exclude<IceType, "prflx">, at: Endpoint, server: Endpoint | null, extra: Partial<Candidate>): Candidate => ({
    type,
    protocol: "udp",
    ...norm(at),
    priority: icePriority(type, MAX_LOCAL_PREFERENCE),
    foundation: foundation(type, local.ip, server ? norm(server).ip : null, "udp"),
    ...extra,
  });
  const out: Candidate[] = [ice("host", local, null, {})];
  const seen = new Set([key(local)]);
  for (const b of udp.bindings) {
    // RFC 8445 §5.1.3: a server-reflexive candidate equal to its base is redundant.
    if (seen.has(key(norm(b.mapped)))) continue;
    seen.add(key(norm(b.mapped)));
    out.push(ice("srflx", b.mapped, b.server, { related: local, via: show(norm(b.server)) }));
  }
  for (const r of udp.relays) {
    out.push(ice("relay", r.relayed, r.server, { related: r.mapped ? norm(r.mapped) : local, via: show(norm(r.server)) }));
  }
  return out;
}

function tcpCandidates(e: CandidateEvidence): Candidate[] {
  const out: Candidate[] = [];
  const s5b = (s5bType: S5bType, type: CandidateType, ip: string, port: number, localPreference: number, extra: Partial<Candidate> = {}): Candidate => ({
    type,
    protocol: "tcp",
    ip,
    port,
    priority: s5bPriority(s5bType, localPreference),
    foundation: foundation(s5bType, ip, null, "tcp"),
    s5bType,
    ...extra,
  });
  if (e.s5bPort !== undefined) {
    const hosts = hostAddresses(e.interfaces);
    hosts.forEach((ip, i) => out.push(s5b("direct", "host", ip, e.s5bPort!, MAX_LOCAL_PREFERENCE - i)));
    const seen = e.tcp?.seen ? parseIp(e.tcp.seen.ip) : null;
    if (seen && !hosts.includes(seen.ip)) out.push(s5b("assisted", "srflx", seen.ip, e.s5bPort, MAX_LOCAL_PREFERENCE, { via: "XEP-0279" }));
  }
  (e.proxies ?? []).forEach((p, i) => out.push(s5b("proxy", "proxy", p.host, p.port, MAX_LOCAL_PREFERENCE - i, { jid: p.jid, via: p.jid })));
  return out;
}

/** Every candidate, highest priority first. */
export function gatherCandidates(evidence: CandidateEvidence): Candidate[] {
  const all = [...(evidence.udp ? udpCandidates(evidence.udp) : []), ...tcpCandidates(evidence)];
  return all.sort((a, b) => b.priority - a.priority);
}
