// A console session as JSON Lines: one object per stanza log entry, with what pairing learned
// (which entry answers which, and how fast). Built from the stanza log's entries, which are
// already redacted; the secrets, when known, are scrubbed once more on the way out. Also read
// back (bounded, validated), so an exported file can be re-opened in a viewer.
import { SicError } from "../errors";
import { scrubSecrets } from "../redact";
import type { StanzaKind, StanzaLogEntry } from "../stanzaLog";
import type { PairingEvent } from "./pairing";

export type PairOutcome = "result" | "error" | "no-reply" | "given-up";

/** What pairing concluded about one request; `reply` is the log seq of its answer, if any. */
export interface PairRecord {
  request: number;
  reply: number | null;
  latencyMs: number | null;
  outcome: PairOutcome;
}

export interface TranscriptLine {
  seq: number;
  /** ISO 8601, UTC. */
  time: string;
  direction: "in" | "out";
  kind: StanzaKind;
  summary: string;
  xml: string;
  /** The seq of the request this answers, or of the reply that answered it. */
  pairedWith: number | null;
  latencyMs: number | null;
  /** Set on both sides of a pair and on requests that got no reply. */
  outcome: PairOutcome | null;
}

/** The record a pairing event leaves for the transcript (unpaired replies leave none). */
export function pairRecordOf(event: PairingEvent<number>): PairRecord | null {
  switch (event.kind) {
    case "reply":
      return { request: event.request, reply: event.reply, latencyMs: event.latencyMs, outcome: event.outcome };
    case "no-reply":
    case "given-up":
      return { request: event.request, reply: null, latencyMs: null, outcome: event.kind };
    default:
      return null;
  }
}

export function transcriptLines(entries: readonly StanzaLogEntry[], pairs: Iterable<PairRecord>): TranscriptLine[] {
  const bySeq = new Map<number, { pairedWith: number | null; latencyMs: number | null; outcome: PairOutcome }>();
  for (const p of pairs) {
    // A late reply after "no reply" replaces the earlier verdict: the later record wins.
    bySeq.set(p.request, { pairedWith: p.reply, latencyMs: p.latencyMs, outcome: p.outcome });
    if (p.reply !== null) bySeq.set(p.reply, { pairedWith: p.request, latencyMs: p.latencyMs, outcome: p.outcome });
  }
  return entries.map((e) => {
    const pair = bySeq.get(e.seq);
    return {
      seq: e.seq,
      time: new Date(e.time).toISOString(),
      direction: e.direction,
      kind: e.kind,
      summary: e.summary,
      xml: e.xml,
      pairedWith: pair?.pairedWith ?? null,
      latencyMs: pair?.latencyMs == null ? null : Math.round(pair.latencyMs * 100) / 100,
      outcome: pair?.outcome ?? null,
    };
  });
}

/** One JSON object per line, newline-terminated; JSON escapes every control character in strings. */
export function transcriptJsonLines(entries: readonly StanzaLogEntry[], pairs: Iterable<PairRecord>, secrets: readonly string[] = []): string {
  return transcriptLines(entries, pairs)
    .map((line) => scrubSecrets(JSON.stringify(line), secrets) + "\n")
    .join("");
}

export interface TranscriptReadLimits {
  maxLines: number;
  maxLineChars: number;
}

export const DEFAULT_TRANSCRIPT_READ_LIMITS: TranscriptReadLimits = { maxLines: 200_000, maxLineChars: 1024 * 1024 };

const KINDS: ReadonlySet<string> = new Set(["stream", "tls", "sasl", "iq", "message", "presence", "other"]);
const OUTCOMES: ReadonlySet<string> = new Set(["result", "error", "no-reply", "given-up"]);

/** Reads a JSON Lines transcript back; the first line that is not one of ours is refused by number. */
export function parseTranscriptJsonLines(text: string, limits: TranscriptReadLimits = DEFAULT_TRANSCRIPT_READ_LIMITS): TranscriptLine[] {
  const rows = text.split("\n");
  if (rows.at(-1) === "") rows.pop();
  if (rows.length > limits.maxLines) throw new SicError("usage", `The transcript has more than ${limits.maxLines} lines.`);
  return rows.map((row, i) => {
    const bad = (why: string) => new SicError("usage", `Line ${i + 1} of the transcript ${why}.`);
    if (row.length > limits.maxLineChars) throw bad(`is longer than ${limits.maxLineChars} characters`);
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(row.replace(/\r$/, "")) as Record<string, unknown>;
    } catch {
      throw bad("is not JSON");
    }
    const num = (x: unknown) => typeof x === "number" && Number.isFinite(x);
    const ok =
      v !== null && typeof v === "object" && Number.isInteger(v.seq) &&
      typeof v.time === "string" && !Number.isNaN(Date.parse(v.time)) &&
      (v.direction === "in" || v.direction === "out") && typeof v.kind === "string" && KINDS.has(v.kind) &&
      typeof v.summary === "string" && typeof v.xml === "string" &&
      (v.pairedWith === null || Number.isInteger(v.pairedWith)) && (v.latencyMs === null || num(v.latencyMs)) &&
      (v.outcome === null || v.outcome === undefined || (typeof v.outcome === "string" && OUTCOMES.has(v.outcome)));
    if (!ok) throw bad("is not a transcript entry (seq, time, direction, kind, summary, xml, pairedWith, latencyMs)");
    const line = v as unknown as TranscriptLine;
    const { seq, time, direction, kind, summary, xml, pairedWith, latencyMs } = line;
    return { seq, time, direction, kind, summary, xml, pairedWith, latencyMs, outcome: line.outcome ?? null };
  });
}
