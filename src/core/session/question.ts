// What a session can ask a server once it is bound: each question is a small object that says how
// to ask, how to read the answer, and what (nothing secret) to remember of the server, so that the
// next session can ask pipelined, its requests riding with the bind request. The session owns the
// rest (deadline, cancellation, the shortcut-refused retry, the profile, keep-open, close), so a
// new question is one new file (see questions/) and one more entry where a client lists them.
//
// One flight for every question: step by step (a first contact), the planner (disco#info) is asked
// first when a question needs the server's features, then every question starts (writes its
// requests) and the answers are read in order; pipelined, every question starts behind bind with
// what the planner remembered, before any answer.
import type { Element } from "@xmpp/xml";
import type { IqClient } from "../iq";

/** The server's disco#info features, as the planner found or remembered them; null when unknown. */
export type Features = readonly string[] | null;

/** An answer, and what to remember of the server for the next session (null: nothing). */
export interface Asked<A> {
  answer: A;
  /** Plain JSON, nothing secret. A server is only profiled when every question has something. */
  memory: unknown;
}

/** While a question starts: what is known, and where its requests go. */
export interface StartContext {
  /** The account's domain (a question to the server itself is addressed to it). */
  readonly domain: string;
  readonly features: Features;
  /**
   * What this question remembered of the server, when the session is pipelined: untrusted (it may
   * come from a file), so check it before use; undefined on a first contact.
   */
  readonly memory: unknown;
  /** Writes an IQ, or, pipelined, queues it behind the bind request; returns its id for reply(). */
  request(type: "get" | "set", payload: Element, to?: string): string;
}

/** While answers are read: the bound session's IQs. */
export interface AskContext {
  readonly domain: string;
  readonly iqs: IqClient;
  /** Says what the session waits for, for timeouts and errors ("… while asking for …"). */
  phase(what: string): void;
}

/** Reads (and, to fall back, asks further) until the question has its answer or a SicError. */
export type Reader<A> = (ctx: AskContext) => Promise<Asked<A>>;

export interface Question<A> {
  /** Its entry in the server profile. */
  readonly key: string;
  /** Whether it needs the planner's features before it can start (on a first contact). */
  readonly needsFeatures: boolean;
  /** Writes its first request(s) and returns how to read the answer. Throws nothing. */
  start(ctx: StartContext): Reader<A>;
}

/** The one question asked before the others on a first contact: what does the server offer? */
export interface Planner {
  readonly key: string;
  /** The features an earlier session remembered, checked (untrusted); undefined when unusable. */
  recall(memory: unknown): Features | undefined;
  ask(ctx: AskContext): Promise<Asked<Features>>;
}

/** What a session asks: the planner and the questions, whose answers come back in this order. */
export interface QuestionSet<T extends readonly unknown[]> {
  planner: Planner;
  questions: { readonly [K in keyof T]: Question<T[K]> };
}
