// The Stanza Log tree, an XML console: checks and console sessions as groups, their redacted
// stanzas in order with a direction icon, a 24-hour time, a short summary and, for requests and
// replies, their pair (✓ result 12 ms, ✗ item-not-found, ⏱ no reply, ↩ disco#info); failures in the
// error colour. The view's description shows dropped entries and an active filter ("10 of 46 ·
// filter: iq"), its message the search ("Match 3 of 17"). What is shown is computed by the
// vscode-free model (stanzaModel.ts); this file only turns it into tree items.
import * as vscode from "vscode";
import type { PairRecord, StanzaLog, StanzaLogEntry } from "../core";
import type { CheckOutcome, CheckService } from "./checkService";
import type { PairBook } from "./console/pairBook";
import { ALL_KINDS, filterDescription, NO_FILTER, type StanzaFilter } from "./stanzaFilter";
import { GROUP_ROWS, RefreshBatcher, StanzaLogModel, type SearchState } from "./stanzaModel";
import { pairText } from "./stanzaPairs";
import { clockTime, clockTimeShort, displayText, isFailure, stanzaContext } from "./stanzaSummary";

export { ALL_KINDS, type StanzaFilter };
/** Tree rows of failed entries carry this scheme, so the decoration provider can colour them. */
const FAILED_ROW_SCHEME = "xmpp-sic-failed-row";

export type StanzaNode = { kind: "check"; checkId: string } | { kind: "entry"; entry: StanzaLogEntry };
/** The row above a group's newest rows that stands for its `count` earlier ones (click: show more). */
export type EarlierNode = { kind: "earlier"; checkId: string; count: number };
/** What the tree holds: groups, stanzas, and "earlier stanzas" rows (which no command takes as a target). */
export type StanzaRow = StanzaNode | EarlierNode;

export function isStanzaNode(value: unknown): value is StanzaNode {
  const node = value as StanzaNode | undefined;
  return (node?.kind === "check" && typeof node.checkId === "string") || (node?.kind === "entry" && typeof node.entry?.seq === "number");
}

