// The status-bar indicator for the default account: address and NAT marker, a spinner while
// checking, the warning colour and the error sentence after a failure. Clicking re-checks.
import * as vscode from "vscode";
import type { AccountStore } from "./accounts";
import type { CheckService } from "./checkService";
import { errorLabel, errorText } from "./errorActions";
import { endpoint, natMarker, relativeTime } from "./present";
import { affects, SETTINGS, settings } from "./settings";

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("xmppSic.status", vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly accounts: AccountStore,
    private readonly checks: CheckService,
  ) {
    this.item.name = "XMPP IP Check";
    this.item.command = { command: "xmppSic.check", title: "Check External Address" };
    this.subscriptions = [
      this.item,
      accounts.onDidChange(() => this.render()),
      checks.onDidChange(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => affects(e, SETTINGS.statusBarEnabled) && this.render()),
    ];
    this.render();
  }

  render(): void {
    const account = this.accounts.defaultAccount();
    if (!account || !settings.statusBarEnabled()) {
      this.item.hide();
      return;
    }
    const outcome = this.checks.lastResult(account.id);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = false;
    tooltip.appendMarkdown(`**XMPP IP Check** — \`${account.jid}\`\n\n`);
    this.item.backgroundColor = undefined;
    if (this.checks.isChecking(account.id)) {
      this.item.text = "$(sync~spin) Checking…";
      tooltip.appendMarkdown("Asking the server which address it sees…");
    } else if (!outcome) {
      this.item.text = "$(globe) Check address";
      tooltip.appendMarkdown("Not checked yet. Click to ask the server which address it sees.");
    } else if (outcome.ok) {
      const r = outcome.result;
      // The primary family with its port; where both families answered, the other's IP beside it.
      const others = (outcome.families ?? []).flatMap((f) => (f.ok && f.family !== r.address.family ? [f.result] : []));
      this.item.text = `$(globe) ${[endpoint(r.address.ip, r.address.port), ...others.map((o) => o.address.ip)].join(" · ")}${natMarker(r.nat.verdict)}`;
      const rows = [r, ...others].flatMap((x) => [
        `| External (${x.address.family}) | \`${endpoint(x.address.ip, x.address.port)}\` ${x.address.range} |`,
        `| Local (${x.address.family}) | \`${endpoint(x.local.ip, x.local.port)}\` |`,
        `| NAT (${x.address.family}) | ${x.nat.summary} |`,
      ]);
      tooltip.appendMarkdown([`| | |`, `|---|---|`, ...rows, `| Checked | ${relativeTime(r.checkedAt)} |`].join("\n"));
      tooltip.appendMarkdown(`\n\n${escapeMarkdown(r.nat.reason)}\n\n_Click to check again._`);
    } else {
      this.item.text = "$(warning) XMPP check failed";
      this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
      tooltip.appendMarkdown(`**${escapeMarkdown(errorLabel(outcome.error))}**: ${escapeMarkdown(errorText(outcome.error))}\n\n_Click to retry._`);
    }
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `XMPP IP Check: ${this.item.text.replace(/\$\([^)]*\)\s*/g, "")}` };
    this.item.show();
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}
