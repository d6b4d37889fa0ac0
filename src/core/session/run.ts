// The lifecycle every client of a server shares: options → resolve → dial → TLS → login → bind →
// questions → keep or close, under one deadline with cancellation. Whatever happens, the caller
// gets its result or a SicError, and no socket or timer is left behind. A server seen before (its
// ServerProfile is known) is asked pipelined, the questions riding with the bind request; if it
// refuses a shortcut, the session restarts step by step at once.
import type { ParsedJid } from "../account";
import { targetBudgetMs } from "../dial";
import { abortable, resolveTargets, systemResolver } from "../resolve";
import { StanzaRecorder } from "../stanzaLog";
import type { XmlStream } from "../xmlStream";
import { askQuestions, startBehindBind, type Started } from "./ask";
import { Deadline } from "./deadline";
import { guarded } from "./guarded";
import { keep, type KeptSession } from "./kept";
import { openSession, type NegotiationOptions, type Session } from "./negotiate";
import { ShortcutRejected } from "./shortcuts";
import { settle, type SessionOptions, type SessionSettings } from "./options";
import type { Features, QuestionSet } from "./question";
import type { ProfileCache } from "./serverProfile";
import { Stopwatch, type Timings } from "./timings";

/** What a session found, for the caller to turn into its result. */
export interface SessionRun<T extends readonly unknown[]> {
  jid: ParsedJid;
  session: Session;
  /** The planner's features (asked or remembered); null when unknown. */
  features: Features;
  /** The questions' answers, in the order of the QuestionSet. */
  answers: T;
  timings: Timings;
  checkId: string;
}

/** Runs a session, turns its answers into the caller's result (`conclude`), and closes it. */
export function runSession<T extends readonly unknown[], R>(
  options: SessionOptions,
  questions: QuestionSet<T>,
  conclude: (run: SessionRun<T>) => R,
): Promise<R> {
  return guarded(options.password, async () => (await run(options, questions, conclude, false)).result);
}

/** The same, but the session stays open for asking again (see kept.ts). */
export function runAndKeep<T extends readonly unknown[], R>(
  options: SessionOptions,
  questions: QuestionSet<T>,
  conclude: (run: SessionRun<T>) => R,
): Promise<{ result: R; kept: KeptSession }> {
  return guarded(options.password, async () => {
    const { result, session, recorder, domain } = await run(options, questions, conclude, true);
    return { result, kept: keep(session, recorder, options.password, domain) };
  });
}

async function run<T extends readonly unknown[], R>(
  options: SessionOptions,
  questions: QuestionSet<T>,
  conclude: (run: SessionRun<T>) => R,
  keepOpen: boolean,
): Promise<{ result: R; session: Session; recorder: StanzaRecorder; domain: string }> {
  const settings = settle(options);
  const recorder = new StanzaRecorder(settings.log, settings.checkId, [settings.password]);
  const clock = new Stopwatch();
  let stream: XmlStream | null = null;
  const onStream = (s: XmlStream) => (stream = s);
  const deadline = new Deadline(
    settings.timeoutMs,
    options.signal,
    () => `No answer within ${settings.timeoutMs} ms (while ${stream?.phase ?? "connecting"}).`,
    (reason) => stream?.abort(reason),
  );
  let succeeded = false;
  try {
    const { jid } = settings;
    const resolver = options.resolver ?? systemResolver();
    const targets =
      options.targets ??
      (await abortable(resolveTargets({ domain: jid.domain, host: settings.host, port: settings.port, tls: settings.tls }, resolver), deadline.signal));
    const negotiation: NegotiationOptions = {
      jid,
      password: settings.password,
      targets,
      resolver,
      ...(settings.family ? { family: settings.family } : {}),
      connectBudgetMs: targetBudgetMs(settings.timeoutMs),
      trust: settings.trust,
    };
    const opened = await negotiate(negotiation, settings, questions, { recorder, signal: deadline.signal, clock, onStream, stream: () => stream });
    const answered = await askQuestions(questions, opened.session, jid.domain, opened.started);
    clock.lap("query");
    const timings = clock.stop();
    learn(settings.profiles, opened.session, answered.memories);
    const result = conclude({ jid, session: opened.session, features: answered.features, answers: answered.answers, timings, checkId: settings.checkId });
    succeeded = true;
    return { result, session: opened.session, recorder, domain: jid.domain };
  } catch (err) {
    throw deadline.truth(err);
  } finally {
    deadline.dispose();
    if (!(keepOpen && succeeded)) await (stream as XmlStream | null)?.close();
  }
}

interface Wiring {
  recorder: StanzaRecorder;
  signal: AbortSignal;
  clock: Stopwatch;
  onStream: (stream: XmlStream) => void;
  stream: () => XmlStream | null;
}

/** Negotiates, pipelined when the server is known; a refused shortcut is retried step by step at once. */
async function negotiate(
  negotiation: NegotiationOptions,
  settings: SessionSettings,
  questions: QuestionSet<readonly unknown[]>,
  { recorder, signal, clock, onStream, stream }: Wiring,
): Promise<{ session: Session; started: Started | null }> {
  const behind: { started: Started | null } = { started: null };
  const afterBind: NegotiationOptions["afterBind"] = (iqs, profile) => {
    const pipelined = startBehindBind(questions, iqs, profile, negotiation.jid.domain);
    behind.started = pipelined?.started ?? null;
    return pipelined?.elements ?? [];
  };
  const open = (profiles: ProfileCache | null) =>
    openSession({ ...negotiation, ...(profiles ? { profiles, afterBind } : {}) }, recorder, signal, (phase) => clock.lap(phase), onStream);
  try {
    const session = await open(settings.profiles);
    return { session, started: behind.started };
  } catch (err) {
    if (!(err instanceof ShortcutRejected)) throw err;
    // The server changed or does not take shortcuts: forget it, and go step by step at once.
    settings.profiles?.drop(err.key);
    recorder.note("in", "other", `${err.message} Retrying step by step.`);
    await stream()?.close(0);
    return { session: await open(null), started: null };
  }
}

/**
 * Profiles a server once every question (and the planner) had something to remember: after a
 * step-by-step session, or when a pipelined one found a remembered answer changed or missing.
 */
function learn(profiles: ProfileCache | null, session: Session, memories: Record<string, unknown> | null): void {
  if (!profiles || !memories) return;
  const known = session.pipelined;
  if (known && JSON.stringify({ ...known.answers, ...memories }) === JSON.stringify(known.answers)) return;
  profiles.set(session.profileKey, { ...(known ?? session.learned), answers: { ...known?.answers, ...memories } });
}
