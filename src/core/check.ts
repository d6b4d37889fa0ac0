// One check: a session (session/run.ts) that asks one question, XEP-0279's (questions/sic.ts), with
// disco#info as the planner (questions/disco.ts), and turns the answer into a CheckResult with a
// NAT hint. The lifecycle (deadline, cancellation, pipelining, retry, profiles, keep-open, close)
// is the session's.
import os from "node:os";
import { performance } from "node:perf_hooks";
import type { TlsMode } from "./account";
import type { Family } from "./ip";
import { natHint, type NatHint } from "./nat";
import { discoPlanner } from "./questions/disco";
import { extdiscoQuestion, noStunError, type ExtdiscoFound } from "./questions/extdisco";
import { askAgain, sicQuestion, type SicFound } from "./questions/sic";
import type { FoundBy } from "./resolve";
import type { Endpoint, Session } from "./session/negotiate";
import { DEFAULT_TIMEOUT_MS, randomId, type SessionOptions } from "./session/options";
import type { QuestionSet } from "./session/question";
import { runAndKeep, runSession, type SessionRun } from "./session/run";
import { round } from "./session/timings";
import type { Protocol } from "./sic";
import { StanzaRecorder } from "./stanzaLog";
import { earlyProbe, type EarlyProbe } from "./udpEarly";
import { finishProbe, probedServices, startProbe, type UdpPicture } from "./udpPicture";

export { DEFAULT_TIMEOUT_MS };

export interface CheckOptions extends SessionOptions {
  /** "auto" (default) asks disco#info and picks; "sic:1" / "sic:0" force one version. */
  protocol?: Protocol;
  /** This machine's interface addresses, for the NAT hint (injectable for tests). */
  interfaces?: () => string[];
  /**
   * The UDP picture (XEP-0215 STUN services, Bindings, mapping behaviour): "auto" (default) when
   * the server announces STUN; "on" fails with `unsupported` when it announces none; "off" skips it.
   */
  udp?: UdpChoice;
}

export type UdpChoice = "auto" | "on" | "off";
export const UDP_CHOICES: readonly UdpChoice[] = ["auto", "on", "off"];

export interface CheckResult {
  jid: string;
  boundJid: string;
  /** The namespace of the query that was answered. */
  namespace: string;
  query: string;
  address: { ip: string; port: number | null; family: Family; range: string };
  local: Endpoint;
  server: {
    host: string;
    port: number;
    ip: string;
    family: Family;
    /** How host and port were found: SRV records, given by the user, or the JID's domain itself. */
    found: FoundBy;
    /** The SRV record used, e.g. "_xmpp-client._tcp.example.org", when found through SRV. */
    srv: string | null;
    tls: TlsMode;
    tlsProtocol: string | null;
    certificate: string | null;
    mechanism: string;
  };
  features: string[];
  nat: NatHint;
  timingsMs: { connect: number; tls: number; auth: number; query: number; total: number };
  checkedAt: string;
  checkId: string;
  /** Present when the server announced STUN (or udp was "on"). */
  udp?: UdpPicture;
}

export async function check(given: CheckOptions): Promise<CheckResult> {
  const options = { ...given, checkId: given.checkId ?? randomId() };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  const recorder = options.log ? new StanzaRecorder(options.log, options.checkId, [options.password]) : null;
  const note = (direction: "in" | "out", summary: string) => recorder?.note(direction, "other", summary);
  const signal = options.signal ? { signal: options.signal } : {};
  const early = earlyProbe({ deadline: () => started + timeoutMs, note, ...signal });
  try {
    return await runSession(options, questionsFor(options, early), async (run) => {
      const result = resultOf(run, options);
      const services = run.answers[1]?.stun ?? [];
      if (options.udp === "on" && probedServices(services).length === 0) throw noStunError();
      if (options.udp === "off" || probedServices(services).length === 0) return result;
      const { local, family } = run.session;
      const probe = (await early.take(local.ip, services)) ?? (await startProbe({ services, localIp: local.ip, family, deadline: started + timeoutMs, note, ...signal }));
      const { picture, socket } = await finishProbe({ ...probe, services }, { ip: result.address.ip, port: result.address.port }, run.session.remote.ip);
      socket.close();
      return { ...result, udp: picture };
    });
  } finally {
    await early.dispose();
  }
}

