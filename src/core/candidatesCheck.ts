// Candidates from one session: the XEP-0279 answer (TCP), XEP-0215's STUN services → the UDP
// picture on one socket bound to the TCP connection's local address, optionally a TURN allocation
// on that same socket (credentials from XEP-0215, for this run only), then the candidate list
// (candidates/gather.ts), with the server's XEP-0065 proxies (questions/proxy65.ts). Every
// allocation is released (Refresh, LIFETIME 0) before this returns.
import { gatherCandidates, type Candidate } from "./candidates/gather";
import { DEFAULT_TIMEOUT_MS, localInterfaceAddresses, type CheckOptions } from "./check";
import { parseIp } from "./ip";
import { discoPlanner } from "./questions/disco";
import { extdiscoQuestion, noStunError } from "./questions/extdisco";
import { PROXY_BUDGET_MS, proxy65Question } from "./questions/proxy65";
import { sicQuestion } from "./questions/sic";
import { runSession } from "./session/run";
import { turnAllocate, type Allocation } from "./stun/turn";
import { probedServices, probeUdp, type UdpPicture } from "./udpPicture";

export interface CandidatesOptions extends Omit<CheckOptions, "udp"> {
  /** Also allocate a TURN relay (when the server announces TURN with credentials). */
  turn?: boolean;
  /** The port this client would accept direct SOCKS5 connections on (XEP-0065 direct/assisted). */
  s5bPort?: number;
}

export interface CandidatesResult {
  candidates: Candidate[];
  udp: UdpPicture | null;
  boundJid: string;
  /** Why a requested relay is missing, when it is. */
  relayError?: { code: string; message: string };
  /** What was left out of the XEP-0065 proxies, and why (displayable). */
  proxyNotes: string[];
}

export async function gatherFromServer(options: CandidatesOptions): Promise<CandidatesResult> {
  const extdisco = extdiscoQuestion({ turn: options.turn ?? false });
  // Proxies are a bonus: a silent one may cost a third of the run's time, never the run.
  const proxies = proxy65Question({ budgetMs: Math.min(PROXY_BUDGET_MS, Math.floor((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 3)) });
  const questions = { planner: discoPlanner, questions: [sicQuestion(options.protocol ?? "auto"), extdisco, proxies] as const };
  return await runSession(options, questions, async ({ session, answers: [seen, found, proxied], timings }) => {
    if (options.turn && probedServices(found.stun).length === 0 && !found.turn) throw noStunError();
    const deadline = Date.now() + Math.max(1, (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) - timings.total);
    const signal = options.signal ? { signal: options.signal } : {};
    const tcpSeen = { ip: seen.ip, port: seen.port };
    const interfaces = (options.interfaces ?? localInterfaceAddresses)();
    const tcp = { local: session.local, seen: tcpSeen };
    const s5b = { ...(options.s5bPort !== undefined ? { s5bPort: options.s5bPort } : {}), proxies: proxied.streamhosts };
    const proxyNotes = proxied.notes;
    if (probedServices(found.stun).length === 0 && !options.turn) {
      return { candidates: gatherCandidates({ interfaces, tcp, ...s5b }), udp: null, boundJid: session.boundJid, proxyNotes };
    }
    const { picture, socket, outcomes } = await probeUdp({ services: found.stun, localIp: session.local.ip, family: session.family, tcpSeen, serverIp: session.remote.ip, deadline, ...signal });
    const allocations: Allocation[] = [];
    let relayError: CandidatesResult["relayError"];
    try {
      const turn = found.turn?.services.find((s) => s.type === "turn" && s.transport === "udp" && parseIp(s.host)?.family === session.family);
      const credentials = turn ? found.turn!.credentialsFor(turn) : undefined;
      if (options.turn && turn && credentials) {
        try {
          allocations.push(await turnAllocate(socket.socket, { ip: parseIp(turn.host)!.ip, port: turn.port }, credentials, { deadline, ...signal }));
        } catch (err) {
          relayError = { code: (err as { code?: string }).code ?? "bad-reply", message: (err as Error).message };
        }
      } else if (options.turn) {
        relayError = { code: "unsupported", message: "The server announces no UDP TURN service with credentials in this address family (XEP-0215)." };
      }
      const bindings = outcomes.flatMap((o) => (o.ok ? [{ server: o.server, mapped: { ip: o.mapped.ip, port: o.mapped.port } }] : []));
      const relays = allocations.map((a) => ({ server: a.server, relayed: a.relayed, ...(a.mapped ? { mapped: a.mapped } : {}) }));
      const candidates = gatherCandidates({ interfaces, udp: { local: socket.local, bindings, relays }, tcp, ...s5b });
      return { candidates, udp: picture, boundJid: session.boundJid, proxyNotes, ...(relayError ? { relayError } : {}) };
    } finally {
      await Promise.all(allocations.map((a) => a.release({ deadline: Date.now() + 2000 })));
      socket.close();
    }
  });
}
