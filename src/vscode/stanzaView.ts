// The Stanza Log tree, an XML console: checks as groups (✓ or ✗), their redacted stanzas in order
// with a direction icon, a 24-hour time and a short summary; failures in the error colour. The
// view's description shows an active filter ("10 of 46 · filter: iq"). Clicking a stanza opens
// its XML read-only (stanzaDocuments.ts).
import * as vscode from "vscode";
import type { StanzaKind, StanzaLog, StanzaLogEntry } from "../core";
import type { CheckOutcome, CheckService } from "./checkService";
import { clockTime, clockTimeShort, displayText, isFailure, shortSummary } from "./stanzaSummary";

export const ALL_KINDS: readonly StanzaKind[] = ["stream", "tls", "sasl", "iq", "message", "presence", "other"];
export const STANZA_VIEW_ID = "xmppSic.stanzaLog";
/** Tree rows of failed entries carry this scheme, so the decoration provider can colour them. */
const FAILED_ROW_SCHEME = "xmpp-sic-failed-row";

export type StanzaNode = { kind: "check"; checkId: string } | { kind: "entry"; entry: StanzaLogEntry };

export interface StanzaFilter {
  kinds: ReadonlySet<StanzaKind>;
  text: string;
}

export function isStanzaNode(value: unknown): value is StanzaNode {
  const node = value as StanzaNode | undefined;
  return (node?.kind === "check" && typeof node.checkId === "string") || (node?.kind === "entry" && typeof node.entry?.seq === "number");
}

