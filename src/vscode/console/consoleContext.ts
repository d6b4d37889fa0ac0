// What the console's commands share: the sessions, the history, the squiggles, the documents each
// belongs to (a document the console opened, or sent from, stays with that account), and how a
// stanza document is opened: untitled XML, watched for problems.
import * as vscode from "vscode";
import type { Account, AccountStore } from "../accounts";
import type { CheckService } from "../checkService";
import { resolveAccount } from "../commands/shared";
import type { Output } from "../output";
import type { StanzaDocuments } from "../stanzaDocuments";
import type { StanzaView } from "../stanzaView";
import type { StanzaDiagnostics } from "./diagnostics";
import type { SendHistories } from "./sendHistory";
import type { ConsoleSession, ConsoleSessions } from "./sessions";

export interface ConsoleContext {
  accounts: AccountStore;
  checks: CheckService;
  output: Output;
  stanzaView: StanzaView;
  documents: StanzaDocuments;
  sessions: ConsoleSessions;
  history: SendHistories;
  diagnostics: StanzaDiagnostics;
  /** Document URI → the account it was opened or sent for. */
  owners: Map<string, string>;
}

/** Opens `text` in a new untitled XML editor that belongs to `account`. */
export async function openStanzaEditor(ctx: ConsoleContext, account: Account | undefined, text: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language: "xml", content: text });
  if (account) ctx.owners.set(doc.uri.toString(), account.id);
  ctx.diagnostics.watch(doc);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** The account's live session, opened with a notification while it logs in. */
export async function sessionFor(ctx: ConsoleContext, account: Account): Promise<ConsoleSession> {
  const live = ctx.sessions.get(account.id);
  if (live) return live;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Opening the XML console of {0}…", account.jid), cancellable: true },
    (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return ctx.sessions.openFor(account, controller.signal);
    },
  );
}

/**
 * Which account a document's stanzas go to: the one it belongs to; else the one live session;
 * else one of the live sessions, or (none live) one of the accounts, picked.
 */
export async function accountForDocument(ctx: ConsoleContext, uri: vscode.Uri | undefined): Promise<Account | undefined> {
  const owner = uri && ctx.owners.get(uri.toString());
  const owned = owner ? ctx.accounts.get(owner) : undefined;
  if (owned) return owned;
  const live = ctx.sessions.list();
  if (live.length === 1) return live[0]!.account;
  if (live.length > 1) {
    const picked = await vscode.window.showQuickPick(
      live.map((s) => ({ label: s.account.jid, description: vscode.l10n.t("console open"), account: s.account })),
      { placeHolder: vscode.l10n.t("Send with which account's console?") },
    );
    return picked?.account;
  }
  return resolveAccount(ctx.accounts, undefined, vscode.l10n.t("Send with which account?"));
}
