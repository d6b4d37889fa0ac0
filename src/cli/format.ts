// How a result or an error looks on a terminal and in --json. JSON field names are a contract
// for scripts; keep them stable.
// Whatever the core returns is displayable already (src/core/text.ts); the two writers below
// neutralise once more on the way out, so nothing printed can carry a raw control character.
import type { CheckResult, FamilyOutcome, SicError, StanzaLogEntry } from "../core";
import { ERROR_HINTS, errorSentence, jsonSafe, neutralise } from "../core";
import { udpJson, udpRows } from "./udpFormat";

/** Text for a terminal: lines kept, every other control character escaped. */
export function terminalText(text: string): string {
  return neutralise(text, { keepLines: true });
}

/** One line of JSON with DEL, C1 and bidi controls escaped too (JSON.stringify leaves them raw). */
export function jsonLine(value: object): string {
  return jsonSafe(JSON.stringify(value)) + "\n";
}

/** An error's sentence with the command-line advice for its reason (e.g. --ca FILE). */
const say = (error: SicError) => errorSentence(error, "cli");

/** The NAT hint as scripts see it. */
function natJson(nat: CheckResult["nat"]) {
  return { verdict: nat.verdict, portPreserved: nat.portPreserved, case: nat.case, reason: nat.reason, evidence: nat.evidence };
}

/** One entry of `families`: the same shape whether that family's check worked or not. */
export function familyJson(o: FamilyOutcome): object {
  if (!o.ok) {
    return { family: o.family, ok: false, address: null, local: null, nat: null, server: null, error: { code: o.error.code, message: say(o.error) } };
  }
  const r = o.result;
  return {
    family: o.family,
    ok: true,
    address: r.address,
    local: { ip: r.local.ip, port: r.local.port },
    nat: natJson(r.nat),
    server: { ip: r.server.ip, port: r.server.port },
  };
}

/**
 * The primary result at the top level (the single-check shape scripts rely on) and, with
 * `outcomes`, a `families` array with one entry per family tried.
 */
export function toJson(result: CheckResult, outcomes?: readonly FamilyOutcome[]): object {
  return {
    ok: true,
    jid: result.jid,
    namespace: result.namespace,
    address: result.address,
    local: { ip: result.local.ip, port: result.local.port },
    nat: natJson(result.nat),
    server: {
      host: result.server.host,
      port: result.server.port,
      ip: result.server.ip,
      family: result.server.family,
      found: result.server.found,
      srv: result.server.srv,
      tls: result.server.tls,
      tlsProtocol: result.server.tlsProtocol,
      certificate: result.server.certificate,
      mechanism: result.server.mechanism,
    },
    timingsMs: result.timingsMs,
    checkedAt: result.checkedAt,
    ...(result.udp ? { udp: udpJson(result.udp) } : {}),
    ...(outcomes ? { families: outcomes.map(familyJson) } : {}),
  };
}

/** A failure; with two or more families tried, each one's outcome too. */
export function errorJson(error: SicError, outcomes?: readonly FamilyOutcome[]): object {
  return {
    ok: false,
    error: { code: error.code, message: say(error) },
    ...(outcomes && outcomes.length > 1 ? { families: outcomes.map(familyJson) } : {}),
  };
}

export function endpointText(ip: string, port: number | null): string {
  const host = ip.includes(":") ? `[${ip}]` : ip;
  return port === null ? host : `${host}:${port}`;
}

const TLS_NAMES = { starttls: "STARTTLS", direct: "direct TLS", none: "no TLS" } as const;

const FOUND_TEXT = { srv: "found through SRV", host: "as given", fallback: "the domain itself: no SRV records" } as const;

function addressRows(r: CheckResult): [string, string][] {
  return [
    ["External address", `${endpointText(r.address.ip, r.address.port)}  (${r.address.family}, ${r.address.range})`],
    ["Local address", endpointText(r.local.ip, r.local.port)],
    ["NAT", `${r.nat.summary} — ${r.nat.reason}`],
  ];
}

function table(rows: [string, string][], indent = ""): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

/** The primary result; with several families tried, a block per family before the shared rows. */
export function toText(r: CheckResult, outcomes?: readonly FamilyOutcome[]): string {
  const t = r.timingsMs;
  const s = r.server;
  const found = s.found === "srv" ? `${FOUND_TEXT.srv} ${s.srv}` : FOUND_TEXT[s.found];
  const shared: [string, string][] = [
    [
      "Server",
      `${endpointText(s.host, s.port)} (${s.ip}, ${found}), ${TLS_NAMES[s.tls]}` +
        `${s.tlsProtocol ? ` ${s.tlsProtocol}` : ""}, ${s.mechanism}`,
    ],
    ["Answered by", r.namespace],
    ["Time", `${t.total} ms (connect ${t.connect}, tls ${t.tls}, auth ${t.auth}, query ${t.query})`],
  ];
  const udp = r.udp ? udpRows(r.udp) : [];
  if (!outcomes || outcomes.length < 2) return table([...addressRows(r), ...udp, ...shared]);
  const blocks = outcomes.map((o) => {
    const head = `${o.family}${o.ok && o.result === r ? " (primary)" : ""}:\n`;
    if (!o.ok) return head + table([["Failed", `${o.error.code}: ${say(o.error)}`]], "  ");
    return head + table([...addressRows(o.result), ["Server address", endpointText(o.result.server.ip, o.result.server.port)]], "  ");
  });
  return blocks.join("") + table([...udp, ...shared]);
}

export function errorText(error: SicError, outcomes?: readonly FamilyOutcome[]): string {
  const others = (outcomes ?? []).filter((o) => o.ok || o.error !== error);
  const more = outcomes && outcomes.length > 1 ? others.map((o) => `  ${o.family}: ${o.ok ? "ok" : `${o.error.code}: ${say(o.error)}`}\n`).join("") : "";
  const label = outcomes && outcomes.length > 1 ? `${outcomes.find((o) => !o.ok && o.error === error)?.family ?? ""}: ` : "";
  return `xmpp-sic: ${label}${error.code}: ${say(error)}\n${more}  ${ERROR_HINTS[error.code]}\n`;
}

/** One line per entry: line breaks inside an entry are escaped, so a server cannot forge entries. */
export function logText(entries: readonly StanzaLogEntry[]): string {
  return entries
    .map((e) => `${new Date(e.time).toISOString()} ${e.direction === "in" ? "<<" : ">>"} ${neutralise(e.xml)}`)
    .join("\n") + (entries.length ? "\n" : "");
}
