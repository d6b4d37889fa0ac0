// A live console session on one account: opened and kept through the session layer (runAndKeep:
// the same resolve → TLS → login → bind, deadline and whitespace keepalives as a check), then read
// by one loop that hands every element to the caller with its stanza log seq as it arrives. The
// caller sends what compose() made; iq get/set it sends are paired with their replies (IqPairing),
// while the session's own requests (ask: an address re-check) are routed back to the session's
// IqClient and never paired. Iq get/set from the server are answered service-unavailable (RFC 6120
// §8.4) unless the caller handles them. No initial presence unless asked; no reconnect: when the
// connection ends, `closed` settles and the caller opens a new session if it wants one.
import { xml, type Element } from "@xmpp/xml";
import { SicError } from "../errors";
import { loggedSeq, StanzaLog } from "../stanzaLog";
import type { KeptSession } from "../session/kept";
import { randomId, type SessionOptions } from "../session/options";
import type { AskContext, QuestionSet } from "../session/question";
import { runAndKeep } from "../session/run";
import { ElementQueue } from "./elementQueue";
import { IqPairing, type PairingEvent } from "./pairing";
import { mustAnswer, serviceUnavailableReply } from "./stanzaErrors";

export interface LiveSessionOptions extends SessionOptions {
  /** Send initial presence once bound (default: no; a diagnostic should not show the user online). */
  presence?: boolean;
  /** How long a sent iq get/set waits before it is "no reply" (IqPairing's default when omitted). */
  replyDeadlineMs?: number;
  /** Cap on requests waiting for replies (IqPairing's default when omitted). */
  maxPending?: number;
  /** Every element received once the session is live, with its stanza log seq. */
  onElement?: (el: Element, seq: number) => void;
  /** An iq get/set from the server: return true when the caller answered it. */
  onRequest?: (el: Element, seq: number) => boolean;
  onPairing?: (event: PairingEvent<number>) => void;
}

export interface LiveSession {
  readonly boundJid: string;
  readonly log: StanzaLog;
  readonly checkId: string;
  readonly isOpen: boolean;
  /** Settles with the reason once the session has ended (server, network, or close()). */
  readonly closed: Promise<SicError>;
  /** Sends one stanza; returns its stanza log seq. An iq get/set is paired with its reply. */
  send(el: Element): number;
  /** The session's own questions (not paired), e.g. an address re-check. */
  ask<R>(ask: (ctx: AskContext) => Promise<R>, options: { timeoutMs: number; signal?: AbortSignal }): Promise<R>;
  close(): Promise<void>;
}

/** A console asks nothing while opening: no planner call, nothing to remember of the server. */
const NO_QUESTIONS: QuestionSet<[]> = {
  planner: {
    key: "console",
    recall: () => undefined,
    ask: () => Promise.reject(new SicError("usage", "The console asks no questions while opening.")),
  },
  questions: [],
};

export async function openLiveSession(options: LiveSessionOptions): Promise<LiveSession> {
  const log = options.log ?? new StanzaLog();
  const checkId = options.checkId ?? `console-${randomId()}`;
  const { kept } = await runAndKeep({ ...options, log, checkId }, NO_QUESTIONS, () => null);
  return new Live(kept, log, checkId, options);
}

class Live implements LiveSession {
  readonly boundJid: string;
  readonly closed: Promise<SicError>;
  private readonly pairing: IqPairing<number>;
  /** Replies to the session's own requests, read by the loop and handed to its IqClient. */
  private readonly own = new ElementQueue();

  constructor(
    private readonly kept: KeptSession,
    readonly log: StanzaLog,
    readonly checkId: string,
    private readonly options: LiveSessionOptions,
  ) {
    this.boundJid = kept.session.boundJid;
    const { replyDeadlineMs, maxPending, onPairing } = options;
    this.pairing = new IqPairing<number>(
      { own: { jid: this.boundJid }, ...(replyDeadlineMs ? { replyDeadlineMs } : {}), ...(maxPending ? { maxPending } : {}) },
      onPairing,
    );
    kept.session.iqs.readFrom(() => this.own.next());
    this.closed = this.readAll();
    if (options.presence) this.send(xml("presence"));
  }

  get isOpen(): boolean {
    return this.kept.isOpen;
  }

  send(el: Element): number {
    if (!this.kept.isOpen) throw new SicError("connect", "The session is closed; open a new one to send.");
    this.kept.session.stream.send(el);
    const seq = loggedSeq(el) ?? 0;
    this.pairing.sent(el, seq);
    return seq;
  }

  ask<R>(ask: (ctx: AskContext) => Promise<R>, options: { timeoutMs: number; signal?: AbortSignal }): Promise<R> {
    return this.kept.again(ask, { ...options, checkId: this.checkId });
  }

  async close(): Promise<void> {
    this.pairing.dispose();
    await this.kept.close();
    await this.closed;
  }

  /** The one reader of the stream, until it ends. */
  private async readAll(): Promise<SicError> {
    const { stream, iqs } = this.kept.session;
    for (;;) {
      let el: Element;
      try {
        el = await stream.next();
      } catch (err) {
        const reason = err instanceof SicError ? err : new SicError("connect", String(err));
        this.own.fail(reason);
        this.pairing.dispose();
        return reason;
      }
      const seq = loggedSeq(el) ?? 0;
      if (iqs.awaits(el)) {
        this.own.push(el);
        continue;
      }
      this.options.onElement?.(el, seq);
      this.pairing.received(el, seq);
      if (mustAnswer(el) && !this.options.onRequest?.(el, seq)) stream.send(serviceUnavailableReply(el)!);
    }
  }
}
