// What the Stanza Log keeps and how it orders it, as pure functions over the log's entries (no
// `vscode`, so unit tests and the bench run them as the view does): the filter (kinds, text,
// direction, JID, unpaired only), the groups (newest first, entries oldest first), the search's
// matches in tree order, and the to/from/id/type of each entry's first tag, parsed once per seq.
import type { StanzaKind, StanzaLogEntry } from "../core";

export const ALL_KINDS: readonly StanzaKind[] = ["stream", "tls", "sasl", "iq", "message", "presence", "other"];

export type DirectionFilter = "all" | "in" | "out";

export interface StanzaFilter {
  kinds: ReadonlySet<StanzaKind>;
  text: string;
  direction: DirectionFilter;
  /** Kept when the entry's `to` or `from` contains it (case-insensitive); empty: every entry. */
  jid: string;
  /** Only requests that got no reply (none yet, ⏱ no reply, or given up). */
  unpairedOnly: boolean;
}

export const NO_FILTER: StanzaFilter = { kinds: new Set(ALL_KINDS), text: "", direction: "all", jid: "", unpairedOnly: false };

/** vscode.l10n's shape: the shell passes vscode.l10n, tests and the bench the English texts. */
export interface L10n {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

export const englishL10n: L10n = { t: (message, ...args) => message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };

export function isFiltered(f: StanzaFilter): boolean {
  return f.text !== "" || f.kinds.size !== ALL_KINDS.length || f.direction !== "all" || f.jid !== "" || f.unpairedOnly;
}

/** "filter: iq, sasl · received · JID "bob" · unpaired · "bind"": what the filter keeps. */
export function filterDescription(f: StanzaFilter, l10n: L10n): string {
  const parts: string[] = [];
  if (f.kinds.size !== ALL_KINDS.length) parts.push(ALL_KINDS.filter((k) => f.kinds.has(k)).join(", ") || l10n.t("no kinds"));
  if (f.direction === "in") parts.push(l10n.t("received"));
  if (f.direction === "out") parts.push(l10n.t("sent"));
  if (f.jid) parts.push(l10n.t("JID \"{0}\"", f.jid));
  if (f.unpairedOnly) parts.push(l10n.t("unpaired"));
  if (f.text) parts.push(`"${f.text}"`);
  return parts.length ? l10n.t("filter: {0}", parts.join(" · ")) : "";
}

/** The attributes of an entry's first tag that the filters and pairing read. */
export interface StanzaHeader {
  to?: string;
  from?: string;
  id?: string;
  type?: string;
}

const OPEN_TAG = /^\s*<[^\s>/!?]+((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/;
const ATTRIBUTE = /([^\s=>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
/** A first tag longer than this is not read (a hostile attribute wall costs nothing). */
const MAX_TAG = 4096;

export function headerOf(xml: string): StanzaHeader {
  const tag = OPEN_TAG.exec(xml.slice(0, MAX_TAG));
  const header: StanzaHeader = {};
  if (!tag) return header;
  for (const [, name, double, single] of tag[1]!.matchAll(ATTRIBUTE)) {
    if (name === "to" || name === "from" || name === "id" || name === "type") {
      header[name] = (double ?? single ?? "").replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!);
    }
  }
  return header;
}

/** A value computed once per seq; bounded, the oldest seq forgotten first (seqs only grow). */
export class SeqCache<T> {
  private readonly bySeq = new Map<number, T>();

  constructor(private readonly max = 20_000) {}

  get(seq: number, compute: () => T): T {
    let value = this.bySeq.get(seq);
    if (value === undefined) {
      value = compute();
      this.bySeq.set(seq, value);
      if (this.bySeq.size > this.max) this.bySeq.delete(this.bySeq.keys().next().value!);
    }
    return value;
  }
}

/** headerOf() once per seq. */
export class HeaderCache {
  private readonly cache: SeqCache<StanzaHeader>;

  constructor(max?: number) {
    this.cache = new SeqCache(max);
  }

  of(entry: Pick<StanzaLogEntry, "seq" | "xml">): StanzaHeader {
    return this.cache.get(entry.seq, () => headerOf(entry.xml));
  }
}

export interface FilterContext {
  headers: HeaderCache;
  /** Whether an entry is a request that has no reply (see stanzaPairs.ts). */
  isUnpaired(entry: StanzaLogEntry): boolean;
}

/** A case-insensitive "contains" that copies no text (a lower-cased copy of every XML per refresh is what a flood cannot afford). */
export function textMatcher(text: string): (e: StanzaLogEntry) => boolean {
  const pattern = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "iu");
  return (e) => pattern.test(e.summary) || pattern.test(e.xml);
}

/** Cheap tests first; the text (the whole XML) last. */
export function keeps(f: StanzaFilter, e: StanzaLogEntry, ctx: FilterContext, hasText = f.text ? textMatcher(f.text) : undefined): boolean {
  if (!f.kinds.has(e.kind)) return false;
  if (f.direction !== "all" && e.direction !== f.direction) return false;
  if (f.jid) {
    const { to, from } = ctx.headers.of(e);
    const jid = f.jid.toLowerCase();
    if (!to?.toLowerCase().includes(jid) && !from?.toLowerCase().includes(jid)) return false;
  }
  if (f.unpairedOnly && !ctx.isUnpaired(e)) return false;
  return !hasText || hasText(e);
}

/** Entries per group: the group with the newest entry first, entries oldest first within. */
export function groupEntries(entries: readonly StanzaLogEntry[]): Map<string, StanzaLogEntry[]> {
  const groups = new Map<string, StanzaLogEntry[]>();
  const newest = new Map<string, number>();
  entries.forEach((e, i) => {
    const group = groups.get(e.checkId);
    if (group) group.push(e);
    else groups.set(e.checkId, [e]);
    newest.set(e.checkId, i);
  });
  const order = [...groups.keys()].sort((a, b) => newest.get(b)! - newest.get(a)!);
  return new Map(order.map((id) => [id, groups.get(id)!]));
}

/** The seqs of the shown entries whose summary or XML contains the text, in the tree's order. */
export function searchMatches(groups: ReadonlyMap<string, readonly StanzaLogEntry[]>, text: string): number[] {
  const seqs: number[] = [];
  if (!text) return seqs;
  const matches = textMatcher(text);
  for (const group of groups.values()) for (const e of group) if (matches(e)) seqs.push(e.seq);
  return seqs;
}
