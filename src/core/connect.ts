// One authenticated XMPP session (RFC 6120): TCP (dial.ts), TLS (STARTTLS or XEP-0368 direct
// TLS), SASL, resource binding; the caller's AbortSignal carries the deadline.
//
// Two ways through the same steps. Step by step, each waits for what the server says (the first
// connection to a server, which records what it learned in a ServerProfile). Pipelined, when a
// profile is known: <starttls/> rides with the stream header, <auth> with the header after TLS,
// and bind (plus, via afterBind, the address query) with the header after login, so that the
// only waits left are those the data needs. Every pipelined stage still checks the server's
// features against the profile; any surprise throws ShortcutRejected, and the caller retries
// step by step at once.
//
// Where the server offers SASL2 (XEP-0388) with Bind 2 inlined (XEP-0386), login and bind are one
// exchange (<authenticate> … <success> carrying the bound JID) and the stream is not restarted;
// the caller's queries then follow the <success>.
import { randomBytes, randomUUID } from "node:crypto";
import type net from "node:net";
import { xml, type Element } from "@xmpp/xml";
import type { ParsedJid } from "./account";
import { connectTargets } from "./dial";
import { isSicError, SicError } from "./errors";
import { IqClient } from "./iq";
import { parseIp, type Family } from "./ip";
import type { Resolver, Target } from "./resolve";
import { FINAL_SASL_CONDITIONS, mechanismFor, SaslFailure, sasl2MechanismFor, startSasl, startSasl2 } from "./sasl";
import { featureSignature, profileKey, type ProfileCache, type ServerProfile } from "./serverProfile";
import type { StanzaRecorder } from "./stanzaLog";
import { prepareTrust, secure, type TlsInfo, type TlsTrust } from "./tls";
import { quoted } from "./text";
import { XmlStream } from "./xmlStream";

export const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
export const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
export const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";
/** XEP-0368: the ALPN protocol id for XMPP client connections over direct TLS. */
const ALPN_XMPP_CLIENT = ["xmpp-client"];

export interface SessionOptions {
  jid: ParsedJid;
  password: string;
  /** Where to connect, in order (see resolveTargets); each carries its own TLS mode. */
  targets: Target[];
  resolver: Resolver;
  /** Only addresses of this family; both when undefined. */
  family?: Family;
  /** How long each target but the last may take to connect (see dial.ts). */
  connectBudgetMs?: number;
  trust: TlsTrust;
  /** Known servers, for pipelining; step by step when absent. */
  profiles?: ProfileCache;
  /** Pipelined sessions only: IQs to send right behind the bind request (SASL2: behind the login's success). */
  afterBind?: (iqs: IqClient, profile: ServerProfile) => Element[];
}

export interface Endpoint {
  ip: string;
  port: number;
}

/** What a step-by-step negotiation learned; the check completes it into a ServerProfile. */
export type Learned = Omit<ServerProfile, "discoFeatures" | "query">;

export interface Session {
  stream: XmlStream;
  iqs: IqClient;
  boundJid: string;
  mechanism: string;
  local: Endpoint;
  remote: Endpoint;
  /** The target that answered, and the family of the address it was reached at. */
  target: Target;
  family: Family;
  tls: TlsInfo | null;
  /** Where this server's profile is kept. */
  profileKey: string;
  /** The profile this session was pipelined with, or what a step-by-step session learned. */
  pipelined: ServerProfile | null;
  learned: Learned;
}

/** A server did not take a shortcut (or changed since it was profiled): retry step by step. */
export class ShortcutRejected extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`The server did not accept a pipelined step (${reason}).`);
  }
}

/** Marks the end of a phase so the check can report where the time went. */
export type Lap = (phase: "connect" | "tls" | "auth") => void;

