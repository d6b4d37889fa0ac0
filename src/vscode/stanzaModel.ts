// The Stanza Log view's model without `vscode`: one snapshot per refresh (filtered entries by
// group, derived pairs, search matches), rebuilt only when something changed, so that a burst of
// entries costs one rebuild; and the batcher that groups refreshes (one per 50 ms at most). The
// view (stanzaView.ts) and the bench (scripts/bench/sections/stanzaView.ts) run the same code.
import type { PairRecord, StanzaLog, StanzaLogEntry } from "../core";
import { groupEntries, HeaderCache, isFiltered, keeps, NO_FILTER, searchMatches, SeqCache, textMatcher, type StanzaFilter } from "./stanzaFilter";
import { shortSummary } from "./stanzaSummary";
import { derivePairs, errorCondition, isUnpaired, partnerOf, type PairLookup } from "./stanzaPairs";

export interface GroupSource {
  /** "console": a live session's group (its PairBook pairs it); "check"; undefined: not known. */
  kind(checkId: string): "check" | "console" | undefined;
  /** The account's JID of a group, for the pairing's sender rule. */
  jid(checkId: string): string | undefined;
}

interface Snapshot {
  groups: Map<string, StanzaLogEntry[]>;
  visible: number;
  derived: Map<number, PairRecord>;
}

export interface SearchState {
  text: string;
  matches: number[];
  /** Index into matches; -1 when there is none. */
  index: number;
}

/** A bound on cached error conditions: one per error reply shown, far fewer than entries. */
const MAX_CONDITIONS = 5_000;

/**
 * Rows a group shows at first, and how many more each "earlier stanzas" row adds: a refresh (and
 * what VS Code asks for and draws) is bounded by what is shown, not by what the log holds.
 */
export const GROUP_ROWS = 500;

/** A group's shown rows: its newest entries that pass the filter, and how many earlier ones wait. */
export interface GroupRows {
  earlier: number;
  entries: StanzaLogEntry[];
}

export class StanzaLogModel {
  filter: StanzaFilter = NO_FILTER;
  readonly headers = new HeaderCache();
  private snapshotCache: Snapshot | undefined;
  private searchState: SearchState | undefined;
  private readonly conditions = new SeqCache<string>(MAX_CONDITIONS);
  /** Pairs of re-opened transcripts (stanzaImport.ts), by both seqs; pruned as the log drops entries. */
  private readonly opened = new Map<number, PairRecord>();
  /** Row labels: an entry never changes, and a flood's refreshes would build each one again. */
  private readonly labels = new SeqCache<string>();
  /** Rows shown per group, where raised above GROUP_ROWS ("earlier stanzas", a revealed match). */
  private readonly limits = new Map<string, number>();

  constructor(
    private readonly log: StanzaLog,
    private readonly book: PairLookup,
    private readonly groupsOf: GroupSource,
  ) {}

  /** Entries, pairs or groups changed: the next read rebuilds. */
  invalidate(): void {
    this.snapshotCache = undefined;
  }

  setFilter(filter: Partial<StanzaFilter>): void {
    this.filter = { ...this.filter, ...filter };
    this.invalidate();
  }

  isFiltered(): boolean {
    return isFiltered(this.filter);
  }

  get groups(): Map<string, StanzaLogEntry[]> {
    return this.snapshot().groups;
  }

  /** The rows of one group: the newest GROUP_ROWS (or more, once raised) of its filtered entries. */
  rowsOf(checkId: string): GroupRows {
    const group = this.groups.get(checkId) ?? [];
    const limit = this.limits.get(checkId) ?? GROUP_ROWS;
    const entries = group.length > limit ? group.slice(group.length - limit) : group;
    return { earlier: group.length - entries.length, entries };
  }

  /** Shows GROUP_ROWS more of a group's earlier rows. */
  showEarlier(checkId: string): void {
    this.limits.set(checkId, (this.limits.get(checkId) ?? GROUP_ROWS) + GROUP_ROWS);
  }

  /** Raises its group's limit until the entry `seq` is a row; false if the filter hides it. */
  ensureShown(seq: number): boolean {
    const entry = this.entry(seq);
    const group = entry && this.groups.get(entry.checkId);
    const index = group ? group.indexOf(entry) : -1;
    if (!entry || index < 0) return false;
    const needed = group!.length - index;
    const limit = this.limits.get(entry.checkId) ?? GROUP_ROWS;
    if (needed > limit) this.limits.set(entry.checkId, Math.ceil(needed / GROUP_ROWS) * GROUP_ROWS);
    return true;
  }

