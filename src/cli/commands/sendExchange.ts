// What `send` does on the wire: open a live session, send every composed stanza, and collect for
// each its outcome: an iq get/set its paired result or error (or none by the reply deadline), a
// message or presence an error bounced back with its id within --wait (or none). Nothing is kept
// but one outcome per sent stanza, however much the server sends meanwhile.
import type { Element } from "@xmpp/xml";
import { errorDetail, isReplySender, openLiveSession, type ComposedStanza, type LiveSessionOptions, type PairingEvent } from "../../core/console";

export interface SentOutcome {
  stanza: ComposedStanza;
  reply: Element | null;
  type: "result" | "error" | "none";
  condition: string | null;
  latencyMs: number | null;
}

export type ExchangeOptions = Omit<LiveSessionOptions, "onElement" | "onPairing" | "onRequest">;

export async function exchange(options: ExchangeOptions, stanzas: readonly ComposedStanza[], waitMs: number): Promise<SentOutcome[]> {
  const outcomes: SentOutcome[] = stanzas.map((stanza) => ({ stanza, reply: null, type: "none", condition: null, latencyMs: null }));
  const byRequestSeq = new Map<number, SentOutcome>();
  const bounceable = new Map<string, { outcome: SentOutcome; sentAt: number }>();
  let unsettledIqs = stanzas.filter((s) => s.expectsReply).length;
  let last: { el: Element; seq: number } | null = null;
  let wake = () => {};

  const onPairing = (e: PairingEvent<number>) => {
    if (e.kind === "unpaired") return;
    const outcome = byRequestSeq.get(e.request);
    if (!outcome || outcome.type !== "none") return;
    if (e.kind === "reply") {
      outcome.reply = last?.seq === e.reply ? last.el : null;
      outcome.type = e.outcome;
      outcome.condition = e.error?.condition ?? null;
      outcome.latencyMs = e.latencyMs;
    }
    unsettledIqs--;
    wake();
  };
  const onElement = (el: Element, seq: number) => {
    last = { el, seq };
    const waiting = el.attrs.type === "error" && el.name !== "iq" ? bounceable.get(el.attrs.id ?? "") : undefined;
    if (!waiting || !isReplySender(waiting.outcome.stanza.element.attrs.to, el.attrs.from, { jid: live.boundJid })) return;
    bounceable.delete(el.attrs.id!);
    Object.assign(waiting.outcome, { reply: el, type: "error", condition: errorDetail(el).condition, latencyMs: performance.now() - waiting.sentAt });
  };

  const live = await openLiveSession({ ...options, onElement, onPairing });
  try {
    for (const outcome of outcomes) {
      const { element, expectsReply, name, id } = outcome.stanza;
      const seq = live.send(element);
      if (expectsReply) byRequestSeq.set(seq, outcome);
      else if (name !== "iq") bounceable.set(id, { outcome, sentAt: performance.now() });
    }
    const waited = bounceable.size > 0 && waitMs > 0 ? sleep(waitMs) : Promise.resolve();
    const replied = new Promise<void>((resolve) => {
      wake = () => unsettledIqs <= 0 && resolve();
      wake();
    });
    await Promise.race([Promise.all([waited, replied]), live.closed]);
    return outcomes;
  } finally {
    await live.close();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
