// The UDP picture of a check: one UDP socket bound to the TCP connection's local address (same
// interface, same family), a Binding to every STUN service the server announced (stun/udp; RFC
// 5780's extra destinations where the server offers them: stun/probe.ts), and the mapping
// behaviour with its verdict (candidates/mapping.ts), compared with what XEP-0279 saw of TCP.
// Bounded by the check's deadline (and a UDP budget of its own, so that a network that drops UDP
// costs seconds, not the whole timeout). The socket is returned open for callers that allocate on
// it (candidates --turn); check() closes it at once.
import { lookup } from "node:dns/promises";
import type { ErrorCode } from "./errors";
import { serviceFlags, type ExternalService, type ServiceFlag } from "./extdisco";
import { parseIp, type Family } from "./ip";
import { mappingBehaviour, type MappingBehaviour, type MappingVerdict } from "./candidates/mapping";
import { probeMapping, type BindingOutcome } from "./stun/probe";
import { openUdpSocket, type BoundSocket } from "./stun/socket";
import type { Endpoint } from "./stun/transaction";

/** Longest a UDP picture waits for silent STUN servers (RFC 8489 retransmissions within it). */
export const UDP_BUDGET_MS = 4000;

type Service = Pick<ExternalService, "type" | "host" | "port" | "transport">;

export type UdpBinding =
  | { server: { host: string; ip: string; port: number }; local: Endpoint; mapped: Endpoint; rttMs: number }
  | { server: { host: string; ip: string; port: number }; error: { code: ErrorCode; message: string } };

/** An announced service as the picture shows it: flagged when peers elsewhere could not reach it. */
export type PictureService = Service & { flag?: ServiceFlag["kind"]; note?: string };

export interface UdpPicture {
  services: PictureService[];
  bindings: UdpBinding[];
  mapping: { behaviour: MappingBehaviour; portPreserved: boolean | null; sameNatAsTcp: boolean | null; verdict: MappingVerdict; reason: string };
}

export interface UdpProbeOptions {
  services: readonly Service[];
  /** The TCP connection's local address: the UDP socket binds to it. */
  localIp: string;
  family: Family;
  /** What XEP-0279 saw of the TCP connection. */
  tcpSeen: { ip: string; port: number | null } | null;
  /** Epoch ms the whole picture must be done by. */
  deadline: number;
  signal?: AbortSignal;
  /** A line per STUN transaction, for the stanza log. */
  note?: (direction: "in" | "out", summary: string) => void;
}

type Target = { host: string; ip: string; port: number };

/** Bindings under way on one socket: started as soon as the services are known, finished with finishProbe(). */
export interface ProbeRun {
  localIp: string;
  services: readonly Service[];
  socket: BoundSocket;
  done: Promise<{ outcomes: BindingOutcome[]; unresolved: Unresolved[]; asked: Target[] }>;
}

/** STUN over UDP only: stuns is TLS/DTLS, and STUN over TCP says nothing of UDP mapping. */
export const probedServices = (services: readonly Service[]) => services.filter((s) => s.type === "stun" && s.transport === "udp");

export async function startProbe(options: Omit<UdpProbeOptions, "tcpSeen">): Promise<ProbeRun> {
  const deadline = Math.min(options.deadline, Date.now() + UDP_BUDGET_MS);
  const targets = await destinations(probedServices(options.services), options.family, options.localIp);
  const socket = await openUdpSocket(options.localIp);
  const asked = targets.filter((t): t is Target => "ip" in t);
  const note = options.note ?? (() => {});
  asked.forEach((t) => note("out", `STUN Binding → ${at(t.ip, t.port)} from ${at(socket.local.ip, socket.local.port)}`));
  const done = probeMapping(socket.socket, asked, { deadline, ...(options.signal ? { signal: options.signal } : {}) }).then((outcomes) => {
    for (const o of outcomes) {
      note("in", o.ok ? `STUN Binding ← ${at(o.server.ip, o.server.port)}: saw ${at(o.mapped.ip, o.mapped.port)} (${round(o.rttMs)} ms)` : `STUN Binding ${at(o.server.ip, o.server.port)}: ${o.error.code}`);
    }
    return { outcomes, unresolved: targets.filter((t): t is Unresolved => "error" in t), asked };
  });
  done.catch(() => {}); // awaited by finishProbe; a probe that is never finished must not crash the process
  return { localIp: socket.local.ip, services: options.services, socket, done };
}

