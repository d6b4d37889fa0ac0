// Checking: the default account, one picked, or all; under a cancellable progress notification.
import * as vscode from "vscode";
import type { Account } from "../accounts";
import type { CheckOutcome } from "../checkService";
import { toSicError } from "../output";
import { register, resolveAccount, type AccountTarget, type Services } from "./shared";

export function registerCheckCommands(services: Services): vscode.Disposable[] {
  const { accounts, output } = services;
  const run = (list: readonly Account[]) => checkWithProgress(services, list);
  return [
    // Always resolves to an outcome (an array for "all"), so scripts can tell what happened;
    // undefined only when the user dismissed the account picker.
    register("xmppSic.check", output, async (target?: AccountTarget | "all") => {
      if (target === "all") return run(accounts.list());
      let account;
      try {
        account = (target === undefined ? accounts.defaultAccount() : undefined) ?? (await resolveAccount(accounts, target, "Account to check"));
      } catch (err) {
        const error = toSicError(err);
        void vscode.window.showErrorMessage(error.message);
        return { ok: false, error: { code: error.code, message: error.message }, at: new Date().toISOString() } satisfies CheckOutcome;
      }
      return account ? (await run([account]))[0] : undefined;
    }),
    register("xmppSic.checkAll", output, () => run(accounts.list())),
    // From a tree item: that account. From the palette: pick one account, or all of them.
    register("xmppSic.checkAccount", output, async (target?: AccountTarget) => {
      if (target === undefined && accounts.list().length > 1) {
        const defaultId = accounts.defaultAccount()?.id;
        const picked = await vscode.window.showQuickPick(
          [
            ...accounts.list().map((a) => ({ label: a.jid, description: a.id === defaultId ? "default" : undefined, account: a })),
            { label: "$(check-all) All accounts", description: undefined, account: undefined },
          ],
          { placeHolder: "Check which account?" },
        );
        if (!picked) return undefined;
        return picked.account ? (await run([picked.account]))[0] : run(accounts.list());
      }
      const account = await resolveAccount(accounts, target, "Account to check");
      return account ? (await run([account]))[0] : undefined;
    }),
    register("xmppSic.retry", output, async (target?: AccountTarget) => {
      const account = await resolveAccount(accounts, target, "Account to check");
      return account ? (await run([account]))[0] : undefined;
    }),
  ];
}

async function checkWithProgress({ checks, output }: Services, list: readonly Account[]): Promise<CheckOutcome[]> {
  if (list.length === 0) return [];
  const title = list.length === 1 ? `Checking ${list[0]!.jid}` : `Checking ${list.length} accounts`;
  const outcomes = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (_progress, token) => Promise.all(list.map((account) => checks.check(account, token))),
  );
  outcomes.forEach((outcome, i) => {
    if (outcome.ok || outcome.error.code === "cancelled") return;
    const account = list[i]!;
    void vscode.window.showWarningMessage(`${account.jid}: ${outcome.error.message}`, "Retry", "Show Log").then((choice) => {
      if (choice === "Retry") void vscode.commands.executeCommand("xmppSic.check", account.id);
      if (choice === "Show Log") output.show();
    });
  });
  return outcomes;
}
