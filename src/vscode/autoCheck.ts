// Periodic checks of the default account (xmppSic.autoCheckInterval minutes, 0 = off) and the
// notice when an account's external address changed since its previous check.
import * as vscode from "vscode";
import type { AccountStore } from "./accounts";
import type { CheckService } from "./checkService";
import { affects, SETTINGS, settings } from "./settings";

export class AutoCheck implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly accounts: AccountStore,
    private readonly checks: CheckService,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => affects(e, SETTINGS.autoCheckInterval) && this.schedule()),
      checks.onDidChangeAddress(({ account, changes }) => {
        if (!settings.notifyOnAddressChange()) return;
        const what = changes.map((c) => vscode.l10n.t("{0} from {1} to {2}", c.family, c.before.address.ip, c.after.address.ip)).join(", ");
        void vscode.window.showInformationMessage(vscode.l10n.t("{0}: your external IP address changed: {1}.", account.jid, what));
      }),
    ];
    this.schedule();
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const minutes = settings.autoCheckMinutes();
    if (minutes <= 0) return;
    this.timer = setInterval(() => {
      const account = this.accounts.defaultAccount();
      // Quietly: failures show in the status bar and Results view, not as pop-ups every few minutes.
      if (account) void this.checks.check(account);
    }, minutes * 60_000);
  }

  dispose(): void {
    clearInterval(this.timer);
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