/**
 * The picture from a started probe; the socket stays open for the caller (closed on failure).
 * `serverIp`: the XMPP server's address, against which the services' addresses are flagged.
 */
export async function finishProbe(
  run: ProbeRun,
  tcpSeen: UdpProbeOptions["tcpSeen"],
  serverIp?: string,
): Promise<{ picture: UdpPicture; socket: BoundSocket; outcomes: BindingOutcome[] }> {
  const { socket } = run;
  try {
    const { outcomes, unresolved, asked } = await run.done;
    const hostOf = (ip: string, port: number) => asked.find((t) => t.ip === ip && t.port === port)?.host ?? ip;
    const bindings: UdpBinding[] = [
      ...unresolved.map((t) => ({ server: { host: t.host, ip: "", port: t.port }, error: t.error })),
      ...outcomes.map((o) => bindingOf(o, socket.local, hostOf)),
    ];
    const report = mappingBehaviour({ local: socket.local, bindings: outcomes.map((o) => ({ server: o.server, mapped: o.ok ? o.mapped : null })), tcpSeen });
    const { behaviour, portPreserved, sameNatAsTcp, verdict, reason } = report;
    const services = run.services.map((s) => flagged(s, serverIp));
    return { picture: { services, bindings, mapping: { behaviour, portPreserved, sameNatAsTcp, verdict, reason } }, socket, outcomes };
  } catch (err) {
    socket.close();
    throw err;
  }
}

export async function probeUdp(options: UdpProbeOptions & { serverIp?: string }): Promise<{ picture: UdpPicture; socket: BoundSocket; outcomes: BindingOutcome[] }> {
  return finishProbe(await startProbe(options), options.tcpSeen, options.serverIp);
}

/** The four fields, and the first flag of its address (XEP-0215 announcements are server text: already validated). */
function flagged({ type, host, port, transport }: Service, serverIp: string | undefined): PictureService {
  const [flag] = serviceFlags(host, serverIp);
  return { type, host, port, transport, ...(flag ? { flag: flag.kind, note: flag.sentence } : {}) };
}

const at = (ip: string, port: number) => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);
const round = (ms: number) => Math.round(ms * 100) / 100;

function bindingOf(o: BindingOutcome, local: Endpoint, hostOf: (ip: string, port: number) => string): UdpBinding {
  const server = { host: hostOf(o.server.ip, o.server.port), ip: o.server.ip, port: o.server.port };
  if (!o.ok) return { server, error: o.error };
  return { server, local, mapped: { ip: o.mapped.ip, port: o.mapped.port }, rttMs: round(o.rttMs) };
}

interface Unresolved {
  host: string;
  port: number;
  error: { code: ErrorCode; message: string };
}

/**
 * Each service's address in the socket's family; a name is looked up (a failure is that service's
 * error). The server chooses these addresses: one at 0.0.0.0 / :: (this machine) is never asked,
 * nor a loopback one unless the XMPP connection itself is on loopback (a test bed, a local server).
 */
async function destinations(services: readonly Service[], family: Family, localIp: string): Promise<(Target | Unresolved)[]> {
  const onLoopback = parseIp(localIp)?.range === "loopback";
  const refused = (s: Service, ip: string): Unresolved | null => {
    const range = parseIp(ip)?.range;
    if (range === "unspecified") return { host: s.host, port: s.port, error: { code: "bad-reply", message: `The server announced a STUN service at ${ip}, an unspecified address; it was not asked.` } };
    if (range === "loopback" && !onLoopback) {
      return { host: s.host, port: s.port, error: { code: "bad-reply", message: `The server announced a STUN service at the loopback address ${ip} while it is elsewhere; it was not asked (it would reach this machine).` } };
    }
    return null;
  };
  const found = await Promise.all(
    services.map(async (s): Promise<(Target | Unresolved)[]> => {
      let ip = parseIp(s.host);
      if (!ip) {
        try {
          const { address } = await lookup(s.host, { family: family === "IPv4" ? 4 : 6 });
          ip = parseIp(address);
        } catch {
          // Reported below.
        }
        if (!ip) return [{ host: s.host, port: s.port, error: { code: "connect", message: `The STUN server's name ${s.host} has no ${family} address.` } }];
      } else if (ip.family !== family) {
        return [];
      }
      return [refused(s, ip.ip) ?? { host: s.host, ip: ip.ip, port: s.port }];
    }),
  );
  return found.flat();
}
