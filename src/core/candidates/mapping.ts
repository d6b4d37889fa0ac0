// UDP mapping behaviour (RFC 4787 §4.1) from what STUN servers saw of ONE local UDP socket: a pure
// function over evidence, organised like the NAT hint (nat.ts) as a table of named cases checked in
// order. Mapping is what decides peer-to-peer UDP: an endpoint-independent mapping gives every peer
// the port a STUN server saw (server-reflexive candidates work); a mapping that changes with the
// destination gives the peer a port it never learns, so only a relay gets through.
// Telling address-dependent from address-and-port-dependent needs two ports on one server IP
// (RFC 5780 test III); with different IPs only, the finer kind stays "destination-dependent".
import { normaliseIp, parseIp } from "../ip";

export type MappingBehaviour =
  | "endpoint-independent"
  | "address-dependent"
  | "address-and-port-dependent"
  | "destination-dependent"
  | "unknown";

export type MappingVerdict = "peer-to-peer UDP likely works" | "needs a relay" | "cannot tell (only one STUN server)" | "cannot tell (no STUN answer)";

interface Endpoint {
  ip: string;
  port: number;
}

export interface MappingEvidence {
  /** The UDP socket every Binding left from. */
  local: Endpoint;
  /** Each Binding's destination and what it saw; mapped null when it failed. */
  bindings: readonly { server: Endpoint; mapped: Endpoint | null }[];
  /** What the XMPP server saw of the TCP connection (XEP-0279), when known. */
  tcpSeen?: { ip: string; port: number | null } | null;
}

export interface MappingReport {
  behaviour: MappingBehaviour;
  /** The name of the case that matched, stable for scripts. */
  case: string;
  verdict: MappingVerdict;
  /** Every answer kept the socket's port: null without answers. */
  portPreserved: boolean | null;
  /** UDP seen from the same outer address as TCP: null when either is unknown or families differ. */
  sameNatAsTcp: boolean | null;
  reason: string;
}

interface Answer {
  server: Endpoint;
  mapped: Endpoint;
}

interface Facts {
  local: Endpoint;
  answers: Answer[];
  destinations: number;
  serverIps: number;
  /** Pairs of answers to different server IPs: did the mapping differ? */
  differsAcrossIps: boolean | null;
  /** Pairs of answers to the same server IP on different ports: did the mapping differ? */
  differsAcrossPorts: boolean | null;
  allLocal: boolean;
}

interface Case {
  name: string;
  when: (f: Facts) => boolean;
  behaviour: MappingBehaviour;
  verdict: MappingVerdict;
  reason: (f: Facts) => string;
}

const list = (answers: Answer[]) => answers.map((a) => `${show(a.server)} saw ${show(a.mapped)}`).join("; ");

const CASES: Case[] = [
  {
    name: "no-answer",
    when: (f) => f.answers.length === 0,
    behaviour: "unknown",
    verdict: "cannot tell (no STUN answer)",
    reason: () => "No STUN server answered, so nothing is known of how this network maps UDP; UDP may be blocked on the way.",
  },
  {
    name: "one-destination",
    when: (f) => f.destinations === 1,
    behaviour: "unknown",
    verdict: "cannot tell (only one STUN server)",
    reason: (f) =>
      `Only one STUN destination answered (${list(f.answers)}): whether the mapping is the same towards other destinations ` +
      (f.allLocal ? "cannot be tested, though no address translation was seen on the way to this one." : "cannot be tested."),
  },
  {
    name: "no-nat",
    when: (f) => f.allLocal && f.serverIps > 1,
    behaviour: "endpoint-independent",
    verdict: "peer-to-peer UDP likely works",
    reason: (f) => `Every STUN server saw this socket's own address ${show(f.local)} (${list(f.answers)}): no NAT translates this UDP traffic. A firewall may still filter what arrives unasked.`,
  },
  {
    name: "same-mapping-everywhere",
    when: (f) => f.differsAcrossIps === false && f.differsAcrossPorts !== true,
    behaviour: "endpoint-independent",
    verdict: "peer-to-peer UDP likely works",
    reason: (f) => `STUN servers at different addresses saw the same mapping (${list(f.answers)}): the NAT keeps one mapping for every destination, so a server-reflexive candidate is what peers will reach.`,
  },
  {
    name: "differs-by-port",
    when: (f) => f.differsAcrossPorts === true,
    behaviour: "address-and-port-dependent",
    verdict: "needs a relay",
    reason: (f) => `The mapping changed between two ports of the same server IP (${list(f.answers)}): the NAT makes a new mapping per destination address and port, so peers cannot reach the address a STUN server saw; use a relay (TURN) or a SOCKS5 proxy.`,
  },
  {
    name: "differs-by-address",
    when: (f) => f.differsAcrossIps === true && f.differsAcrossPorts === false,
    behaviour: "address-dependent",
    verdict: "needs a relay",
    reason: (f) => `The mapping changed between server IPs but not between ports of one IP (${list(f.answers)}): the NAT makes a new mapping per destination address, so peers cannot reach the address a STUN server saw; a relay is needed unless the other side's NAT is endpoint-independent.`,
  },
  {
    name: "differs-by-destination",
    when: (f) => f.differsAcrossIps === true,
    behaviour: "destination-dependent",
    verdict: "needs a relay",
    reason: (f) => `STUN servers at different addresses saw different mappings (${list(f.answers)}): the NAT maps per destination (whether per address or per address and port needs two ports of one server), so peers cannot reach the address a STUN server saw; use a relay.`,
  },
  {
    name: "same-ip-only",
    when: () => true,
    behaviour: "unknown",
    verdict: "cannot tell (only one STUN server)",
    reason: (f) => `Every STUN destination has the same IP (${list(f.answers)}); the mapping did not change with the port, but whether it changes with the destination address needs a server at another IP.`,
  },
];