export async function openSession(
  options: SessionOptions,
  recorder: StanzaRecorder,
  signal: AbortSignal,
  lap: Lap,
  onStream: (stream: XmlStream) => void,
): Promise<Session> {
  const { jid } = options;
  const dialing = connectTargets(options.targets, options.resolver, options.family, signal, options.connectBudgetMs);
  // After the dial has started (its first steps run as microtasks), while the network works.
  setImmediate(() => prepareTrust(options.trust));
  const connected = await dialing;
  let socket: net.Socket = connected.socket;
  const { target } = connected;
  const mode = target.tls;
  const local = endpoint(socket.localAddress, socket.localPort);
  const remote = endpoint(socket.remoteAddress, socket.remotePort);
  const key = profileKey({ domain: jid.domain, host: target.host, port: target.port, tls: mode });
  const stored = options.profiles?.get(key) ?? null;
  // A requested resource needs RFC 6120 bind (Bind 2 lets the server choose): such a check goes
  // step by step on a server remembered as SASL2.
  const profile = stored?.login === "sasl2-bind2" && jid.resource ? null : stored;
  lap("connect");

  if (mode === "none" && parseIp(remote.ip)?.range !== "loopback") {
    socket.destroy();
    throw new SicError("usage", `Unencrypted connections are only allowed to a loopback address; ${target.host} is ${remote.ip}.`);
  }

  let tlsInfo: TlsInfo | null = null;
  const tlsOptions = { domain: jid.domain, trust: options.trust, host: target.host, port: target.port };
  if (mode === "direct") {
    recorder.note("out", "tls", `TLS handshake (direct TLS, XEP-0368) with ${remote.ip}:${remote.port}`);
    ({ socket, info: tlsInfo } = await secure(socket, { ...tlsOptions, alpn: ALPN_XMPP_CLIENT }, signal));
    recorder.note("in", "tls", tlsNote(tlsInfo));
  }

  const stream = new XmlStream(socket, jid.domain, recorder);
  onStream(stream);
  const shortcut = new Shortcuts(key, profile, () => options.profiles?.drop(key));
  stream.phase = "opening the stream";

  let plainFeatures: string | null = null;
  let features: Element;
  if (mode === "starttls") {
    const starttls = xml("starttls", { xmlns: NS_TLS });
    features = await shortcut.stage(() => stream.open(undefined, profile ? [starttls] : []));
    plainFeatures = shortcut.expect(features, profile?.plainFeatures);
    stream.phase = "starting TLS";
    if (!features.getChild("starttls", NS_TLS)) {
      throw new SicError("tls", "The server does not offer STARTTLS; refusing to send credentials unencrypted.");
    }
    if (!profile) stream.send(starttls);
    const answer = await shortcut.stage(() => stream.next());
    if (!answer.is("proceed", NS_TLS)) {
      throw shortcut.rejected(`<${answer.name}/> instead of <proceed/>`) ??
        new SicError("tls", `The server answered STARTTLS with <${answer.name}/> instead of <proceed/>.`);
    }
    recorder.note("out", "tls", "TLS handshake (STARTTLS)");
    const upgraded = await secure(stream.releaseSocket(), tlsOptions, signal);
    tlsInfo = upgraded.info;
    stream.upgrade(upgraded.socket);
    recorder.note("in", "tls", tlsNote(tlsInfo));
  }
  const from = tlsInfo ? jid.bare : undefined;
  const credentials = { username: jid.local, password: options.password };

  // Login: with a profile, <auth> (or SASL2's <authenticate>) goes out with the stream header,
  // before the mechanism list. SASL2 with Bind 2 is only used without a requested resource: Bind 2
  // lets the server choose it.
  stream.phase = mode === "starttls" ? "opening the encrypted stream" : "opening the stream";
  const userAgent = { id: randomUUID(), software: "xmpp-sic", tag: "xmpp-sic" };
  const canSasl2 = !jid.resource;
  let sasl2 = profile?.login === "sasl2-bind2" ? startSasl2(profile.mechanism, credentials, userAgent) : null;
  let sasl = profile && !sasl2 ? startSasl(profile.mechanism, credentials) : null;
  const opening = sasl2 ? sasl2.authenticate : sasl?.auth;
  features = await shortcut.stage(() => stream.open(from, opening ? [opening] : []));
  const secureFeatures = shortcut.expect(features, profile?.secureFeatures);
  if (mode === "none" && features.getChild("starttls", NS_TLS)?.getChild("required")) {
    throw new SicError("tls", "The server requires TLS; use --tls starttls (or direct).");
  }
  lap("tls");

  stream.phase = "authenticating";
  const iqs = new IqClient(stream, fromServerOrSelf(jid));
  if (!profile) {
    const mechanism2 = canSasl2 ? sasl2MechanismFor(features) : null;
    if (mechanism2) {
      sasl2 = startSasl2(mechanism2, credentials, userAgent);
      stream.send(sasl2.authenticate);
    } else {
      sasl = startSasl(mechanismFor(features), credentials);
      stream.send(sasl.auth);
    }
  }

  let boundJid: string;
  let boundFeatures: string;
  let sessionRequired = false;
  if (sasl2) {
    // SASL2 + Bind 2: the success carries the bound JID; the stream goes on without a restart.
    ({ boundJid } = await shortcut.stage(() => sasl2!.finish(stream)));
    // No features are read after login (a server may or may not send them), so none are remembered.
    boundFeatures = "";
    // The caller's queries go right behind the success: before it, the stream is not yet
    // authenticated, and XEP-0388 allows no stanzas there.
    if (profile) for (const el of options.afterBind?.(iqs, profile) ?? []) stream.send(el);
  } else {
    await shortcut.stage(() => sasl!.finish(stream));

    // Bind: with a profile, the bind request (and the caller's queries) ride with the stream header.
    stream.phase = "opening the authenticated stream";
    const resource = jid.resource || `xmpp-sic-${randomBytes(3).toString("hex")}`;
    const bindRequest = iqs.build("set", xml("bind", { xmlns: NS_BIND }, xml("resource", {}, resource)));
    const sessionRequest = profile?.sessionRequired ? iqs.build("set", xml("session", { xmlns: NS_SESSION })) : null;
    const extra = profile ? [bindRequest.element, ...(sessionRequest ? [sessionRequest.element] : []), ...(options.afterBind?.(iqs, profile) ?? [])] : [];
    features = await shortcut.stage(() => stream.open(from, extra));
    boundFeatures = shortcut.expect(features, profile?.boundFeatures);

    stream.phase = "binding a resource";
    if (!features.getChild("bind", NS_BIND)) {
      throw new SicError("bad-reply", "The server offered no resource binding after login.");
    }
    if (!profile) stream.send(bindRequest.element);
    const bound = await iqs.reply(bindRequest.id);
    if (!bound.ok) throw new SicError("server-error", `The server refused to bind a resource: <${bound.error.condition}/>.`);
    const jidText = bound.iq.getChild("bind", NS_BIND)?.getChildText("jid");
    if (!jidText) throw new SicError("bad-reply", "The server's bind result holds no JID.");
    boundJid = jidText;
    // RFC 3921 sessions: only servers that still mark them mandatory need the extra request.
    const session = features.getChild("session", NS_SESSION);
    sessionRequired = session !== undefined && !session.getChild("optional");
    const sessionId = sessionRequest?.id ?? (sessionRequired ? iqs.send("set", xml("session", { xmlns: NS_SESSION })) : null);
    if (sessionId) {
      const started = await iqs.reply(sessionId);
      if (!started.ok) throw new SicError("server-error", `The server refused to start a session: <${started.error.condition}/>.`);
    }
  }
  lap("auth");

  const mechanism = (sasl2 ?? sasl)!.mechanism;
  const login = sasl2 ? "sasl2-bind2" : "sasl";
  const family: Family = connected.address.family === 6 ? "IPv6" : "IPv4";
  return {
    stream,
    iqs,
    boundJid: quoted(boundJid, 3071),
    mechanism,
    local,
    remote,
    target,
    family,
    tls: tlsInfo,
    profileKey: key,
    pipelined: profile,
    learned: { plainFeatures, secureFeatures, boundFeatures, mechanism, login, sessionRequired },
  };
}