  /** How many entries pass the filter. */
  get visibleCount(): number {
    return this.snapshot().visible;
  }

  entry(seq: number): StanzaLogEntry | undefined {
    return this.log.get(seq);
  }

  /** Every entry of one group, filtered or not, oldest first. */
  entriesOf(checkId: string): StanzaLogEntry[] {
    return this.log.list().filter((e) => e.checkId === checkId);
  }

  /** The groups in the log, newest first. */
  checkIds(): string[] {
    return [...new Set(this.log.list().map((e) => e.checkId))].reverse();
  }

  /** The PairBook's record (a console), a re-opened transcript's, or the one derived from a check's entries. */
  pairOf(seq: number): PairRecord | undefined {
    return this.book.pairOf(seq) ?? this.opened.get(seq) ?? this.snapshot().derived.get(seq);
  }

  addOpenedPairs(pairs: readonly PairRecord[]): void {
    for (const seq of this.opened.keys()) if (!this.log.get(seq)) this.opened.delete(seq);
    for (const pair of pairs) {
      this.opened.set(pair.request, pair);
      if (pair.reply !== null) this.opened.set(pair.reply, pair);
    }
    this.invalidate();
  }

  partnerOf(seq: number): number | undefined {
    return partnerOf(this.pairOf(seq), seq);
  }

  /** The records of one group's entries, for the JSON Lines export. */
  pairsOf(entries: readonly StanzaLogEntry[]): PairRecord[] {
    const records = new Set<PairRecord>();
    for (const e of entries) {
      const pair = this.pairOf(e.seq);
      if (pair) records.add(pair);
    }
    return [...records];
  }

  condition(reply: StanzaLogEntry): string {
    return this.conditions.get(reply.seq, () => errorCondition(reply));
  }

  label(entry: StanzaLogEntry): string {
    return this.labels.get(entry.seq, () => shortSummary(entry));
  }

  // Search: the matches follow the tree as it refreshes; the current one stays current while shown.

  get search(): Readonly<SearchState> | undefined {
    if (this.searchState) this.snapshot();
    return this.searchState;
  }

  /** Starts a search; returns the first match's seq. */
  find(text: string): number | undefined {
    this.searchState = text ? { text, matches: [], index: -1 } : undefined;
    this.invalidate();
    return this.current();
  }

  /** Moves to the next (+1) or previous (-1) match, wrapping around; returns its seq. */
  step(delta: 1 | -1): number | undefined {
    if (this.searchState) this.snapshot();
    const state = this.searchState;
    if (!state || state.matches.length === 0) return undefined;
    state.index = (state.index + delta + state.matches.length) % state.matches.length;
    return this.current();
  }

  endSearch(): void {
    this.searchState = undefined;
  }

  private current(): number | undefined {
    const state = this.search;
    return state && state.index >= 0 ? state.matches[state.index] : undefined;
  }

  private snapshot(): Snapshot {
    if (this.snapshotCache) return this.snapshotCache;
    const entries = this.log.list();
    // Console groups too: their login (bind) is the session layer's, which the PairBook never sees.
    const derived = derivePairs(entries, this.headers, (id) => this.groupsOf.jid(id) ?? "", (seq) => this.book.pairOf(seq) !== undefined);
    const context = {
      headers: this.headers,
      isUnpaired: (e: StanzaLogEntry) => isUnpaired(e, this.book.pairOf(e.seq) ?? this.opened.get(e.seq) ?? derived.get(e.seq)),
    };
    const hasText = this.filter.text ? textMatcher(this.filter.text) : undefined;
    const visible = this.isFiltered() ? entries.filter((e) => keeps(this.filter, e, context, hasText)) : entries;
    const groups = groupEntries(visible);
    for (const id of this.limits.keys()) if (!groups.has(id)) this.limits.delete(id);
    this.snapshotCache = { groups, visible: visible.length, derived };
    if (this.searchState) this.rematch(this.searchState, groups);
    return this.snapshotCache;
  }

  /** New matches after a refresh; the current match stays current if still shown, else the first. */
  private rematch(state: SearchState, groups: Map<string, StanzaLogEntry[]>): void {
    const currentSeq = state.index >= 0 ? state.matches[state.index] : undefined;
    state.matches = searchMatches(groups, state.text);
    const kept = currentSeq === undefined ? -1 : state.matches.indexOf(currentSeq);
    state.index = kept >= 0 ? kept : state.matches.length > 0 ? 0 : -1;
  }
}

/** Calls `refresh` at most once per `ms`, however many times `schedule` is called meanwhile. */
export class RefreshBatcher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly refresh: () => void,
    private readonly ms = 50,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, this.ms);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
