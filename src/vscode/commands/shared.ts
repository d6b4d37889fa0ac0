// What every command handler may use, and the wrapper that turns any failure into a message
// (never an unhandled rejection in the extension host).
import * as vscode from "vscode";
import type { StanzaLog } from "../../core";
import type { Account, AccountStore } from "../accounts";
import type { CheckService } from "../checkService";
import type { PairBook } from "../console/pairBook";
import { toSicError, type Output } from "../output";
import type { ResultNode } from "../resultsView";
import type { StanzaView } from "../stanzaView";

export interface Services {
  accounts: AccountStore;
  checks: CheckService;
  output: Output;
  log: StanzaLog;
  stanzaView: StanzaView;
  /** What the console sessions' pairing concluded, per stanza log seq. */
  pairs: PairBook;
}

export function register(id: string, output: Output, handler: (...args: any[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (err) {
      const error = toSicError(err);
      output.error(`${id}: ${error.code}: ${error.message}`);
      void vscode.window.showErrorMessage(error.message);
      return undefined;
    }
  });
}

/** A command's target: an account id or JID (scripts), a tree node (menus), or ask. */
export type AccountTarget = string | ResultNode | undefined;

/**
 * The account a tree node is about: VS Code passes the focused or clicked row to view-title,
 * context-menu and inline commands, so any object may arrive where a script passes an id.
 */
export function nodeAccount(value: unknown): Account | undefined {
  if (!value || typeof value !== "object" || !("kind" in value) || !("account" in value)) return undefined;
  const account = (value as { account?: Account }).account;
  return account && typeof account.id === "string" ? account : undefined;
}

export async function resolveAccount(accounts: AccountStore, target: unknown, placeHolder: string): Promise<Account | undefined> {
  if (typeof target === "string") return accounts.require(target);
  const fromNode = nodeAccount(target);
  if (fromNode) return accounts.require(fromNode.id);
  const list = accounts.list();
  if (list.length === 0) {
    const add = vscode.l10n.t("Add Account");
    if ((await vscode.window.showInformationMessage(vscode.l10n.t("No XMPP account yet."), add)) === add) {
      await vscode.commands.executeCommand("xmppSic.addAccount");
    }
    return undefined;
  }
  if (list.length === 1) return list[0];
  const defaultId = accounts.defaultAccount()?.id;
  const picked = await vscode.window.showQuickPick(
    list.map((a) => ({ label: a.jid, description: a.id === defaultId ? vscode.l10n.t("default") : undefined, account: a })),
    { placeHolder },
  );
  return picked?.account;
}