/**
 * Runs the stages of a pipelined negotiation: the server's refusal of a shortcut becomes
 * ShortcutRejected. Without a profile it changes nothing. Wrong credentials are never a refusal:
 * retrying them step by step would only log in wrongly twice.
 */
class Shortcuts {
  constructor(
    private readonly key: string,
    private readonly profile: ServerProfile | null,
    /** Drops the profile; a refused login must not leave the next check on the same shortcut. */
    private readonly forget: () => void,
  ) {}

  async stage<T>(step: () => Promise<T>): Promise<T> {
    if (!this.profile) return step();
    try {
      return await step();
    } catch (err) {
      if (err instanceof SaslFailure && FINAL_SASL_CONDITIONS.has(err.condition)) this.forget();
      const refusal =
        err instanceof SaslFailure ? !FINAL_SASL_CONDITIONS.has(err.condition) : isSicError(err) && REFUSALS.has(err.code);
      throw refusal ? new ShortcutRejected(this.key, (err as Error).message) : err;
    }
  }

  /** The features' signature; with a profile, one that differs from what was remembered is a refusal. */
  expect(features: Element, remembered: string | null | undefined): string {
    const signature = featureSignature(features);
    if (this.profile && remembered !== undefined && signature !== remembered) {
      throw new ShortcutRejected(this.key, "its stream features differ from the last connection's");
    }
    return signature;
  }

  rejected(reason: string): ShortcutRejected | null {
    return this.profile ? new ShortcutRejected(this.key, reason) : null;
  }
}

/** Error codes that, during a pipelined stage, mean the server did not take the shortcut. */
const REFUSALS: ReadonlySet<string> = new Set(["stream-error", "bad-reply", "connect"]);

/** Replies may come from the server, from our own account, or without a 'from' (RFC 6120 §8.1.2.1). */
export function fromServerOrSelf(jid: ParsedJid): (from: string | undefined) => boolean {
  const domain = jid.domain.toLowerCase();
  const bare = jid.bare.toLowerCase();
  return (from) => from === undefined || from.toLowerCase() === domain || from.toLowerCase() === bare;
}

function tlsNote(info: TlsInfo): string {
  return `TLS established: ${info.protocol}, ${info.cipher}${info.resumed ? ", resumed session" : ""}, certificate ${info.fingerprint}`;
}

function endpoint(ip: string | undefined, port: number | undefined): Endpoint {
  return { ip: ip ? (parseIp(ip)?.ip ?? ip) : "unknown", port: port ?? 0 };
}
