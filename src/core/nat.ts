// The NAT hint: what the server-seen address says about the path between this machine and the
// server. A pure function over evidence, organised as a table of named cases checked in order.
import { parseIp, type Family } from "./ip";

export type NatVerdict = "no-nat" | "nat" | "unknown";

export interface NatEvidence {
  /** What the server saw (XEP-0279 answer). */
  seen: { ip: string; port: number | null };
  /** This end of the very socket the server answered about. */
  local: { ip: string; port: number };
  /** Addresses of this machine's interfaces (os.networkInterfaces()). */
  interfaces: readonly string[];
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

/** Address ranges that the internet cannot reach, in ipaddr.js's names, with how to say them. */
const NOT_PUBLIC: Record<string, string> = {
  loopback: "a loopback address: the server runs on this machine",
  private: "a private (RFC 1918) address: the server is on your local network",
  uniqueLocal: "a unique-local IPv6 address: the server is on your local network",
  linkLocal: "a link-local address: the server is on your local link",
  carrierGradeNat: "in carrier-grade NAT space (100.64.0.0/10): your provider NATs you before the internet",
};

/** IPv6 ranges that exist to carry IPv4 (or the reverse), named in the family-mismatch case. */
const TRANSITION: Record<string, string> = {
  rfc6052: "NAT64 (RFC 6052 prefix)",
  teredo: "Teredo tunnelling",
  "6to4": "6to4 tunnelling",
  ipv4Mapped: "IPv4-mapped IPv6",
};

interface Facts {
  seen: { ip: string; family: Family; range: string } | null;
  local: { ip: string; family: Family; range: string } | null;
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
    when: (f) => f.seen!.family !== f.local!.family,
    verdict: "nat",
    explain: (f) => {
      const via = TRANSITION[f.local!.range] ?? TRANSITION[f.seen!.range];
      return {
        summary: `NAT: ${f.local!.family} → ${f.seen!.family}`,
        reason:
          `You connected over ${f.local!.family} (${f.local!.ip}) but the server saw ${f.seen!.family} (${f.seen!.ip}): ` +
          `a translator such as ${via ?? "NAT64 or a proxy"} sits in the path. Candidates of your own family will not be seen as-is.`,
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
    reason: [reason, portSentence(rule.verdict, portPreserved, facts), reachabilitySentence(seen)].filter(Boolean).join(" "),
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

function reachabilitySentence(seen: Facts["seen"]): string {
  const where = seen ? NOT_PUBLIC[seen.range] : undefined;
  return where ? `${seen!.ip} is ${where}; it is not reachable from the internet.` : "";
}
