// Add, edit, remove and choose the default account. With arguments they run without prompts,
// so they can be scripted and bound to keys.
import * as vscode from "vscode";
import { SicError, type AccountSettings } from "../../core";
import { promptAccount } from "../accountPrompts";
import { register, resolveAccount, type AccountTarget, type Services } from "./shared";

export interface AccountArgs extends AccountSettings {
  password?: string;
}

function splitArgs(args: AccountArgs): { settings: AccountSettings; password: string | undefined } {
  const { password, ...settings } = args;
  return { settings, password };
}

export function registerAccountCommands({ accounts, checks, output }: Services): vscode.Disposable[] {
  return [
    register("xmppSic.addAccount", output, async (args?: AccountArgs) => {
      const input = args ? splitArgs(args) : await promptAccount();
      if (!input) return undefined;
      if (!input.password) throw new SicError("usage", "An account needs a password.");
      const account = await accounts.add(input.settings, input.password);
      output.info(`Added account ${account.jid}`);
      if (!args) {
        void vscode.window.showInformationMessage(`Added ${account.jid}.`, "Check Now").then((choice) => {
          if (choice) void vscode.commands.executeCommand("xmppSic.check", account.id);
        });
      }
      return account.id;
    }),

    register("xmppSic.editAccount", output, async (target?: AccountTarget, changes?: AccountArgs) => {
      const account = await resolveAccount(accounts, target, "Account to edit");
      if (!account) return undefined;
      const input = changes ? splitArgs(changes) : await promptAccount(account);
      if (!input) return undefined;
      // Scripts pass only what changes; the prompts ask for everything, so what was cleared is gone.
      const updated = await accounts.update(account.id, input.settings, input.password, changes ? "merge" : "replace");
      checks.closeSession(account.id);
      output.info(`Updated account ${updated.jid}`);
      return updated.id;
    }),

    register("xmppSic.removeAccount", output, async (target?: AccountTarget) => {
      const account = await resolveAccount(accounts, target, "Account to remove");
      if (!account) return false;
      if (typeof target !== "string") {
        const remove = "Remove";
        const answer = await vscode.window.showWarningMessage(
          `Remove ${account.jid}? Its stored password is deleted too.`,
          { modal: true },
          remove,
        );
        if (answer !== remove) return false;
      }
      await accounts.remove(account.id);
      await checks.forget(account.id);
      output.info(`Removed account ${account.jid} and its password`);
      return true;
    }),

    register("xmppSic.setDefaultAccount", output, async (target?: AccountTarget) => {
      const account = await resolveAccount(accounts, target, "Default account");
      if (!account) return undefined;
      await accounts.setDefault(account.id);
      return account.id;
    }),
  ];
}
