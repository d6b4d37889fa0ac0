// The Results tree: one node per account with its last outcome; its children are the facts of
// that outcome (or the error sentence with a Retry action).
import * as vscode from "vscode";
import type { CheckResult } from "../core";
import type { Account, AccountStore } from "./accounts";
import type { CheckOutcome, CheckService } from "./checkService";
import { endpoint, natIcon, relativeTime } from "./present";

export type ResultNode =
  | { kind: "account"; account: Account }
  | { kind: "fact"; label: string; value: string; icon: string | vscode.ThemeIcon; tooltip?: string | vscode.MarkdownString }
  | { kind: "error"; account: Account; code: string; message: string };

export class ResultsView implements vscode.TreeDataProvider<ResultNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ResultNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly accounts: AccountStore,
    private readonly checks: CheckService,
  ) {
    this.subscriptions = [
      this.changed,
      accounts.onDidChange(() => this.changed.fire(undefined)),
      checks.onDidChange(() => this.changed.fire(undefined)),
    ];
  }

  getChildren(node?: ResultNode): ResultNode[] {
    if (!node) return this.accounts.list().map((account) => ({ kind: "account", account }));
    if (node.kind !== "account") return [];
    const outcome = this.checks.lastResult(node.account.id);
    if (!outcome) return [];
    return outcome.ok ? facts(outcome.result) : [{ kind: "error", account: node.account, code: outcome.error.code, message: outcome.error.message }];
  }

  getTreeItem(node: ResultNode): vscode.TreeItem {
    switch (node.kind) {
      case "account":
        return this.accountItem(node.account);
      case "fact": {
        const item = new vscode.TreeItem(node.label);
        item.description = node.value;
        item.iconPath = typeof node.icon === "string" ? new vscode.ThemeIcon(node.icon) : node.icon;
        item.tooltip = node.tooltip ?? `${node.label}: ${node.value}`;
        item.contextValue = "fact";
        return item;
      }
      case "error": {
        const item = new vscode.TreeItem(`Failed: ${node.code}`);
        item.description = node.message;
        item.tooltip = new vscode.MarkdownString(`**${node.code}**\n\n${node.message}`);
        item.iconPath = new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground"));
        item.contextValue = "checkError";
        return item;
      }
    }
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  private accountItem(account: Account): vscode.TreeItem {
    const outcome = this.checks.lastResult(account.id);
    const isDefault = this.accounts.defaultAccount()?.id === account.id;
    const item = new vscode.TreeItem(account.jid, outcome ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `account:${account.id}`;
    item.description = this.checks.isChecking(account.id) ? "checking…" : summary(outcome);
    item.iconPath = this.checks.isChecking(account.id)
      ? new vscode.ThemeIcon("sync~spin")
      : new vscode.ThemeIcon(isDefault ? "star-full" : "account");
    item.tooltip = `${account.jid}${isDefault ? " (default)" : ""}\n${account.host ?? "domain"}:${account.port ?? "default port"}, ${account.tls ?? "TLS as SRV says"}`;
    item.contextValue = outcome?.ok ? "account.withResult" : "account";
    return item;
  }
}

function summary(outcome: CheckOutcome | undefined): string {
  if (!outcome) return "not checked";
  if (!outcome.ok) return `failed: ${outcome.error.code}`;
  const r = outcome.result;
  return `${endpoint(r.address.ip, r.address.port)} · ${r.nat.summary}`;
}

function facts(r: CheckResult): ResultNode[] {
  const t = r.timingsMs;
  const nat = new vscode.MarkdownString();
  nat.appendText(r.nat.reason);
  return [
    { kind: "fact", label: "IP", value: r.address.ip, icon: "globe" },
    { kind: "fact", label: "Port", value: r.address.port === null ? "not reported (sic:0)" : String(r.address.port), icon: "plug" },
    { kind: "fact", label: "Family", value: `${r.address.family}, ${r.address.range}`, icon: "symbol-enum" },
    { kind: "fact", label: "NAT", value: r.nat.summary, icon: natIcon(r.nat.verdict), tooltip: nat },
    { kind: "fact", label: "Local address", value: endpoint(r.local.ip, r.local.port), icon: "device-desktop" },
    {
      kind: "fact",
      label: "Server",
      value: `${endpoint(r.server.host, r.server.port)} (${r.server.ip}), ${r.server.tls}${r.server.tlsProtocol ? ` ${r.server.tlsProtocol}` : ""}`,
      icon: "server",
      tooltip: `Certificate SHA-256: ${r.server.certificate ?? "none"}\nLogin: ${r.server.mechanism}`,
    },
    { kind: "fact", label: "Namespace", value: r.namespace, icon: "symbol-namespace", tooltip: `Query: ${r.query}` },
    {
      kind: "fact",
      label: "Timings",
      value: `${t.total} ms`,
      icon: "watch",
      tooltip: `connect ${t.connect} ms, TLS ${t.tls} ms, login ${t.auth} ms, query ${t.query} ms`,
    },
    { kind: "fact", label: "Checked", value: relativeTime(r.checkedAt), icon: "history", tooltip: r.checkedAt },
  ];
}
