// The console's actions on Stanza Log rows: "Edit and Resend" a sent stanza (its XML in an
// untitled editor of the same account, without its id) and "Copy as Template" a received one
// (id removed, addressed back to its sender). Each accepts the row VS Code passes and refuses
// calmly the other direction.
import * as vscode from "vscode";
import type { StanzaLogEntry } from "../../core";
import { isStanzaNode } from "../stanzaView";
import { openStanzaEditor, type ConsoleContext } from "./consoleContext";
import { forResend, templateFromReceived } from "./stanzaTemplate";

function entryOf(ctx: ConsoleContext, arg: unknown): StanzaLogEntry | undefined {
  if (typeof arg === "number") return ctx.stanzaView.entry(arg);
  return isStanzaNode(arg) && arg.kind === "entry" ? arg.entry : undefined;
}

export async function editAndResend(ctx: ConsoleContext, arg: unknown): Promise<vscode.TextEditor | undefined> {
  const entry = entryOf(ctx, arg);
  if (!entry || entry.direction !== "out" || !["iq", "message", "presence"].includes(entry.kind)) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Edit and Resend works on a sent <iq>, <message> or <presence> in the Stanza Log."));
    return undefined;
  }
  const text = forResend(entry.xml);
  if (text === null) return undefined;
  const accountId = ctx.checks.checks.get(entry.checkId)?.accountId;
  return openStanzaEditor(ctx, accountId ? ctx.accounts.get(accountId) : undefined, text);
}

export async function copyAsTemplate(ctx: ConsoleContext, arg: unknown): Promise<string | undefined> {
  const entry = entryOf(ctx, arg);
  if (!entry || entry.direction !== "in") {
    void vscode.window.showInformationMessage(vscode.l10n.t("Copy as Template works on a received stanza in the Stanza Log."));
    return undefined;
  }
  const text = templateFromReceived(entry.xml);
  if (text === null) return undefined;
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(vscode.l10n.t("Copied {0} as a template", entry.summary), 2000);
  return text;
}
