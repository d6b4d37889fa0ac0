// Send Stanza: the selection, or the whole document, checked by compose() first — a refusal or
// malformed XML shows a message and a squiggle, and nothing is sent (all or nothing). Then each
// stanza goes out on the account's live session; each iq get/set's reply opens beside the request
// once pairing has matched it (read-only, from the Stanza Log), or a message says none came.
import * as vscode from "vscode";
import { compose, ComposeError, type ComposedStanza, type PairRecord } from "../../core";
import { accountForDocument, sessionFor, type ConsoleContext } from "./consoleContext";
import type { ConsoleSession } from "./sessions";

export interface SendOutcome {
  account: string;
  sent: { seq: number; id: string; name: string }[];
  /** One per iq get/set, in order. */
  replies: PairRecord[];
}

export async function sendStanza(ctx: ConsoleContext, target: unknown): Promise<SendOutcome | undefined> {
  const editor = editorFor(target);
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Open an XML document with an <iq>, <message> or <presence> to send it."));
    return undefined;
  }
  const doc = editor.document;
  const text = editor.selection.isEmpty ? doc.getText() : doc.getText(editor.selection);
  ctx.diagnostics.watch(doc);
  // Checked before any account is asked for or any connection made; again once the password is known.
  if (!composeOrExplain(ctx, text, [])) return undefined;
  const account = await accountForDocument(ctx, doc.uri);
  if (!account) return undefined;
  ctx.owners.set(doc.uri.toString(), account.id);
  const session = await sessionFor(ctx, account);
  const stanzas = composeOrExplain(ctx, text, session.secrets);
  if (!stanzas) return undefined;
  const sent = stanzas.map((s) => ({ stanza: s, seq: session.live.send(s.element) }));
  void ctx.history.add(account.id, text, session.secrets);
  ctx.output.info(`XML console: ${account.jid} sent ${sent.map((s) => `<${s.stanza.name}> ${s.stanza.id}`).join(", ")}`);
  const replies = await Promise.all(sent.filter((s) => s.stanza.expectsReply).map((s) => showVerdict(ctx, session, s.seq)));
  if (replies.length === 0) vscode.window.setStatusBarMessage(vscode.l10n.t("$(check) Sent {0} stanza(s) as {1}", sent.length, session.live.boundJid), 4000);
  return { account: account.jid, sent: sent.map((s) => ({ seq: s.seq, id: s.stanza.id, name: s.stanza.name })), replies };
}

/** The editor-title button passes the document's Uri; the palette passes nothing (the active editor). */
function editorFor(target: unknown): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (target instanceof vscode.Uri) return vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.toString()) ?? active;
  return active;
}

/** The stanzas, or undefined after telling why nothing was sent. */
function composeOrExplain(ctx: ConsoleContext, text: string, secrets: readonly string[]): ComposedStanza[] | undefined {
  try {
    return compose(text, { secrets }).stanzas;
  } catch (err) {
    if (!(err instanceof ComposeError)) throw err;
    ctx.output.info(`XML console: not sent: ${err.rule}: ${err.message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t("Nothing was sent. {0}", err.message));
    return undefined;
  }
}

/** Waits for the request's verdict; opens the reply beside the request, or says none came. */
async function showVerdict(ctx: ConsoleContext, session: ConsoleSession, requestSeq: number): Promise<PairRecord> {
  const record = await Promise.race([ctx.sessions.verdictOf(session, requestSeq), session.live.closed.then(() => null)]);
  if (!record) return { request: requestSeq, reply: null, latencyMs: null, outcome: "no-reply" };
  if (record.reply === null) {
    void vscode.window.showWarningMessage(vscode.l10n.t("No reply from the server to the request sent as {0} (waited until the deadline).", session.live.boundJid));
    return record;
  }
  const doc = await vscode.workspace.openTextDocument(ctx.documents.uriFor(record.reply));
  await vscode.languages.setTextDocumentLanguage(doc, "xml");
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  return record;
}
