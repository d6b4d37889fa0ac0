// The UDP picture on a terminal and in --json (the shape issue 12 fixes for scripts: services,
// bindings, mapping). Everything in it is displayable already (core text.ts); the writers in
// format.ts neutralise once more on the way out.
import type { UdpPicture } from "../core";

export function udpJson(udp: UdpPicture): object {
  return {
    services: udp.services.map(({ type, host, port, transport, flag, note }) => ({ type, host, port, transport, ...(flag ? { flag, note } : {}) })),
    bindings: udp.bindings.map((b) =>
      "error" in b
        ? { server: b.server, error: { code: b.error.code, message: b.error.message } }
        : { server: b.server, local: b.local, mapped: b.mapped, rttMs: b.rttMs },
    ),
    mapping: {
      behaviour: udp.mapping.behaviour,
      portPreserved: udp.mapping.portPreserved,
      sameNatAsTcp: udp.mapping.sameNatAsTcp,
      verdict: udp.mapping.verdict,
      reason: udp.mapping.reason,
    },
  };
}

const at = (ip: string, port: number) => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

/** Rows for the text table: a flagged service first, one per STUN destination, then the behaviour and the verdict. */
export function udpRows(udp: UdpPicture): [string, string][] {
  const flagged: [string, string][] = udp.services.filter((s) => s.flag).map((s) => ["STUN service", `${s.type} ${at(s.host, s.port)}/${s.transport} ${s.note}`]);
  const rows: [string, string][] = udp.bindings.map((b) => [
    "UDP via STUN",
    "error" in b
      ? `${b.server.host}${b.server.ip ? ` (${at(b.server.ip, b.server.port)})` : `:${b.server.port}`}: ${b.error.code}: ${b.error.message}`
      : `${at(b.server.ip, b.server.port)} saw ${at(b.mapped.ip, b.mapped.port)} from ${at(b.local.ip, b.local.port)} (${b.rttMs} ms)`,
  ]);
  rows.unshift(...flagged);
  rows.push(["UDP mapping", `${udp.mapping.behaviour} — ${udp.mapping.verdict}`]);
  rows.push(["", udp.mapping.reason]);
  return rows;
}