export class StanzaView implements vscode.TreeDataProvider<StanzaRow>, vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StanzaRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly model: StanzaLogModel;
  private readonly subscriptions: vscode.Disposable[];
  /** A check or console logs a burst of entries; one refresh per burst keeps the tree cheap. */
  private readonly batcher = new RefreshBatcher(() => this.refresh());
  /** Groups re-opened from JSON Lines files: checkId → the file's name. */
  private readonly opened = new Map<string, string>();
  /** checkId → whether that check succeeded, learned from the outcomes as they arrive. */
  private readonly verdicts = new Map<string, boolean>();

  /** `view`: the tree VS Code shows this in, created at activation (extension.ts) with a stand-in provider that hands over to this one. */
  constructor(
    private readonly log: StanzaLog,
    private readonly checks: CheckService,
    pairs: PairBook,
    private readonly view: vscode.TreeView<StanzaRow>,
  ) {
    this.model = new StanzaLogModel(log, pairs, {
      kind: (id) => checks.checks.get(id)?.kind ?? (checks.checks.has(id) ? "check" : undefined),
      jid: (id) => checks.checks.get(id)?.jid,
    });
    const unsubscribe = log.onEntry(() => this.batcher.schedule());
    this.subscriptions = [
      this.changed,
      { dispose: unsubscribe },
      vscode.window.registerFileDecorationProvider(this),
      pairs.onDidChange(() => this.batcher.schedule()),
      checks.onDidChange(({ accountId, outcome }) => {
        if (outcome) this.recordVerdict(accountId, outcome);
        this.batcher.schedule();
      }),
    ];
  }

  get currentFilter(): StanzaFilter {
    return this.model.filter;
  }

  setFilter(filter: Partial<StanzaFilter>): void {
    this.model.setFilter(filter);
    void vscode.commands.executeCommand("setContext", "xmppSic.stanzaFilterActive", this.isFiltered());
    this.refresh();
  }

  clearFilters(): void {
    this.setFilter(NO_FILTER);
  }

  isFiltered(): boolean {
    return this.model.isFiltered();
  }

  /** "filter: iq, sasl · "bind"": what the filter keeps, for the view and the export message. */
  filterDescription(): string {
    return filterDescription(this.model.filter, vscode.l10n);
  }

  refresh(): void {
    this.model.invalidate();
    const parts: string[] = [];
    if (this.log.dropped > 0) parts.push(vscode.l10n.t("{0} dropped", this.log.dropped.toLocaleString()));
    if (this.isFiltered()) parts.push(vscode.l10n.t("{0} of {1} · {2}", this.model.visibleCount, this.log.list().length, this.filterDescription()));
    this.view.description = parts.length ? parts.join(" · ") : undefined;
    this.showSearch(this.model.search);
    this.changed.fire(undefined);
  }

  /** Entries that pass the filter, oldest first. */
  visibleEntries(): StanzaLogEntry[] {
    return [...this.model.groups.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  entriesOf(checkId: string): StanzaLogEntry[] {
    return this.model.entriesOf(checkId);
  }

  entry(seq: number): StanzaLogEntry | undefined {
    return this.model.entry(seq);
  }

  checkIds(): string[] {
    return this.model.checkIds();
  }

  isConsole(checkId: string): boolean {
    return this.checks.checks.get(checkId)?.kind === "console";
  }

  /** A re-opened transcript's group: its entries are the file's, with its pairs. */
  addOpened(checkId: string, fileName: string, pairs: readonly PairRecord[]): void {
    this.opened.set(checkId, fileName);
    this.model.addOpenedPairs(pairs);
    this.refresh();
  }

  checkLabel(checkId: string): string {
    const file = this.opened.get(checkId);
    if (file !== undefined) return vscode.l10n.t("Opened · {0}", displayText(file, 60));
    const info = this.checks.checks.get(checkId);
    if (!info) return vscode.l10n.t("check {0}", checkId);
    if (info.kind === "console") return vscode.l10n.t("Console · {0} · {1}", info.jid, clockTimeShort(info.startedAt).slice(0, 5));
    return `${info.jid} · ${clockTimeShort(info.startedAt)}`;
  }

  /** true: succeeded, false: failed, undefined: running, a console, or not known (a check from before a restart). */
  verdict(checkId: string): boolean | undefined {
    if (this.isConsole(checkId) || this.opened.has(checkId)) return undefined;
    return this.verdicts.get(checkId) ?? (this.entriesOf(checkId).some(isFailure) ? false : undefined);
  }

  /** Shows a row: its group expanded (and showing that far back), the row selected and focused. */
  async reveal(seq: number): Promise<boolean> {
    const entry = this.model.entry(seq);
    if (!entry) return false;
    const before = this.model.rowsOf(entry.checkId).entries.length;
    if (!this.model.ensureShown(seq)) return false;
    if (this.model.rowsOf(entry.checkId).entries.length !== before) this.changed.fire(undefined);
    await this.view.reveal({ kind: "entry", entry }, { select: true, focus: true, expand: true });
    return true;
  }

  /** The "earlier stanzas" row's action: GROUP_ROWS more of that group. */
  showEarlier(checkId: string): void {
    this.model.showEarlier(checkId);
    this.changed.fire(undefined);
  }

  /** Starts (text) or ends (empty) a search; reveals the first match. */
  async find(text: string): Promise<SearchState | undefined> {
    const first = this.model.find(text);
    void vscode.commands.executeCommand("setContext", "xmppSic.stanzaSearchActive", text !== "");
    this.showSearch(this.model.search);
    if (first !== undefined) await this.reveal(first);
    return this.model.search;
  }

  async step(delta: 1 | -1): Promise<SearchState | undefined> {
    const seq = this.model.step(delta);
    this.showSearch(this.model.search);
    if (seq !== undefined) await this.reveal(seq);
    return this.model.search;
  }

  endSearch(): void {
    this.model.endSearch();
    void vscode.commands.executeCommand("setContext", "xmppSic.stanzaSearchActive", false);
    this.showSearch(undefined);
  }

  getChildren(node?: StanzaRow): StanzaRow[] {
    if (!node) return [...this.model.groups.keys()].map((checkId) => ({ kind: "check", checkId }));
    if (node.kind !== "check") return [];
    const { earlier, entries } = this.model.rowsOf(node.checkId);
    const rows: StanzaRow[] = entries.map((entry) => ({ kind: "entry", entry }));
    return earlier > 0 ? [{ kind: "earlier", checkId: node.checkId, count: earlier }, ...rows] : rows;
  }

  getParent(node: StanzaRow): StanzaRow | undefined {
    if (node.kind === "entry") return { kind: "check", checkId: node.entry.checkId };
    return node.kind === "earlier" ? { kind: "check", checkId: node.checkId } : undefined;
  }

  getTreeItem(node: StanzaRow): vscode.TreeItem {
    if (node.kind === "check") return this.checkItem(node.checkId);
    return node.kind === "earlier" ? this.earlierItem(node) : this.entryItem(node.entry);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== FAILED_ROW_SCHEME) return undefined;
    return { color: new vscode.ThemeColor("errorForeground"), tooltip: vscode.l10n.t("failed") };
  }

  dispose(): void {
    this.batcher.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  private showSearch(state: Readonly<SearchState> | undefined): void {
    if (!state) this.view.message = undefined;
    else if (state.matches.length === 0) this.view.message = vscode.l10n.t("No match for \"{0}\"", state.text);
    else this.view.message = vscode.l10n.t("Match {0} of {1} for \"{2}\"", state.index + 1, state.matches.length, state.text);
  }

  private checkItem(checkId: string): vscode.TreeItem {
    const count = this.model.groups.get(checkId)?.length ?? 0;
    const verdict = this.verdict(checkId);
    const mark = verdict === true ? "✓ " : verdict === false ? "✗ " : "";
    const item = new vscode.TreeItem(`${mark}${this.checkLabel(checkId)}`, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `check:${checkId}`;
    item.description = count === 1 ? vscode.l10n.t("1 stanza") : vscode.l10n.t("{0} stanzas", count);
    item.iconPath = this.groupIcon(checkId, verdict);
    item.tooltip = verdict === false ? vscode.l10n.t("This check failed.") : verdict === true ? vscode.l10n.t("This check succeeded.") : undefined;
    if (verdict === false) item.resourceUri = vscode.Uri.from({ scheme: FAILED_ROW_SCHEME, path: `/check/${checkId}` });
    item.contextValue = this.isConsole(checkId) ? "stanzaConsole" : "stanzaCheck";
    return item;
  }

  private earlierItem(node: EarlierNode): vscode.TreeItem {
    const more = Math.min(node.count, GROUP_ROWS);
    const item = new vscode.TreeItem(node.count === 1 ? vscode.l10n.t("1 earlier stanza") : vscode.l10n.t("{0} earlier stanzas", node.count));
    item.id = `earlier:${node.checkId}`;
    item.description = vscode.l10n.t("click to show {0} more", more);
    item.iconPath = new vscode.ThemeIcon("fold-up");
    item.tooltip = vscode.l10n.t("The newest stanzas of this group are shown. Click to show {0} earlier ones; Find and Export always cover every stanza.", more);
    item.contextValue = "stanzaEarlier";
    item.command = { command: "xmppSic.stanzaLog.showEarlier", title: vscode.l10n.t("Show Earlier Stanzas"), arguments: [node.checkId] };
    return item;
  }

  private groupIcon(checkId: string, verdict: boolean | undefined): vscode.ThemeIcon {
    if (this.isConsole(checkId)) return new vscode.ThemeIcon("terminal");
    if (this.opened.has(checkId)) return new vscode.ThemeIcon("file");
    if (verdict === true) return new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed"));
    if (verdict === false) return new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground"));
    return new vscode.ThemeIcon("list-ordered");
  }

  private entryItem(e: StanzaLogEntry): vscode.TreeItem {
    const failed = isFailure(e);
    const item = new vscode.TreeItem(this.model.label(e));
    const pair = this.model.pairOf(e.seq);
    const paired = pairText(e, { pair, entry: (seq) => this.model.entry(seq), condition: (reply) => this.model.condition(reply), label: (x) => this.model.label(x) }, vscode.l10n);
    item.id = `entry:${e.seq}`;
    // The pair first: the time and kind stay at the end, where a reader looks for them in every row.
    item.description = `${paired ? `${paired} · ` : ""}${clockTime(e.time)} · ${e.kind}`;
    item.iconPath = failed
      ? new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground"))
      : new vscode.ThemeIcon(e.direction === "out" ? "arrow-right" : "arrow-left");
    const sent = e.direction === "out" ? vscode.l10n.t("Sent") : vscode.l10n.t("Received");
    item.tooltip = `${sent} ${e.kind} · ${clockTime(e.time)}${paired ? ` · ${paired}` : ""}\n${displayText(e.summary, 200)}`;
    if (failed) item.resourceUri = vscode.Uri.from({ scheme: FAILED_ROW_SCHEME, path: `/entry/${e.seq}` });
    item.contextValue = stanzaContext(e, this.model.partnerOf(e.seq) !== undefined && this.model.entry(this.model.partnerOf(e.seq)!) !== undefined);
    item.command = { command: "xmppSic.stanzaLog.open", title: vscode.l10n.t("Open Stanza"), arguments: [e.seq] };
    return item;
  }

  /** The outcome belongs to the account's newest check (a kept session's re-check logs under its first one). */
  private recordVerdict(accountId: string, outcome: CheckOutcome): void {
    if (outcome.ok) {
      this.verdicts.set(outcome.result.checkId, true);
      return;
    }
    let newest: [string, number] | undefined;
    for (const [id, info] of this.checks.checks) {
      if (info.accountId === accountId && info.kind !== "console" && (!newest || info.startedAt >= newest[1])) newest = [id, info.startedAt];
    }
    if (newest) this.verdicts.set(newest[0], false);
  }
}
