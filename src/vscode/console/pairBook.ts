// What pairing concluded, per stanza log seq, for the views: a request → its reply (✓ result,
// ✗ error, ⏱ no reply) with latency, and a reply → its request. The console sessions write it
// (from LiveSession's onPairing); the Stanza Log and the exports read it. Bounded like the log:
// records whose entries the log has dropped are forgotten.
import * as vscode from "vscode";
import type { PairRecord } from "../../core";

export class PairBook implements vscode.Disposable {
  /** Keyed by both the request's and the reply's seq. */
  private readonly bySeq = new Map<number, PairRecord>();
  private readonly changed = new vscode.EventEmitter<PairRecord>();
  /** Fires once per record as it arrives; views should batch their refreshes. */
  readonly onDidChange = this.changed.event;

  /** `oldestSeq` is the oldest seq the log still holds: anything older is dropped first. */
  record(pair: PairRecord, oldestSeq = 0): void {
    // A late reply after "no reply" replaces the earlier verdict: the later record wins.
    this.bySeq.set(pair.request, pair);
    if (pair.reply !== null) this.bySeq.set(pair.reply, pair);
    if (oldestSeq > 0) for (const seq of this.bySeq.keys()) if (seq < oldestSeq) this.bySeq.delete(seq);
    this.changed.fire(pair);
  }

  /** The record of the pair this entry belongs to (as request or as reply), if any. */
  pairOf(seq: number): PairRecord | undefined {
    return this.bySeq.get(seq);
  }

  /** The seq on the other side of the pair, if it exists. */
  partnerOf(seq: number): number | undefined {
    const pair = this.bySeq.get(seq);
    if (!pair) return undefined;
    const other = pair.request === seq ? pair.reply : pair.request;
    return other ?? undefined;
  }

  /** Every distinct record, for transcriptLines(). */
  records(): PairRecord[] {
    return [...new Set(this.bySeq.values())];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
