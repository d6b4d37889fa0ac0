// One check: connect → disco#info → XEP-0279 query → close, under one deadline. Whatever happens,
// the caller gets a CheckResult or a SicError, and no socket or timer is left behind. A server
// checked before (its ServerProfile is known) is asked pipelined, without disco#info, the query
// riding with the bind request; if it refuses a shortcut, the check restarts step by step at once.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { xml } from "@xmpp/xml";
import { validateFingerprint, validateJid, validatePort, validateTlsMode, type TlsMode } from "./account";
import { openSession, ShortcutRejected, type Endpoint, type Session } from "./connect";
import { isSicError, SicError } from "./errors";
import type { Family } from "./ip";
import { abortable, DEFAULT_PORTS, resolveTargets, systemResolver, type FoundBy, type Resolver, type Target } from "./resolve";
import { natHint, type NatHint } from "./nat";
import { scrubSecrets } from "./redact";
import {
  discoFeatures,
  forcedQueries,
  NS_DISCO_INFO,
  parseAnswer,
  planQueries,
  queryError,
  queryPayload,
  sameQuery,
  shouldFallBack,
  type Protocol,
  type SicQuery,
} from "./sic";
import { ProfileCache, type ServerProfile } from "./serverProfile";
import { StanzaLog, StanzaRecorder } from "./stanzaLog";
import { checkCaPem, type TlsInfo, type TlsTrust } from "./tls";
import type { XmlStream } from "./xmlStream";

export const DEFAULT_TIMEOUT_MS = 15_000;

/** What this process has learned about servers; shared by every check unless one brings its own. */
export const sharedProfiles = new ProfileCache();
export { DEFAULT_PORTS };

export interface CheckOptions {
  jid: string;
  password: string;
  /** With neither host nor port, the server is found like a real client does: SRV, else the domain. */
  host?: string;
  port?: number;
  /** Undefined: as the SRV records say (direct TLS or STARTTLS), else STARTTLS. */
  tls?: TlsMode;
  /** Connect over this family only; both, happy-eyeballs style, when undefined. */
  family?: Family;
  /** DNS for SRV and addresses (default: this machine's, see systemResolver). */
  resolver?: Resolver;
  /** Where to connect, already resolved (see resolveTargets): overrides host, port, tls and SRV. */
  targets?: Target[];
  /** PEM text of one extra CA to trust for this connection only. */
  caPem?: string;
  /** Or: path of that PEM file (read here, so a bad path is a usage error). */
  caFile?: string;
  /** SHA-256 fingerprint of the one certificate to trust instead of CAs. */
  fingerprint?: string;
  /** "auto" (default) asks disco#info and picks; "sic:1" / "sic:0" force one version. */
  protocol?: Protocol;
  /** Known servers, for pipelining (default: sharedProfiles); null: always step by step. */
  profiles?: ProfileCache | null;
  /** One deadline for the whole check. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Names this check's entries in the stanza log; random when omitted. */
  checkId?: string;
  /** Where the redacted stanzas go; a fresh log per check when omitted. */
  log?: StanzaLog;
  /** This machine's interface addresses, for the NAT hint (injectable for tests). */
  interfaces?: () => string[];
}

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
}

export async function check(options: CheckOptions): Promise<CheckResult> {
  return (await guarded(options.password, () => runCheck(options, false))).result;
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

/** How often an idle kept session sends a whitespace keepalive (RFC 6120 §4.6.1), so NATs keep it. */
export const KEEPALIVE_MS = 60_000;

export async function checkAndKeepOpen(options: CheckOptions): Promise<LiveCheck> {
  const { result, kept } = await guarded(options.password, () => runCheck(options, true));
  const { session, query, recorder } = kept!;
  const { stream, iqs } = session;
  const keepalive = setInterval(() => stream.keepAlive(), KEEPALIVE_MS);
  keepalive.unref();
  let latest = result;
  const live: LiveCheck = {
    get result() {
      return latest;
    },
    get isOpen() {
      return stream.isOpen;
    },
    recheck: ({ timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal, checkId = randomBytes(4).toString("hex") } = {}) =>
      guarded(options.password, async () => {
        const started = performance.now();
        recorder.checkId = checkId;
        const timer = setTimeout(() => stream.abort(new SicError("timeout", `No answer within ${timeoutMs} ms to the re-check.`)), timeoutMs);
        const onCancel = () => stream.abort(new SicError("cancelled", "The check was cancelled."));
        signal?.addEventListener("abort", onCancel, { once: true });
        try {
          stream.phase = `asking again for the address (${query.namespace})`;
          const reply = await iqs.request("get", queryPayload(query));
          if (!reply.ok) throw queryError(reply.error);
          const answer = parseAnswer(reply.iq);
          const ms = round(performance.now() - started);
          latest = {
            ...result,
            address: { ip: answer.ip, port: answer.port, family: answer.family, range: answer.range },
            nat: natFor(answer, session, options),
            timingsMs: { connect: 0, tls: 0, auth: 0, query: ms, total: ms },
            checkedAt: new Date().toISOString(),
            checkId,
          };
          return latest;
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onCancel);
        }
      }),
    close: async () => {
      clearInterval(keepalive);
      await stream.close();
    },
  };
  return live;
}

