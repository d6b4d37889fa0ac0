// Asking a session's questions: pipelined (their requests built while the negotiation writes the
// bind request, so they leave in the same flight) or step by step (the planner first, when needed,
// then every question at once); then the answers, read in order.
import type { Element } from "@xmpp/xml";
import type { IqClient } from "../iq";
import type { XmlStream } from "../xmlStream";
import type { Asked, AskContext, Features, QuestionSet, Reader } from "./question";
import type { ServerProfile } from "./serverProfile";

/** Questions whose requests are written (or queued behind bind), waiting to be read. */
export interface Started {
  features: Features;
  /** The planner's answer: asked this session, or remembered; null when it was not asked. */
  planned: Asked<Features> | null;
  readers: Reader<unknown>[];
}

export interface Answered<T extends readonly unknown[]> {
  features: Features;
  answers: T;
  /** What to remember, by question key; null when some question (or the planner) has nothing. */
  memories: Record<string, unknown> | null;
}

/**
 * For a known server: starts every question with what it and the planner remembered, and returns
 * the requests to write behind bind. Null when the planner's memory is unusable: the questions are
 * then asked after bind, as on a first contact.
 */
export function startBehindBind(
  set: QuestionSet<readonly unknown[]>,
  iqs: IqClient,
  profile: ServerProfile,
  domain: string,
): { elements: Element[]; started: Started } | null {
  const features = set.planner.recall(profile.answers[set.planner.key]);
  if (features === undefined) return null;
  const elements: Element[] = [];
  const request = (type: "get" | "set", payload: Element, to?: string) => {
    const { id, element } = iqs.build(type, payload, to);
    elements.push(element);
    return id;
  };
  const readers = set.questions.map((q) => q.start({ domain, features, memory: profile.answers[q.key], request }));
  return { elements, started: { features, planned: { answer: features, memory: features }, readers } };
}

/** Asks what was not started behind bind, then reads every answer in order. */
export async function askQuestions<T extends readonly unknown[]>(
  set: QuestionSet<T>,
  session: { stream: XmlStream; iqs: IqClient; pipelined: ServerProfile | null },
  domain: string,
  started: Started | null,
): Promise<Answered<T>> {
  const ctx = askContext(session, domain);
  const { features, planned, readers } = started ?? (await startInTurn(set, ctx, session.pipelined));
  const asked: Asked<unknown>[] = [];
  for (const read of readers) asked.push(await read(ctx));
  const memories: Record<string, unknown> = { [set.planner.key]: planned?.memory ?? null };
  set.questions.forEach((q, i) => (memories[q.key] = asked[i]!.memory));
  const complete = Object.values(memories).every((m) => m !== null && m !== undefined);
  return { features, answers: asked.map((a) => a.answer) as unknown as T, memories: complete ? memories : null };
}

export function askContext(session: { stream: XmlStream; iqs: IqClient }, domain: string): AskContext {
  return { domain, iqs: session.iqs, phase: (what) => (session.stream.phase = what) };
}

async function startInTurn(set: QuestionSet<readonly unknown[]>, ctx: AskContext, profile: ServerProfile | null): Promise<Started> {
  const planned = set.questions.some((q) => q.needsFeatures) ? await set.planner.ask(ctx) : null;
  const features = planned?.answer ?? null;
  const request = (type: "get" | "set", payload: Element, to?: string) => ctx.iqs.send(type, payload, to);
  const readers = set.questions.map((q) => q.start({ domain: ctx.domain, features, memory: profile?.answers[q.key], request }));
  return { features, planned, readers };
}