/**
 * A check whose session stays open afterwards (opt-in, for auto-check): asking again is then one
 * round trip on the same connection. The server sees the same socket, so the answer tells whether
 * the path still maps it the same way; when the connection has died, recheck() fails and the
 * caller starts a fresh check.
 */
export interface LiveCheck {
  readonly result: CheckResult;
  readonly isOpen: boolean;
  /** Asks again on the open session; its stanzas are logged under `checkId` (random when omitted). */
  recheck(options?: { timeoutMs?: number; signal?: AbortSignal; checkId?: string }): Promise<CheckResult>;
  close(): Promise<void>;
}

export async function checkAndKeepOpen(options: CheckOptions): Promise<LiveCheck> {
  let query: SicFound["query"] | undefined;
  // A kept session is for asking again over TCP: no UDP picture (and no XEP-0215 question).
  const { result, kept } = await runAndKeep(options, questionsFor({ ...options, udp: "off" }), (run) => {
    query = run.answers[0].query;
    return resultOf(run, options);
  });
  let latest = result;
  return {
    get result() {
      return latest;
    },
    get isOpen() {
      return kept.isOpen;
    },
    recheck: async ({ timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal, checkId = randomId() } = {}) => {
      const started = performance.now();
      const answer = await kept.again((ctx) => askAgain(ctx, query!), { timeoutMs, ...(signal ? { signal } : {}), checkId });
      const ms = round(performance.now() - started);
      latest = {
        ...result,
        address: addressOf(answer),
        nat: natFor(answer, kept.session, options),
        timingsMs: { connect: 0, tls: 0, auth: 0, query: ms, total: ms },
        checkedAt: new Date().toISOString(),
        checkId,
      };
      return latest;
    },
    close: () => kept.close(),
  };
}

type Answers = [SicFound] | [SicFound, ExtdiscoFound];

function questionsFor(options: CheckOptions, early?: EarlyProbe): QuestionSet<Answers> {
  const sic = sicQuestion(options.protocol ?? "auto");
  if (options.udp === "off") return { planner: discoPlanner, questions: [sic] };
  return { planner: discoPlanner, questions: [sic, extdiscoQuestion(early ? { onRemembered: (services) => early.start(services) } : {})] };
}

function resultOf({ jid, session, features, answers: [answer], timings, checkId }: SessionRun<Answers>, options: CheckOptions): CheckResult {
  return {
    jid: jid.bare,
    boundJid: session.boundJid,
    namespace: answer.namespace,
    query: `<${answer.query.element} xmlns='${answer.query.namespace}'/>`,
    address: addressOf(answer),
    local: session.local,
    server: serverInfo(session),
    features: features ? [...features] : [],
    nat: natFor(answer, session, options),
    timingsMs: timings,
    checkedAt: new Date().toISOString(),
    checkId,
  };
}

function addressOf(answer: SicFound): CheckResult["address"] {
  return { ip: answer.ip, port: answer.port, family: answer.family, range: answer.range };
}

function natFor(answer: SicFound, session: Session, options: CheckOptions): NatHint {
  return natHint({
    seen: { ip: answer.ip, port: answer.port },
    local: session.local,
    interfaces: (options.interfaces ?? localInterfaceAddresses)(),
    family: session.family,
    remote: session.remote.ip,
  });
}

function serverInfo(session: Session): CheckResult["server"] {
  const { target, tls } = session;
  return {
    host: target.host,
    port: target.port,
    ip: session.remote.ip,
    family: session.family,
    found: target.found,
    srv: target.srv,
    tls: target.tls,
    tlsProtocol: tls?.protocol ?? null,
    certificate: tls?.fingerprint ?? null,
    mechanism: session.mechanism,
  };
}

export function localInterfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .map((i) => i?.address)
    .filter((a): a is string => typeof a === "string");
}
