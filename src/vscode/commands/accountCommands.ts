// Add, edit, remove and choose the default account, and change a password. Interactive from the
// palette, the view's buttons and menus (which pass the focused or clicked tree row: "this
// account"); scriptable with the documented arguments only (README): an object with `jid` for
// Add, an account id or JID (and an object of changes) for the others.
import * as vscode from "vscode";
import { SicError } from "../../core";
import { validateSettings, type Account, type AccountStore, type ExtensionAccountSettings } from "../accounts";
import { expandHome } from "../accountSteps";
import { addAccountWizard, editAccountWizard } from "../accountWizard";
import { askText } from "../quickInput";
import { register, resolveAccount, type Services } from "./shared";

export interface AccountArgs extends ExtensionAccountSettings {
  password?: string;
}

/** The documented script argument: a plain object with a string `jid` (a tree row has `kind`). */
function isAccountArgs(value: unknown): value is AccountArgs {
  return !!value && typeof value === "object" && !("kind" in value) && typeof (value as { jid?: unknown }).jid === "string";
}

/** Changes passed by a script: a plain object that is not a tree row. */
function isChanges(value: unknown): value is Partial<AccountArgs> {
  return !!value && typeof value === "object" && !("kind" in value) && !Array.isArray(value);
}

function split({ password, ...settings }: Partial<AccountArgs>): { settings: Partial<ExtensionAccountSettings>; password: string | undefined } {
  return { settings: settings.caFile ? { ...settings, caFile: expandHome(settings.caFile) } : settings, password };
}

const takenBy = (accounts: AccountStore, except?: string) => (jid: string) => accounts.list().some((a) => a.jid === jid && a.id !== except);

export async function changePassword(accounts: AccountStore, account: Account): Promise<boolean> {
  const password = await askText({
    title: vscode.l10n.t("Change the password of {0}", account.jid),
    back: false,
    prompt: vscode.l10n.t("The new password. Kept in VS Code's secret storage only, never in settings."),
    placeholder: vscode.l10n.t("new password"),
    password: true,
    validate: (v) => (v === "" ? vscode.l10n.t("Type the new password (Escape keeps the stored one).") : undefined),
  });
  if (typeof password !== "string") return false;
  await accounts.update(account.id, {}, password);
  return true;
}

export function registerAccountCommands({ accounts, checks, output }: Services): vscode.Disposable[] {
  return [
    register("xmppSic.addAccount", output, async (args?: unknown) => {
      const scripted = isAccountArgs(args);
      const draft: AccountArgs | undefined = scripted ? args : await addAccountWizard(takenBy(accounts));
      if (!draft) return undefined;
      const { settings, password } = split(draft);
      if (!password) throw new SicError("usage", vscode.l10n.t("An account needs a password."));
      const account = await accounts.add(validateSettings(settings as ExtensionAccountSettings), password);
      output.info(vscode.l10n.t("Added account {0}", account.jid));
      // The first result is what a person wants to see: check at once, in the view.
      if (!scripted) void vscode.commands.executeCommand("xmppSic.check", account.id);
      return account.id;
    }),

    register("xmppSic.editAccount", output, async (target?: unknown, changes?: unknown) => {
      const account = await resolveAccount(accounts, target, vscode.l10n.t("Account to edit"));
      if (!account) return undefined;
      const scripted = typeof target === "string" && isChanges(changes);
      const answer = scripted ? changes : await editAccountWizard(account, takenBy(accounts, account.id));
      if (answer === undefined) return undefined;
      if (answer === "password") return (await changePassword(accounts, account)) ? account.id : undefined;
      const { settings, password } = split(answer);
      const updated = await accounts.update(account.id, settings, password);
      checks.closeSession(account.id);
      output.info(vscode.l10n.t("Updated account {0}", updated.jid));
      return updated.id;
    }),

    register("xmppSic.changePassword", output, async (target?: unknown) => {
      const account = await resolveAccount(accounts, target, vscode.l10n.t("Account whose password to change"));
      if (!account || !(await changePassword(accounts, account))) return undefined;
      checks.closeSession(account.id);
      output.info(vscode.l10n.t("Changed the password of {0}", account.jid));
      return account.id;
    }),

    register("xmppSic.removeAccount", output, async (target?: unknown) => {
      const account = await resolveAccount(accounts, target, vscode.l10n.t("Account to remove"));
      if (!account) return false;
      if (typeof target !== "string") {
        const remove = vscode.l10n.t("Remove");
        const answer = await vscode.window.showWarningMessage(vscode.l10n.t("Remove {0}? Its stored password is deleted too.", account.jid), { modal: true }, remove);
        if (answer !== remove) return false;
      }
      await accounts.remove(account.id);
      await checks.forget(account.id);
      output.info(vscode.l10n.t("Removed account {0} and its password", account.jid));
      return true;
    }),

    register("xmppSic.setDefaultAccount", output, async (target?: unknown) => {
      const account = await resolveAccount(accounts, target, vscode.l10n.t("Default account"));
      if (!account) return undefined;
      await accounts.setDefault(account.id);
      return account.id;
    }),
  ];
}