export function mappingBehaviour(evidence: MappingEvidence): MappingReport {
  const answers: Answer[] = evidence.bindings
    .filter((b): b is Answer => b.mapped !== null && parseIp(b.mapped.ip) !== null && parseIp(b.server.ip) !== null)
    .map((b) => ({ server: norm(b.server), mapped: norm(b.mapped) }));
  const local = norm(evidence.local);
  const facts: Facts = {
    local,
    answers,
    destinations: new Set(answers.map((a) => show(a.server))).size,
    serverIps: new Set(answers.map((a) => a.server.ip)).size,
    differsAcrossIps: compare(answers, (a, b) => a.server.ip !== b.server.ip),
    differsAcrossPorts: compare(answers, (a, b) => a.server.ip === b.server.ip && a.server.port !== b.server.port),
    allLocal: answers.length > 0 && answers.every((a) => same(a.mapped, local)),
  };
  const rule = CASES.find((c) => c.when(facts))!;
  const portPreserved = answers.length === 0 ? null : answers.every((a) => a.mapped.port === local.port);
  const sameNatAsTcp = sameOuterAddress(answers, evidence.tcpSeen);
  return {
    behaviour: rule.behaviour,
    case: rule.name,
    verdict: rule.verdict,
    portPreserved,
    sameNatAsTcp,
    reason: [rule.reason(facts), portSentence(portPreserved, facts), tcpSentence(sameNatAsTcp, answers, evidence.tcpSeen)].filter(Boolean).join(" "),
  };
}

/** Whether any pair selected by `which` saw different mappings; null when there is no such pair. */
function compare(answers: Answer[], which: (a: Answer, b: Answer) => boolean): boolean | null {
  let found: boolean | null = null;
  for (let i = 0; i < answers.length; i++) {
    for (let j = i + 1; j < answers.length; j++) {
      if (!which(answers[i]!, answers[j]!)) continue;
      if (!same(answers[i]!.mapped, answers[j]!.mapped)) return true;
      found = false;
    }
  }
  return found;
}

function sameOuterAddress(answers: Answer[], tcp: MappingEvidence["tcpSeen"]): boolean | null {
  const seen = tcp ? parseIp(tcp.ip) : null;
  if (!seen || answers.length === 0) return null;
  const comparable = answers.filter((a) => parseIp(a.mapped.ip)?.family === seen.family);
  if (comparable.length === 0) return null;
  return comparable.every((a) => a.mapped.ip === seen.ip);
}

function portSentence(preserved: boolean | null, f: Facts): string {
  if (preserved === null) return "";
  if (preserved) return `The port was kept (${f.local.port}).`;
  const ports = [...new Set(f.answers.map((a) => a.mapped.port))].join(", ");
  return `The port was not kept (${f.local.port} → ${ports}).`;
}

function tcpSentence(same: boolean | null, answers: Answer[], tcp: MappingEvidence["tcpSeen"]): string {
  if (same === null || !tcp) return "";
  const udp = [...new Set(answers.map((a) => a.mapped.ip))].join(", ");
  return same
    ? `UDP leaves from the same outer address as the XMPP (TCP) connection (${normaliseIp(tcp.ip)}): likely the same NAT.`
    : `UDP leaves from ${udp} but the XMPP (TCP) connection from ${normaliseIp(tcp.ip)}: a different NAT, address pool or route handles UDP.`;
}

function norm(e: Endpoint): Endpoint {
  return { ip: normaliseIp(e.ip), port: e.port };
}

function same(a: Endpoint, b: Endpoint): boolean {
  return a.ip === b.ip && a.port === b.port;
}

function show(e: Endpoint): string {
  return e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}
