// The Results tree: one node per account with its last outcome. Its children are the facts of that
// outcome, or, when families were checked side by side, one node per family (its address, NAT
// hint or error) and then what they share. A failure reads as a label and the full sentence.
// Where a check took a UDP picture, its UDP and Candidates nodes follow the address (results/).
import * as vscode from "vscode";
import type { CheckResult } from "../core";
import type { Account, AccountStore } from "./accounts";
import type { CheckService } from "./checkService";
import { errorLabel, errorText } from "./errorActions";
import type { CheckOutcome, FamilyResult, StoredError } from "./outcome";
import { endpoint, natIcon, relativeTime } from "./present";
import type { Fact, ResultNode } from "./results/nodes";
import { candidateChildren, candidatesItem, udpChildren, udpItem, udpNodes } from "./results/udpNodes";

export type { Fact, ResultNode } from "./results/nodes";

/** How often relative times ("3 min ago") are refreshed while the view is visible. */
const CLOCK_MS = 30_000;

export class ResultsView implements vscode.TreeDataProvider<ResultNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ResultNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private clock: NodeJS.Timeout | undefined;

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

  /** Keeps "Checked just now" true: redraws every 30 s while `view` is visible. */
  watch(view: vscode.TreeView<ResultNode>): void {
    const tick = () => {
      clearInterval(this.clock);
      this.clock = view.visible ? setInterval(() => this.changed.fire(undefined), CLOCK_MS) : undefined;
      if (view.visible) this.changed.fire(undefined);
    };
    this.subscriptions.push(view.onDidChangeVisibility(tick));
    tick();
  }

  getChildren(node?: ResultNode): ResultNode[] {
    if (!node) return this.accounts.list().map((account) => ({ kind: "account", account }));
    if (node.kind === "family") return node.family.ok ? addressFacts(node.account, node.family.result) : [{ kind: "error", account: node.account, error: node.family.error }];
    if (node.kind === "udp") return node.result.udp ? udpChildren(node.account, node.result.udp) : [];
    if (node.kind === "candidates") return candidateChildren(node.account, node.result);
    if (node.kind !== "account") return [];
    const outcome = this.checks.lastResult(node.account.id);
    if (!outcome) return [];
    const account = node.account;
    if (outcome.families) {
      const shared = outcome.families.find((f) => f.ok);
      return [...outcome.families.map((family): ResultNode => ({ kind: "family", account, family })), ...(shared?.ok ? sharedFacts(account, shared.result, outcome) : [])];
    }
    return outcome.ok ? [...addressFacts(account, outcome.result), ...sharedFacts(account, outcome.result, outcome)] : [{ kind: "error", account, error: outcome.error }];
  }

  getTreeItem(node: ResultNode): vscode.TreeItem {
    switch (node.kind) {
      case "account":
        return this.accountItem(node.account);
      case "family":
        return familyItem(node.family);
      case "fact": {
        const item = new vscode.TreeItem(node.label);
        item.description = node.value;
        item.iconPath = typeof node.icon === "string" ? new vscode.ThemeIcon(node.icon) : node.icon;
        item.tooltip = node.tooltip ?? `${node.label}: ${node.value}`;
        item.contextValue = node.result ? "fact.address" : "fact";
        return item;
      }
      case "error":
        return errorItem(node.error);
      case "udp":
        return udpItem(node.result.udp!);
      case "candidates":
        return candidatesItem(node.result);
    }
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    clearInterval(this.clock);
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  private accountItem(account: Account): vscode.TreeItem {
    const outcome = this.checks.lastResult(account.id);
    const isDefault = this.accounts.defaultAccount()?.id === account.id;
    const item = new vscode.TreeItem(account.jid, outcome ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // A new id when the outcome's kind changes, so the first result (or a new failure) arrives
    // expanded rather than in the state the row had before it had children.
    item.id = `account:${account.id}:${outcome ? (outcome.ok ? "ok" : "failed") : "new"}`;
    const checking = this.checks.isChecking(account.id);
    item.description = checking ? vscode.l10n.t("checking…") : summary(outcome);
    item.iconPath = checking
      ? new vscode.ThemeIcon("sync~spin")
      : outcome && !outcome.ok
        ? new vscode.ThemeIcon("warning", new vscode.ThemeColor("list.warningForeground"))
        : new vscode.ThemeIcon(isDefault ? "star-full" : "account");
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(vscode.l10n.t("{0}{1}\n{2}:{3}, {4}", account.jid, isDefault ? vscode.l10n.t(" (default)") : "", account.host ?? vscode.l10n.t("the JID's domain"), account.port ?? vscode.l10n.t("usual port"), account.tls ?? vscode.l10n.t("TLS as SRV says")));
    if (outcome && !outcome.ok) tooltip.appendMarkdown("\n\n---\n\n").appendText(errorText(outcome.error));
    item.tooltip = tooltip;
    item.contextValue = outcome?.ok ? "account.withResult" : "account";
    return item;
  }
}

function summary(outcome: CheckOutcome | undefined): string {
  if (!outcome) return vscode.l10n.t("not checked");
  if (!outcome.ok) return errorLabel(outcome.error);
  const r = outcome.result;
  const others = (outcome.families ?? []).filter((f) => f.family !== r.address.family).map((f) => (f.ok ? f.result.address.ip : `${f.family} ${errorLabel(f.error).toLowerCase()}`));
  return [`${endpoint(r.address.ip, r.address.port)}`, ...others, r.nat.summary].join(" · ");
}

function familyItem(f: FamilyResult): vscode.TreeItem {
  const item = new vscode.TreeItem(f.family, vscode.TreeItemCollapsibleState.Expanded);
  if (f.ok) {
    const r = f.result;
    item.description = `${endpoint(r.address.ip, r.address.port)} · ${r.nat.summary}`;
    item.iconPath = natIcon(r.nat.verdict);
    item.tooltip = `${f.family}: ${endpoint(r.address.ip, r.address.port)} (${r.address.range})\n${r.nat.reason}`;
    item.contextValue = "family.withResult";
  } else {
    item.description = errorLabel(f.error);
    item.iconPath = new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground"));
    item.tooltip = errorText(f.error);
    item.contextValue = "family.failed";
  }
  return item;
}

function errorItem(error: StoredError): vscode.TreeItem {
  const item = new vscode.TreeItem(errorLabel(error));
  item.description = error.message;
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${errorLabel(error)}** (\`${error.code}\`)\n\n`).appendText(errorText(error));
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground"));
  item.contextValue = "checkError";
  return item;
}

function addressFacts(account: Account, r: CheckResult): ResultNode[] {
  const nat = new vscode.MarkdownString();
  nat.appendText(r.nat.reason);
  return [
    { kind: "fact", account, label: "IP", value: r.address.ip, icon: "globe", result: r },
    { kind: "fact", account, label: vscode.l10n.t("Port"), value: r.address.port === null ? vscode.l10n.t("not reported (sic:0)") : String(r.address.port), icon: "plug", result: r },
    { kind: "fact", account, label: vscode.l10n.t("Family"), value: `${r.address.family}, ${r.address.range}`, icon: "symbol-enum" },
    { kind: "fact", account, label: "NAT", value: r.nat.summary, icon: natIcon(r.nat.verdict), tooltip: nat },
    { kind: "fact", account, label: vscode.l10n.t("Local address"), value: endpoint(r.local.ip, r.local.port), icon: "device-desktop" },
    ...udpNodes(account, r),
  ];
}

function sharedFacts(account: Account, r: CheckResult, outcome: CheckOutcome): Fact[] {
  const t = r.timingsMs;
  const at = outcome.ok ? outcome.result.checkedAt : outcome.at;
  return [
    {
      kind: "fact",
      account,
      label: vscode.l10n.t("Server"),
      value: `${endpoint(r.server.host, r.server.port)} (${r.server.ip}), ${r.server.tls}${r.server.tlsProtocol ? ` ${r.server.tlsProtocol}` : ""}`,
      icon: "server",
      tooltip: vscode.l10n.t("Certificate SHA-256: {0}\nLogin: {1}", r.server.certificate ?? vscode.l10n.t("none"), r.server.mechanism),
    },
    { kind: "fact", account, label: vscode.l10n.t("Namespace"), value: r.namespace, icon: "symbol-namespace", tooltip: vscode.l10n.t("Query: {0}", r.query) },
    { kind: "fact", account, label: vscode.l10n.t("Timings"), value: vscode.l10n.t("{0} ms", t.total), icon: "watch", tooltip: vscode.l10n.t("connect {0} ms, TLS {1} ms, login {2} ms, query {3} ms", t.connect, t.tls, t.auth, t.query) },
    { kind: "fact", account, label: vscode.l10n.t("Checked"), value: relativeTime(at), icon: "history", tooltip: new Date(at).toString() },
  ];
}