export class StanzaView implements vscode.TreeDataProvider<StanzaNode>, vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StanzaNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private filter: StanzaFilter = { kinds: new Set(ALL_KINDS), text: "" };
  private readonly subscriptions: vscode.Disposable[];
  private refreshTimer: NodeJS.Timeout | undefined;
  private groups: Map<string, StanzaLogEntry[]> | undefined;
  /** checkId → whether that check succeeded, learned from the outcomes as they arrive. */
  private readonly verdicts = new Map<string, boolean>();
  private readonly view: vscode.TreeView<StanzaNode>;

  constructor(
    private readonly log: StanzaLog,
    private readonly checks: CheckService,
  ) {
    const unsubscribe = log.onEntry(() => this.scheduleRefresh());
    this.view = vscode.window.createTreeView(STANZA_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions = [
      this.changed,
      this.view,
      { dispose: unsubscribe },
      vscode.window.registerFileDecorationProvider(this),
      checks.onDidChange(({ accountId, outcome }) => {
        if (outcome) this.recordVerdict(accountId, outcome);
        this.scheduleRefresh();
      }),
    ];
  }

  get currentFilter(): StanzaFilter {
    return this.filter;
  }

  setFilter(filter: Partial<StanzaFilter>): void {
    this.filter = { ...this.filter, ...filter };
    void vscode.commands.executeCommand("setContext", "xmppSic.stanzaFilterActive", this.isFiltered());
    this.refresh();
  }

  isFiltered(): boolean {
    return this.filter.text !== "" || this.filter.kinds.size !== ALL_KINDS.length;
  }

  /** "filter: iq, sasl · "bind"": what the filter keeps, for the view and the export message. */
  filterDescription(): string {
    const parts: string[] = [];
    if (this.filter.kinds.size !== ALL_KINDS.length) parts.push(ALL_KINDS.filter((k) => this.filter.kinds.has(k)).join(", ") || vscode.l10n.t("no kinds"));
    if (this.filter.text) parts.push(`"${this.filter.text}"`);
    return parts.length ? vscode.l10n.t("filter: {0}", parts.join(" · ")) : "";
  }

  refresh(): void {
    this.groups = undefined;
    this.view.description = this.isFiltered()
      ? vscode.l10n.t("{0} of {1} · {2}", this.visibleEntries().length, this.log.list().length, this.filterDescription())
      : undefined;
    this.changed.fire(undefined);
  }

  /** Entries that pass the filter, oldest first. */
  visibleEntries(): StanzaLogEntry[] {
    const text = this.filter.text.toLowerCase();
    return this.log
      .list()
      .filter((e) => this.filter.kinds.has(e.kind) && (!text || e.summary.toLowerCase().includes(text) || e.xml.toLowerCase().includes(text)));
  }

  /** Every entry of one check, filtered or not, oldest first. */
  entriesOf(checkId: string): StanzaLogEntry[] {
    return this.log.list().filter((e) => e.checkId === checkId);
  }

  entry(seq: number): StanzaLogEntry | undefined {
    return this.log.list().find((e) => e.seq === seq);
  }

  /** The checks in the log, newest first. */
  checkIds(): string[] {
    return [...new Set(this.log.list().map((e) => e.checkId))].reverse();
  }

  /** Visible entries per check, newest check first; built once per refresh, not per tree node. */
  private byCheck(): Map<string, StanzaLogEntry[]> {
    if (!this.groups) {
      const groups = new Map<string, StanzaLogEntry[]>();
      for (const e of this.visibleEntries().reverse()) {
        const group = groups.get(e.checkId);
        if (group) group.push(e);
        else groups.set(e.checkId, [e]);
      }
      for (const group of groups.values()) group.reverse(); // oldest first within a check
      this.groups = groups;
    }
    return this.groups;
  }

  checkLabel(checkId: string): string {
    const info = this.checks.checks.get(checkId);
    return info ? `${info.jid} · ${clockTimeShort(info.startedAt)}` : vscode.l10n.t("check {0}", checkId);
  }

  /** true: succeeded, false: failed, undefined: running or not known (a check from before a restart). */
  verdict(checkId: string): boolean | undefined {
    return this.verdicts.get(checkId) ?? (this.entriesOf(checkId).some(isFailure) ? false : undefined);
  }

  getChildren(node?: StanzaNode): StanzaNode[] {
    if (!node) return [...this.byCheck().keys()].map((checkId) => ({ kind: "check", checkId }));
    if (node.kind === "check") return (this.byCheck().get(node.checkId) ?? []).map((entry) => ({ kind: "entry", entry }));
    return [];
  }

  getParent(node: StanzaNode): StanzaNode | undefined {
    return node.kind === "entry" ? { kind: "check", checkId: node.entry.checkId } : undefined;
  }

  getTreeItem(node: StanzaNode): vscode.TreeItem {
    return node.kind === "check" ? this.checkItem(node.checkId) : this.entryItem(node.entry);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== FAILED_ROW_SCHEME) return undefined;
    return { color: new vscode.ThemeColor("errorForeground"), tooltip: vscode.l10n.t("failed") };
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  private checkItem(checkId: string): vscode.TreeItem {
    const count = this.byCheck().get(checkId)?.length ?? 0;
    const verdict = this.verdict(checkId);
    const mark = verdict === true ? "✓ " : verdict === false ? "✗ " : "";
    const item = new vscode.TreeItem(`${mark}${this.checkLabel(checkId)}`, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `check:${checkId}`;
    item.description = count === 1 ? vscode.l10n.t("1 stanza") : vscode.l10n.t("{0} stanzas", count);
    item.iconPath =
      verdict === true
        ? new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed"))
        : verdict === false
          ? new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground"))
          : new vscode.ThemeIcon("list-ordered");
    item.tooltip = verdict === false ? vscode.l10n.t("This check failed.") : verdict === true ? vscode.l10n.t("This check succeeded.") : undefined;
    if (verdict === false) item.resourceUri = vscode.Uri.from({ scheme: FAILED_ROW_SCHEME, path: `/check/${checkId}` });
    item.contextValue = "stanzaCheck";
    return item;
  }

  private entryItem(e: StanzaLogEntry): vscode.TreeItem {
    const failed = isFailure(e);
    const item = new vscode.TreeItem(shortSummary(e));
    item.id = `entry:${e.seq}`;
    item.description = `${clockTime(e.time)} · ${e.kind}`;
    item.iconPath = failed
      ? new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground"))
      : new vscode.ThemeIcon(e.direction === "out" ? "arrow-right" : "arrow-left");
    const sent = e.direction === "out" ? vscode.l10n.t("Sent") : vscode.l10n.t("Received");
    item.tooltip = `${sent} ${e.kind} · ${clockTime(e.time)}\n${displayText(e.summary, 200)}`;
    if (failed) item.resourceUri = vscode.Uri.from({ scheme: FAILED_ROW_SCHEME, path: `/entry/${e.seq}` });
    item.contextValue = "stanza";
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
      if (info.accountId === accountId && (!newest || info.startedAt >= newest[1])) newest = [id, info.startedAt];
    }
    if (newest) this.verdicts.set(newest[0], false);
  }

  /** A check logs a burst of entries; one refresh per burst keeps the tree cheap. */
  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, 50);
  }
}
