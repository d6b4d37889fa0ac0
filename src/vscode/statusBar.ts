// The status-bar indicator for the default account: address and NAT marker, a spinner while
// checking, the warning colour and the error sentence after a failure. Clicking re-checks.
import * as vscode from "vscode";
import type { AccountStore } from "./accounts";
import type { CheckService } from "./checkService";
import { errorLabel, errorText } from "./errorActions";
import { endpoint, natMarker, relativeTime } from "./present";
import { verdictText } from "./results/udpPresent";
import { affects, SETTINGS, settings } from "./settings";

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("xmppSic.status", vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly accounts: AccountStore,
    private readonly checks: CheckService,
  ) {
    this.item.name = vscode.l10n.t("XMPP IP Check");
    this.item.command = { command: "xmppSic.check", title: vscode.l10n.t("Check External Address") };
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
    tooltip.appendMarkdown(vscode.l10n.t("**XMPP IP Check** — `{0}`\n\n", account.jid));
    this.item.backgroundColor = undefined;
    if (this.checks.isChecking(account.id)) {
      this.item.text = vscode.l10n.t("$(sync~spin) Checking…");
      tooltip.appendMarkdown(vscode.l10n.t("Asking the server which address it sees…"));
    } else if (!outcome) {
      this.item.text = vscode.l10n.t("$(globe) Check address");
      tooltip.appendMarkdown(vscode.l10n.t("Not checked yet. Click to ask the server which address it sees."));
    } else if (outcome.ok) {
      const r = outcome.result;
      // The primary family with its port; where both families answered, the other's IP beside it.
      const others = (outcome.families ?? []).flatMap((f) => (f.ok && f.family !== r.address.family ? [f.result] : []));
      this.item.text = `$(globe) ${[endpoint(r.address.ip, r.address.port), ...others.map((o) => o.address.ip)].join(" · ")}${natMarker(r.nat.verdict)}`;
      const rows = [r, ...others].flatMap((x) => [
        vscode.l10n.t("| External ({0}) | `{1}` {2} |", x.address.family, endpoint(x.address.ip, x.address.port), x.address.range),
        vscode.l10n.t("| Local ({0}) | `{1}` |", x.address.family, endpoint(x.local.ip, x.local.port)),
        vscode.l10n.t("| NAT ({0}) | {1} |", x.address.family, x.nat.summary),
        ...(x.udp ? [vscode.l10n.t("| UDP ({0}) | {1} |", x.address.family, escapeMarkdown(verdictText(x.udp.mapping.verdict)))] : []),
      ]);
      tooltip.appendMarkdown([`| | |`, `|---|---|`, ...rows, vscode.l10n.t("| Checked | {0} |", relativeTime(r.checkedAt))].join("\n"));
      tooltip.appendMarkdown(vscode.l10n.t("\n\n{0}\n\n_Click to check again._", escapeMarkdown(r.nat.reason)));
    } else {
      this.item.text = vscode.l10n.t("$(warning) XMPP check failed");
      this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
      tooltip.appendMarkdown(vscode.l10n.t("**{0}**: {1}\n\n_Click to retry._", escapeMarkdown(errorLabel(outcome.error)), escapeMarkdown(errorText(outcome.error))));
    }
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: vscode.l10n.t("XMPP IP Check: {0}", this.item.text.replace(/\$\([^)]*\)\s*/g, "")) };
    this.item.show();
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}
