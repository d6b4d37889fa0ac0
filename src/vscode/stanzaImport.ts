// Re-opening an exported JSON Lines transcript as a read-only group of the Stanza Log: each line
// becomes a log entry again and its pairs are re-keyed to the new seqs. The file is anyone's:
// parseTranscriptJsonLines() bounds and validates it, and every text is neutralised and clipped
// here as the recorder does, before a row shows it. Pure (no `vscode`).
import { neutralise, quoted, type PairRecord, type StanzaLog, type TranscriptLine } from "../core";

/** As the recorder clips a summary (stanzaLog.ts). */
const SUMMARY_MAX = 200;

export interface ImportedGroup {
  entries: number;
  /** The file's pairs, by the new seqs; only those whose request the log still holds. */
  pairs: PairRecord[];
}

export function importTranscript(log: StanzaLog, lines: readonly TranscriptLine[], checkId: string): ImportedGroup {
  const seqs = new Map<number, number>();
  for (const line of lines) {
    const entry = log.add({
      time: Date.parse(line.time),
      direction: line.direction,
      kind: line.kind,
      summary: quoted(line.summary, SUMMARY_MAX),
      xml: neutralise(line.xml, { keepLines: true }),
      checkId,
    });
    seqs.set(line.seq, entry.seq);
  }
  const pairs: PairRecord[] = [];
  for (const line of lines) {
    // A pair is kept from its request's side: what we sent, with an outcome.
    if (line.direction !== "out" || line.outcome === null) continue;
    const request = seqs.get(line.seq)!;
    const reply = line.pairedWith === null ? null : (seqs.get(line.pairedWith) ?? null);
    if (log.get(request)) pairs.push({ request, reply, latencyMs: line.latencyMs, outcome: line.outcome });
  }
  return { entries: lines.length, pairs };
}
