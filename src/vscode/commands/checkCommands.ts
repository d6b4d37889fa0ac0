// Checking: the default account, one picked, or all. Calm progress: the Results view's progress
// bar and the status bar's spinner; a cancellable notification only once a check has run ~2 s.
import * as vscode from "vscode";
import type { Account } from "../accounts";
import type { CheckOutcome } from "../checkService";
import { showFailure } from "../errorActions";
import { RESULTS_VIEW_ID } from "../ids";
import { storedError } from "../outcome";
import { toSicError } from "../output";
import { nodeAccount, register, resolveAccount, type Services } from "./shared";

/** How long a check runs before it earns a notification with Cancel. */
export const NOTIFY_AFTER_MS = 2_000;

export function registerCheckCommands(services: Services): vscode.Disposable[] {
  const { accounts, output } = services;
  const run = (list: readonly Account[]) => checkWithProgress(services, list);
  const one = async (account: Account | undefined) => (account ? (await run([account]))[0] : undefined);
  return [
    // Script arguments: "all", an account id or JID; from a view a tree row ("this account").
    // Always resolves to an outcome (an array for "all"), so scripts can tell what happened;
    // undefined only when the user dismissed the account picker.
    register("xmppSic.check", output, async (target?: unknown) => {
      if (target === "all") return run(accounts.list());
      let account;
      try {
        const row = nodeAccount(target);
        account = row ?? (typeof target === "string" ? undefined : accounts.defaultAccount()) ?? (await resolveAccount(accounts, typeof target === "string" ? target : undefined, vscode.l10n.t("Account to check")));
      } catch (err) {
        const error = toSicError(err);
        void vscode.window.showErrorMessage(error.message);
        return { ok: false, error: storedError(error), at: new Date().toISOString() } satisfies CheckOutcome;
      }
      return one(account);
    }),
    register("xmppSic.checkAll", output, () => run(accounts.list())),
    // From a tree row: that account. From the palette: pick one account, or all of them.
    register("xmppSic.checkAccount", output, async (target?: unknown) => {
      if (!nodeAccount(target) && typeof target !== "string" && accounts.list().length > 1) {
        const defaultId = accounts.defaultAccount()?.id;
        const picked = await vscode.window.showQuickPick(
          [
            ...accounts.list().map((a) => ({ label: a.jid, description: a.id === defaultId ? "default" : undefined, account: a })),
            { label: vscode.l10n.t("$(check-all) All accounts"), description: undefined, account: undefined },
          ],
          { title: vscode.l10n.t("Check Account"), placeHolder: vscode.l10n.t("Which account's external address to check?") },
        );
        if (!picked) return undefined;
        return picked.account ? one(picked.account) : run(accounts.list());
      }
      return one(await resolveAccount(accounts, target, vscode.l10n.t("Account to check")));
    }),
    register("xmppSic.retry", output, async (target?: unknown) => one(await resolveAccount(accounts, target, vscode.l10n.t("Account to check")))),
  ];
}

async function checkWithProgress({ accounts, checks, output }: Services, list: readonly Account[]): Promise<CheckOutcome[]> {
  if (list.length === 0) return [];
  const title = list.length === 1 ? vscode.l10n.t("Checking {0}", list[0]!.jid) : vscode.l10n.t("Checking {0} accounts", list.length);
  const cancel = new vscode.CancellationTokenSource();
  const all = Promise.all(list.map((account) => checks.check(account, cancel.token)));
  const settled = all.then(
    () => undefined,
    () => undefined,
  );
  const later = setTimeout(() => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
      token.onCancellationRequested(() => cancel.cancel());
      return settled;
    });
  }, NOTIFY_AFTER_MS);
  void vscode.window.withProgress({ location: { viewId: RESULTS_VIEW_ID } }, () => settled);
  let outcomes: CheckOutcome[];
  try {
    outcomes = await all;
  } finally {
    clearTimeout(later);
    cancel.dispose();
  }
  outcomes.forEach((outcome, i) => {
    if (outcome.ok || outcome.error.code === "cancelled") return;
    void showFailure(accounts, output, list[i]!, outcome.error);
  });
  return outcomes;
}
