// The Stanza Log tree, an XML console: checks as groups, their redacted stanzas in order with a
// direction icon, time and one-line summary; clicking one opens its XML read-only, pretty-printed.
import * as vscode from "vscode";
import { prettyXml, type StanzaKind, type StanzaLog, type StanzaLogEntry } from "../core";
import type { CheckService } from "./checkService";

export const STANZA_SCHEME = "xmpp-sic-stanza";
export const ALL_KINDS: readonly StanzaKind[] = ["stream", "tls", "sasl", "iq", "message", "presence", "other"];

export type StanzaNode = { kind: "check"; checkId: string } | { kind: "entry"; entry: StanzaLogEntry };

export interface StanzaFilter {
  kinds: ReadonlySet<StanzaKind>;
  text: string;
}

export class StanzaView implements vscode.TreeDataProvider<StanzaNode>, vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StanzaNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private filter: StanzaFilter = { kinds: new Set(ALL_KINDS), text: "" };
  private readonly subscriptions: vscode.Disposable[];
  private refreshTimer: NodeJS.Timeout | undefined;
  private groups: Map<string, StanzaLogEntry[]> | undefined;

  constructor(
    private readonly log: StanzaLog,
    private readonly checks: CheckService,
  ) {
    const unsubscribe = log.onEntry(() => this.scheduleRefresh());
    this.subscriptions = [this.changed, { dispose: unsubscribe }, checks.onDidChange(() => this.scheduleRefresh())];
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

  refresh(): void {
    this.groups = undefined;
    this.changed.fire(undefined);
  }

  /** Entries that pass the filter, oldest first. */
  visibleEntries(): StanzaLogEntry[] {
    const text = this.filter.text.toLowerCase();
    return this.log
      .list()
      .filter((e) => this.filter.kinds.has(e.kind) && (!text || e.summary.toLowerCase().includes(text) || e.xml.toLowerCase().includes(text)));
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
    return info ? `${info.jid} · ${new Date(info.startedAt).toLocaleTimeString()}` : `check ${checkId}`;
  }

  getChildren(node?: StanzaNode): StanzaNode[] {
    if (!node) return [...this.byCheck().keys()].map((checkId) => ({ kind: "check", checkId }));
    if (node.kind === "check") return (this.byCheck().get(node.checkId) ?? []).map((entry) => ({ kind: "entry", entry }));
    return [];
  }

  getTreeItem(node: StanzaNode): vscode.TreeItem {
    if (node.kind === "check") {
      const count = this.byCheck().get(node.checkId)?.length ?? 0;
      const item = new vscode.TreeItem(this.checkLabel(node.checkId), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `check:${node.checkId}`;
      item.description = `${count} stanza${count === 1 ? "" : "s"}`;
      item.iconPath = new vscode.ThemeIcon("list-ordered");
      item.contextValue = "stanzaCheck";
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(e.summary);
    item.id = `entry:${e.seq}`;
    item.description = timeOf(e.time);
    item.iconPath = new vscode.ThemeIcon(e.direction === "out" ? "arrow-right" : "arrow-left");
    item.tooltip = `${e.direction === "out" ? "Sent" : "Received"} ${e.kind} at ${new Date(e.time).toISOString()}`;
    item.contextValue = "stanza";
    item.command = { command: "xmppSic.stanzaLog.open", title: "Open Stanza", arguments: [e.seq] };
    return item;
  }

  uriFor(seq: number): vscode.Uri {
    const entry = this.log.list().find((e) => e.seq === seq);
    const name = entry ? entry.summary.replace(/[^\w.:-]+/g, "-").slice(0, 40) : "missing";
    return vscode.Uri.from({ scheme: STANZA_SCHEME, path: `/${seq}-${name}.xml` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const seq = Number(/^\/(\d+)-/.exec(uri.path)?.[1]);
    const entry = this.log.list().find((e) => e.seq === seq);
    if (!entry) return "<!-- This stanza has left the bounded log. -->\n";
    const header = `<!-- ${entry.direction === "out" ? "sent" : "received"} ${new Date(entry.time).toISOString()} · ${this.checkLabel(entry.checkId)} · redacted -->`;
    return `${header}\n${prettyXml(entry.xml)}\n`;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    vscode.Disposable.from(...this.subscriptions).dispose();
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

function timeOf(ms: number): string {
  const d = new Date(ms);
  return `${d.toLocaleTimeString()}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}
