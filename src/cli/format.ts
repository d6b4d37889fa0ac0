// How a result or an error looks on a terminal and in --json. JSON field names are a contract
// for scripts; keep them stable.
import type { CheckResult, SicError, StanzaLogEntry } from "../core";
import { ERROR_HINTS } from "../core";

export function toJson(result: CheckResult): object {
  return {
    ok: true,
    jid: result.jid,
    namespace: result.namespace,
    address: result.address,
    local: { ip: result.local.ip, port: result.local.port },
    nat: {
      verdict: result.nat.verdict,
      portPreserved: result.nat.portPreserved,
      case: result.nat.case,
      reason: result.nat.reason,
      evidence: result.nat.evidence,
    },
    server: {
      host: result.server.host,
      port: result.server.port,
      ip: result.server.ip,
      tls: result.server.tls,
      tlsProtocol: result.server.tlsProtocol,
      certificate: result.server.certificate,
      mechanism: result.server.mechanism,
    },
    timingsMs: result.timingsMs,
    checkedAt: result.checkedAt,
  };
}

export function errorJson(error: SicError): object {
  return { ok: false, error: { code: error.code, message: error.message } };
}

export function endpointText(ip: string, port: number | null): string {
  const host = ip.includes(":") ? `[${ip}]` : ip;
  return port === null ? host : `${host}:${port}`;
}

const TLS_NAMES = { starttls: "STARTTLS", direct: "direct TLS", none: "no TLS" } as const;

export function toText(r: CheckResult): string {
  const t = r.timingsMs;
  const rows: [string, string][] = [
    ["External address", `${endpointText(r.address.ip, r.address.port)}  (${r.address.family}, ${r.address.range})`],
    ["Local address", endpointText(r.local.ip, r.local.port)],
    ["NAT", `${r.nat.summary} — ${r.nat.reason}`],
    [
      "Server",
      `${endpointText(r.server.host, r.server.port)} (${r.server.ip}), ${TLS_NAMES[r.server.tls]}` +
        `${r.server.tlsProtocol ? ` ${r.server.tlsProtocol}` : ""}, ${r.server.mechanism}`,
    ],
    ["Answered by", r.namespace],
    ["Time", `${t.total} ms (connect ${t.connect}, tls ${t.tls}, auth ${t.auth}, query ${t.query})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

export function errorText(error: SicError): string {
  return `xmpp-sic: ${error.code}: ${error.message}\n  ${ERROR_HINTS[error.code]}\n`;
}

export function logText(entries: readonly StanzaLogEntry[]): string {
  return entries
    .map((e) => `${new Date(e.time).toISOString()} ${e.direction === "in" ? "<<" : ">>"} ${e.xml}`)
    .join("\n") + (entries.length ? "\n" : "");
}
