// "New Stanza…": the templates with the account's domain filled in, then what this account sent
// before (most recent first, from its send history); the pick opens in an untitled XML editor.
import * as vscode from "vscode";
import { STANZA_TEMPLATES, validateJid } from "../../core";
import type { Account } from "../accounts";
import { accountForDocument, openStanzaEditor, type ConsoleContext } from "./consoleContext";

interface Item extends vscode.QuickPickItem {
  text?: string;
}

/** One line of a stanza for a pick list: its whitespace collapsed, clipped. */
export function oneLine(xml: string, max = 120): string {
  const line = xml.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function templateItems(account: Account): Item[] {
  const jid = validateJid(account.jid);
  return STANZA_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, text: t.xml({ domain: jid.domain, bareJid: jid.bare }) }));
}

export async function newStanza(ctx: ConsoleContext, target: unknown): Promise<vscode.TextEditor | undefined> {
  const account = typeof target === "string" ? ctx.accounts.require(target) : await accountForDocument(ctx, vscode.window.activeTextEditor?.document.uri);
  if (!account) return undefined;
  const sent = ctx.history.recall(account.id);
  const items: Item[] = [
    { label: vscode.l10n.t("Templates"), kind: vscode.QuickPickItemKind.Separator },
    ...templateItems(account),
    ...(sent.length ? [{ label: vscode.l10n.t("Sent before"), kind: vscode.QuickPickItemKind.Separator }] : []),
    ...sent.map((text) => ({ label: `$(history) ${oneLine(text, 80)}`, detail: oneLine(text), text })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t("New Stanza for {0}", account.jid),
    placeHolder: vscode.l10n.t("A template, or a stanza sent before"),
    matchOnDetail: true,
  });
  if (!picked?.text) return undefined;
  return openStanzaEditor(ctx, account, picked.text);
}
