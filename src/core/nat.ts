// The NAT hint: what the server-seen address says about the path between this machine and the
// server. A pure function over evidence, organised as a table of named cases checked in order.
// docs/nat-hint.md says what it can and cannot tell.
import ipaddr from "ipaddr.js";
import { parseIp, type Family } from "./ip";

export type NatVerdict = "no-nat" | "nat" | "unknown";

export interface NatEvidence {
  /** What the server saw (XEP-0279 answer). */
  seen: { ip: string; port: number | null };
  /** This end of the very socket the server answered about. */
  local: { ip: string; port: number };
  /** Addresses of this machine's interfaces (os.networkInterfaces()). */
  interfaces: readonly string[];
  /** The family the connection used; the local address's family when omitted. */
  family?: Family;
  /** The server address the connection went to (e.g. a NAT64 64:ff9b::/96 address), when known. */
  remote?: string;
}

export interface NatHint {
  verdict: NatVerdict;
  /** Whether the server saw our local port: null when the server did not say (sic:0) or it can't apply. */
  portPreserved: boolean | null;
  /** The name of the case that matched, stable for scripts. */
  case: string;
  /** One line for a status bar or terminal. */
  summary: string;
  /** Why, in sentences a person can act on. */
  reason: string;
  evidence: NatEvidence & { seenRange: string | null; localRange: string | null };
}

/**
 * Server-seen address ranges that the internet cannot reach, in ipaddr.js's names: seeing one
 * means the server is inside the same private or carrier network as you.
 */
const NOT_PUBLIC: Record<string, string> = {
  loopback: "a loopback address: the server runs on this machine",
  private: "a private (RFC 1918) address: the server is on a private network with you",
  uniqueLocal: "a unique-local IPv6 address (fc00::/7): the server is on a private network with you",
  linkLocal: "a link-local address: the server is on your local link",
  carrierGradeNat:
    "in carrier-grade NAT space (100.64.0.0/10): the server is inside your provider's carrier network, before its NAT to the internet",
  reserved: "a reserved address (documentation, benchmarking or future use): the server is on a test or private network",
};

/** IPv6 ranges that exist to carry IPv4 (or the reverse), named when the family changes. */
const TRANSITION: Record<string, (ip: string) => string> = {
  rfc6052: (ip) => `NAT64 (${ip} is in the RFC 6052 prefix 64:ff9b::/96 and stands for the IPv4 address ${embeddedIpv4(ip, "rfc6052")})`,
  teredo: (ip) => `Teredo tunnelling (${ip} is a Teredo address, 2001::/32, for the IPv4 address ${embeddedIpv4(ip, "teredo")})`,
  "6to4": (ip) => `6to4 tunnelling (${ip} is a 6to4 address, 2002::/16, for the IPv4 address ${embeddedIpv4(ip, "6to4")})`,
  ipv4Mapped: (ip) => `IPv4-mapped IPv6 (${ip})`,
};

/** The IPv4 address an IPv6 transition address carries (for Teredo: the client's public one). */
export function embeddedIpv4(ip: string, range: "rfc6052" | "teredo" | "6to4"): string {
  const bytes = ipaddr.IPv6.parse(ip).toByteArray();
  if (range === "6to4") return bytes.slice(2, 6).join(".");
  const last = bytes.slice(12, 16);
  return (range === "teredo" ? last.map((b) => b ^ 0xff) : last).join(".");
}

type Parsed = { ip: string; family: Family; range: string };

interface Facts {
  seen: Parsed | null;
  local: Parsed | null;
  remote: Parsed | null;
  /** The family the connection used. */
  family: Family | null;
  seenPort: number | null;
  localPort: number;
  interfaces: Set<string>;
}

interface Case {
  name: string;
  when: (f: Facts) => boolean;
  verdict: NatVerdict;
  explain: (f: Facts) => { summary: string; reason: string };
}

