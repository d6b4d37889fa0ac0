// One authenticated XMPP session (RFC 6120), as four named stages, each in stages/: dial (TCP) →
// TLS (STARTTLS or XEP-0368 direct TLS) → login (SASL, or SASL2 with Bind 2) → bind. The caller's
// AbortSignal carries the deadline.
//
// Two ways through the same stages, chosen once by Shortcuts (shortcuts.ts). Step by step, each
// waits for what the server says (the first connection to a server, which records what it learned
// in a ServerProfile). Pipelined, when a profile is known: <starttls/> rides with the stream header,
// <auth> with the header after TLS, and bind (plus, via afterBind, the questions' requests) with the
// header after login, so that the only waits left are those the data needs. Every pipelined stage
// still checks the server's features against the profile; any surprise throws ShortcutRejected,
// and the caller retries step by step at once.
//
// Where the server offers SASL2 (XEP-0388) with Bind 2 inlined (XEP-0386), login and bind are one
// exchange (<authenticate> … <success> carrying the bound JID) and the stream is not restarted;
// the questions' requests then follow the <success>.
import type { Element } from "@xmpp/xml";
import type { ParsedJid } from "../account";
import { IqClient } from "../iq";
import type { Family } from "../ip";
import type { Resolver, Target } from "../resolve";
import type { StanzaRecorder } from "../stanzaLog";
import { quoted } from "../text";
import type { TlsInfo, TlsTrust } from "../tls";
import type { XmlStream } from "../xmlStream";
import type { ProfileCache, ServerProfile } from "./serverProfile";
import { Shortcuts } from "./shortcuts";
import { bindStage } from "./stages/bind";
import { dialStage, type Endpoint } from "./stages/dial";
import { loginStage } from "./stages/login";
import { tlsStage } from "./stages/tls";

export type { Endpoint };

export interface NegotiationOptions {
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

/** What a step-by-step negotiation learned; the session completes it into a ServerProfile. */
export type Learned = Omit<ServerProfile, "answers">;

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
  /** The profile this session was pipelined with; null when it went step by step. */
  pipelined: ServerProfile | null;
  learned: Learned;
}

/** Marks the end of a phase so the session can report where the time went. */
export type Lap = (phase: "connect" | "tls" | "auth") => void;

export async function openSession(
  options: NegotiationOptions,
  recorder: StanzaRecorder,
  signal: AbortSignal,
  lap: Lap,
  onStream: (stream: XmlStream) => void,
): Promise<Session> {
  const { jid } = options;
  const dialed = await dialStage(options, signal);
  const shortcuts = Shortcuts.decide(options.profiles, jid, dialed.target);
  lap("connect");

  const mode = dialed.target.tls;
  const secured = await tlsStage({ dialed, domain: jid.domain, trust: options.trust, recorder, shortcuts, onStream }, signal);
  const { stream, tls, plainFeatures } = secured;
  const from = tls ? jid.bare : undefined;
  const loggedIn = await loginStage({ stream, jid, password: options.password, mode, from, shortcuts, lapTls: () => lap("tls") });

  const iqs = new IqClient(stream, fromServerOrSelf(jid));
  const bound = await bindStage({ stream, iqs, jid, from, loggedIn, shortcuts, ...(options.afterBind ? { afterBind: options.afterBind } : {}) });
  lap("auth");

  const { login, mechanism, secureFeatures } = loggedIn;
  const { boundFeatures, sessionRequired } = bound;
  return {
    stream,
    iqs,
    boundJid: quoted(bound.boundJid, 3071),
    mechanism,
    local: dialed.local,
    remote: dialed.remote,
    target: dialed.target,
    family: dialed.family,
    tls,
    profileKey: shortcuts.key,
    pipelined: shortcuts.profile,
    learned: { plainFeatures, secureFeatures, boundFeatures, mechanism, login, sessionRequired },
  };
}

/** Replies may come from the server, from our own account, or without a 'from' (RFC 6120 §8.1.2.1). */
export function fromServerOrSelf(jid: ParsedJid): (from: string | undefined) => boolean {
  const domain = jid.domain.toLowerCase();
  const bare = jid.bare.toLowerCase();
  return (from) => from === undefined || from.toLowerCase() === domain || from.toLowerCase() === bare;
}
