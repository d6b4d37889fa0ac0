// Which stanza answers which, and how a row says so: a request's outcome and latency (✓ result
// 12 ms, ✗ item-not-found 15 ms, ⏱ no reply), a reply's request (↩ disco#info). A console session's
// pairs come from its PairBook (the console's pairing checks ids and senders); a check's are derived
// here from its entries, with the same sender rule. Pure (no `vscode`), for unit tests and the bench.
import { compose, errorDetail, isReplySender, type PairRecord, type StanzaLogEntry } from "../core";
import type { HeaderCache, L10n } from "./stanzaFilter";
import { displayText } from "./stanzaSummary";

/** PairBook's reading side. */
export interface PairLookup {
  pairOf(seq: number): PairRecord | undefined;
}

/** An iq get or set we sent: it expects a result or an error. */
export const isRequest = (e: Pick<StanzaLogEntry, "direction" | "kind" | "summary">) =>
  e.direction === "out" && e.kind === "iq" && /^iq (get|set)\b/.test(e.summary);

const isReply = (e: Pick<StanzaLogEntry, "direction" | "kind" | "summary">) => e.direction === "in" && e.kind === "iq" && /^iq (result|error)\b/.test(e.summary);

/**
 * The pairs of checks' entries, by id and sender within one group (a check's own code has paired
 * them already; this only shows it), and of a console's login, which its PairBook never sees.
 * `own(checkId)` is the account's JID; groups it returns undefined for are skipped.
 */
export function derivePairs(
  entries: readonly StanzaLogEntry[],
  headers: HeaderCache,
  own: (checkId: string) => string | undefined,
  /** Entries paired already (a console's PairBook): skipped, so a console's flood costs nothing here. */
  known: (seq: number) => boolean = () => false,
): Map<number, PairRecord> {
  const pairs = new Map<number, PairRecord>();
  const waiting = new Map<string, { entry: StanzaLogEntry; to: string | undefined }[]>();
  for (const e of entries) {
    if (e.kind !== "iq" || known(e.seq)) continue;
    const jid = own(e.checkId);
    if (jid === undefined) continue;
    const { id, to, from } = headers.of(e);
    if (id === undefined) continue;
    const key = `${e.checkId}\u0000${id}`;
    if (isRequest(e)) {
      waiting.set(key, [...(waiting.get(key) ?? []), { entry: e, to }]);
    } else if (isReply(e)) {
      const list = waiting.get(key);
      const found = list?.findIndex((w) => isReplySender(w.to, from, { jid })) ?? -1;
      if (found === -1) continue;
      const request = list!.splice(found, 1)[0]!.entry;
      if (list!.length === 0) waiting.delete(key);
      const record: PairRecord = { request: request.seq, reply: e.seq, latencyMs: e.time - request.time, outcome: /^iq error/.test(e.summary) ? "error" : "result" };
      pairs.set(request.seq, record);
      pairs.set(e.seq, record);
    }
  }
  return pairs;
}

/** The entry's partner in its pair, if it has one. */
export function partnerOf(pair: PairRecord | undefined, seq: number): number | undefined {
  if (!pair) return undefined;
  return (pair.request === seq ? pair.reply : pair.request) ?? undefined;
}

/** A request still waiting, or whose wait ended without a reply. */
export function isUnpaired(e: StanzaLogEntry, pair: PairRecord | undefined): boolean {
  return isRequest(e) && (!pair || pair.reply === null);
}

/**
 * The condition of an error reply, read by namespace as the console reads it (RFC 6120 §8.3);
 * when the logged XML cannot be read that way, the core's summary "(condition)".
 */
export function errorCondition(reply: Pick<StanzaLogEntry, "xml" | "summary">): string {
  try {
    const stanza = compose(reply.xml).stanzas[0];
    if (stanza?.name === "iq") return errorDetail(stanza.element).condition;
  } catch {
    // Not readable as a stanza (e.g. it echoes a payload the console refuses): use the summary.
  }
  // The summary is the server's name for it: shown clipped, like every server text in a row.
  return displayText(/\(([^()\s]+)\)$/.exec(reply.summary)?.[1] ?? "undefined-condition", 40);
}

export function latencyText(ms: number | null, l10n: L10n): string {
  if (ms === null) return "";
  return l10n.t("{0} ms", ms < 10 ? (Math.round(ms * 10) / 10).toString() : Math.round(ms).toString());
}

export interface PairTextSources {
  pair: PairRecord | undefined;
  /** The log's entry with this seq, if still held. */
  entry(seq: number): StanzaLogEntry | undefined;
  /** errorCondition() of a reply, cached by the caller. */
  condition(reply: StanzaLogEntry): string;
  /** shortSummary() of an entry, cached by the caller. */
  label(entry: StanzaLogEntry): string;
}

/** What a row adds to its description about its pair; undefined for entries that are no part of one. */
export function pairText(e: StanzaLogEntry, { pair, entry, condition, label }: PairTextSources, l10n: L10n): string | undefined {
  if (!pair) return isRequest(e) ? l10n.t("… no reply yet") : undefined;
  if (pair.request === e.seq) {
    const latency = latencyText(pair.latencyMs, l10n);
    switch (pair.outcome) {
      case "result":
        return `${l10n.t("✓ result")} ${latency}`.trim();
      case "error": {
        const reply = pair.reply === null ? undefined : entry(pair.reply);
        return `✗ ${reply ? condition(reply) : l10n.t("error")} ${latency}`.trim();
      }
      case "no-reply":
        return l10n.t("⏱ no reply");
      case "given-up":
        return l10n.t("⏱ no reply (given up)");
    }
  }
  const request = entry(pair.request);
  return l10n.t("↩ answers {0}", request ? label(request) : `#${pair.request}`);
}