const CASES: Case[] = [
  {
    name: "unknown-address",
    when: (f) => f.seen === null || f.local === null,
    verdict: "unknown",
    explain: () => ({
      summary: "NAT unknown",
      reason: "The server's answer or this socket's address could not be read as an IP address, so nothing can be compared.",
    }),
  },
  {
    name: "family-changed",
    when: (f) => f.seen!.family !== f.family,
    verdict: "nat",
    explain: (f) => {
      // The server's own address names NAT64 best; then ours, then the one it saw.
      const named = [f.remote, f.local, f.seen].find((a) => a && TRANSITION[a.range]);
      const via = named ? TRANSITION[named.range]!(named.ip) : "NAT64 or a proxy";
      return {
        summary: `NAT: ${f.family} → ${f.seen!.family}`,
        reason:
          `You connected over ${f.family} (${f.local!.ip}) but the server saw ${f.seen!.family} (${f.seen!.ip}): ` +
          `a translator sits in the path: ${via}. Candidates of your own family will not be seen as-is.`,
      };
    },
  },
  {
    name: "same-as-socket",
    when: (f) => f.seen!.ip === f.local!.ip,
    verdict: "no-nat",
    explain: (f) => ({
      summary: "no NAT",
      reason: `The server saw ${f.seen!.ip}, this connection's own local address: there is no NAT between you and this server.`,
    }),
  },
  {
    name: "same-as-interface",
    when: (f) => f.interfaces.has(f.seen!.ip),
    verdict: "no-nat",
    explain: (f) => ({
      summary: "no NAT",
      reason: `The server saw ${f.seen!.ip}, an address of one of this machine's interfaces (not the one this socket used, ${f.local!.ip}): no NAT, but routing picks another source address.`,
    }),
  },
  {
    name: "address-translated",
    when: () => true,
    verdict: "nat",
    explain: (f) => ({
      summary: "behind NAT",
      reason: `The server saw ${f.seen!.ip}, but this connection left from ${f.local!.ip}: a NAT (or a proxy) between you and the server rewrote the address.`,
    }),
  },
];

export function natHint(evidence: NatEvidence): NatHint {
  const seen = parseIp(evidence.seen.ip);
  const local = parseIp(evidence.local.ip);
  const facts: Facts = {
    seen,
    local,
    remote: evidence.remote === undefined ? null : parseIp(evidence.remote),
    family: evidence.family ?? local?.family ?? null,
    seenPort: evidence.seen.port,
    localPort: evidence.local.port,
    interfaces: new Set(evidence.interfaces.map((a) => parseIp(a.replace(/%.*$/, ""))?.ip ?? a)),
  };
  const rule = CASES.find((c) => c.when(facts))!;
  const { summary, reason } = rule.explain(facts);
  const portPreserved = rule.verdict === "unknown" || facts.seenPort === null ? null : facts.seenPort === facts.localPort;
  return {
    verdict: rule.verdict,
    portPreserved,
    case: rule.name,
    summary,
    reason: [reason, portSentence(rule.verdict, portPreserved, facts), tunnelSentence(rule.name, facts), reachabilitySentence(seen)]
      .filter(Boolean)
      .join(" "),
    evidence: { ...evidence, seenRange: seen?.range ?? null, localRange: local?.range ?? null },
  };
}

function portSentence(verdict: NatVerdict, preserved: boolean | null, f: Facts): string {
  if (verdict === "unknown") return "";
  if (preserved === null) return "The server did not report a port, so whether ports are rewritten is unknown.";
  if (preserved) return `The port was kept (${f.localPort}).`;
  return verdict === "nat"
    ? `The port was rewritten (${f.localPort} → ${f.seenPort}): the mapping is likely address/port-dependent, so offering your local port as a candidate will fail.`
    : `The server reported port ${f.seenPort}, not ${f.localPort}: a port-rewriting proxy or firewall may be in the path.`;
}

/** Same family, but over a tunnel whose IPv4 underlay may itself be NATed. */
function tunnelSentence(rule: string, f: Facts): string {
  if (rule === "family-changed" || rule === "unknown-address") return "";
  const tunnel = [f.local, f.seen].find((a) => a && (a.range === "teredo" || a.range === "6to4"));
  if (!tunnel) return "";
  const range = tunnel.range as "teredo" | "6to4";
  return (
    `${tunnel.ip} is a ${range === "teredo" ? "Teredo" : "6to4"} address: this IPv6 is tunnelled over IPv4 ` +
    `(${embeddedIpv4(tunnel.ip, range)}), and that IPv4 path may itself be NATed.`
  );
}

function reachabilitySentence(seen: Facts["seen"]): string {
  const where = seen ? NOT_PUBLIC[seen.range] : undefined;
  return where
    ? `${seen!.ip} is ${where}; it is not reachable from the internet, so this check cannot tell what the internet sees of you.`
    : "";
}