/** Every failure leaves as a SicError, and no message carries the password in any form. */
async function guarded<T>(password: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const sic = isSicError(err)
      ? err
      : new SicError("connect", `The check failed unexpectedly: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
    throw new SicError(sic.code, scrubSecrets(sic.message, password ? [password] : []), { cause: sic.cause, ...(sic.reason ? { reason: sic.reason } : {}), ...(sic.data ? { data: sic.data } : {}) });
  }
}

interface Outcome {
  result: CheckResult;
  /** With keepOpen: the live session and the query that answered. */
  kept?: { session: Session; query: SicQuery; recorder: StanzaRecorder };
}

async function runCheck(options: CheckOptions, keepOpen: boolean): Promise<Outcome> {
  const jid = validateJid(options.jid);
  if (!options.password) throw new SicError("usage", "No password given.");
  const mode = options.tls === undefined ? undefined : validateTlsMode(options.tls);
  const host = options.host?.trim() || undefined;
  const port = options.port === undefined ? undefined : validatePort(options.port);
  const family = options.family === undefined ? undefined : validateFamily(options.family);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new SicError("usage", "The timeout must be a positive number of milliseconds.");
  const trust = trustFrom(options, mode);

  const checkId = options.checkId ?? randomBytes(4).toString("hex");
  const log = options.log ?? new StanzaLog();
  const recorder = new StanzaRecorder(log, checkId, [options.password]);

  const started = performance.now();
  let last = started;
  const timings = { connect: 0, tls: 0, auth: 0, query: 0, total: 0 };
  const lap = (phase: "connect" | "tls" | "auth" | "query") => {
    const now = performance.now();
    timings[phase] = round(now - last);
    last = now;
  };

  let stream: XmlStream | null = null;
  const controller = new AbortController();
  const abort = (reason: SicError) => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    stream?.abort(reason);
  };
  const timer = setTimeout(
    () => abort(new SicError("timeout", `No answer within ${timeoutMs} ms (while ${stream?.phase ?? "connecting"}).`)),
    timeoutMs,
  );
  const onCancel = () => abort(new SicError("cancelled", "The check was cancelled."));
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener("abort", onCancel, { once: true });

  const profiles = options.profiles === undefined ? sharedProfiles : options.profiles;
  const protocol = options.protocol ?? "auto";
  let succeeded = false;
  try {
    const resolver = options.resolver ?? systemResolver();
    const targets =
      options.targets ?? (await abortable(resolveTargets({ domain: jid.domain, host, port, tls: mode }, resolver), controller.signal));
    const sessionOptions = { jid, password: options.password, targets, resolver, ...(family ? { family } : {}), trust };
    let prefetched: Prefetched | null = null;
    const afterBind = (iqs: Session["iqs"], profile: ServerProfile) => {
      const query = protocol === "auto" ? profile.query : forcedQueries(protocol)[0]!;
      const { id, element } = iqs.build("get", queryPayload(query));
      prefetched = { query, id, features: profile.discoFeatures };
      return [element];
    };
    const open = (withProfiles: ProfileCache | null) =>
      openSession(
        { ...sessionOptions, ...(withProfiles ? { profiles: withProfiles, afterBind } : {}) },
        recorder,
        controller.signal,
        lap,
        (s) => (stream = s),
      );
    let session: Session;
    try {
      session = await open(profiles);
    } catch (err) {
      if (!(err instanceof ShortcutRejected)) throw err;
      // The server changed or does not take shortcuts: forget it, and go step by step at once.
      profiles?.drop(err.key);
      recorder.note("in", "other", `${err.message} Retrying step by step.`);
      await (stream as XmlStream | null)?.close(0);
      prefetched = null;
      session = await open(null);
    }
    const answer = await askAddress(session, jid.domain, protocol, prefetched);
    lap("query");
    timings.total = round(performance.now() - started);
    if (profiles && !session.pipelined && protocol === "auto" && answer.discoFeatures) {
      profiles.set(session.profileKey, { ...session.learned, discoFeatures: answer.discoFeatures, query: answer.query });
    }
    const result: CheckResult = {
      jid: jid.bare,
      boundJid: session.boundJid,
      namespace: answer.namespace,
      query: `<${answer.query.element} xmlns='${answer.query.namespace}'/>`,
      address: { ip: answer.ip, port: answer.port, family: answer.family, range: answer.range },
      local: session.local,
      server: serverInfo(session),
      features: answer.discoFeatures ?? [],
      nat: natFor(answer, session, options),
      timingsMs: timings,
      checkedAt: new Date().toISOString(),
      checkId,
    };
    succeeded = true;
    return keepOpen ? { result, kept: { session, query: answer.query, recorder } } : { result };
  } catch (err) {
    // An abort shows up as whatever the interrupted step threw; the abort's reason is the truth.
    throw controller.signal.aborted ? controller.signal.reason : err;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCancel);
    if (!(keepOpen && succeeded)) await (stream as XmlStream | null)?.close();
  }
}

function natFor(answer: { ip: string; port: number | null }, session: Session, options: CheckOptions): NatHint {
  return natHint({
    seen: { ip: answer.ip, port: answer.port },
    local: session.local,
    interfaces: (options.interfaces ?? localInterfaceAddresses)(),
    family: session.family,
    remote: session.remote.ip,
  });
}

/** The address query that a pipelined session sent with its bind request. */
interface Prefetched {
  query: SicQuery;
  id: string;
  features: string[];
}

async function askAddress(session: Session, domain: string, protocol: Protocol, prefetched: Prefetched | null) {
  const { stream, iqs } = session;
  let features: string[] | null = null;
  let plan: SicQuery[];
  if (prefetched) {
    features = prefetched.features;
    plan = protocol === "auto" ? planQueries(new Set(features)) : forcedQueries(protocol);
  } else if (protocol === "auto") {
    stream.phase = "asking the server what it supports (disco#info)";
    const disco = await iqs.request("get", xml("query", { xmlns: NS_DISCO_INFO }), domain);
    features = disco.ok ? [...discoFeatures(disco.iq)].sort() : null;
    plan = planQueries(features ? new Set(features) : null);
  } else {
    plan = forcedQueries(protocol);
  }
  if (plan.length === 0) {
    throw new SicError(
      "unsupported",
      "The server does not offer Server IP Check (XEP-0279): its disco#info lists neither urn:xmpp:sic:1 nor urn:xmpp:sic:0. " +
        "Ask its admin to enable mod_ipcheck (Prosody) or mod_sic (ejabberd).",
    );
  }
  // A prefetched query is the one that answered last time; the rest of the plan is the fall-back.
  if (prefetched) plan = [prefetched.query, ...plan.filter((q) => !sameQuery(q, prefetched.query))];
  let lastCondition = "";
  for (const query of plan) {
    stream.phase = `asking for the address (${query.namespace})`;
    const reply = await iqs.reply(prefetched?.query === query ? prefetched.id : iqs.send("get", queryPayload(query)));
    if (reply.ok) return { ...parseAnswer(reply.iq), query, discoFeatures: features };
    if (!shouldFallBack(query, reply.error)) throw queryError(reply.error);
    lastCondition = reply.error.condition;
  }
  throw new SicError(
    "unsupported",
    `The server answered every form of the XEP-0279 query with an error (last: <${lastCondition}/>); it does not support Server IP Check.`,
  );
}

function trustFrom(options: CheckOptions, mode: TlsMode | undefined): TlsTrust {
  if ((options.caPem || options.caFile) && options.fingerprint) {
    throw new SicError("usage", "Give either a CA or a certificate fingerprint, not both.");
  }
  if (mode === "none" && (options.caPem || options.caFile || options.fingerprint)) {
    throw new SicError("usage", "A CA or fingerprint only makes sense with TLS.");
  }
  if (options.fingerprint) return { kind: "pinned", sha256: validateFingerprint(options.fingerprint) };
  let pem = options.caPem;
  if (!pem && options.caFile) {
    try {
      pem = readFileSync(options.caFile, "utf8");
    } catch (err) {
      throw new SicError("usage", `Cannot read the CA file ${options.caFile}: ${(err as NodeJS.ErrnoException).code ?? err}.`, { cause: err });
    }
  }
  if (pem) checkCaPem(pem, options.caFile ?? "The CA");
  return pem ? { kind: "roots", extraCaPem: pem } : { kind: "roots" };
}

function validateFamily(value: unknown): Family {
  if (value === "IPv4" || value === "IPv6") return value;
  throw new SicError("usage", `The address family must be IPv4 or IPv6, not "${String(value)}".`);
}

function serverInfo(session: Session): CheckResult["server"] {
  const tls: TlsInfo | null = session.tls;
  const { target } = session;
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

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
