// Stanza Log actions: open one stanza, clear, export, filter.
import * as vscode from "vscode";
import { exportLogXml, SicError, type StanzaKind } from "../../core";
import { ALL_KINDS } from "../stanzaView";
import { register, type Services } from "./shared";

export function registerStanzaCommands({ log, stanzaView, output }: Services): vscode.Disposable[] {
  return [
    register("xmppSic.stanzaLog.open", output, async (seq: number) => {
      if (typeof seq !== "number") throw new SicError("usage", "Open a stanza from the Stanza Log view.");
      const doc = await vscode.workspace.openTextDocument(stanzaView.uriFor(seq));
      await vscode.languages.setTextDocumentLanguage(doc, "xml");
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    register("xmppSic.stanzaLog.clear", output, () => {
      log.clear();
      stanzaView.refresh();
    }),
    register("xmppSic.stanzaLog.export", output, async (target?: vscode.Uri) => {
      const uri =
        target ??
        (await vscode.window.showSaveDialog({
          title: "Export Stanza Log",
          filters: { XML: ["xml"] },
          defaultUri: vscode.Uri.file(`xmpp-sic-stanzas-${new Date().toISOString().replace(/[:.]/g, "-")}.xml`),
        }));
      if (!uri) return undefined;
      const xml = exportLogXml(stanzaView.visibleEntries(), (id) => stanzaView.checkLabel(id));
      await vscode.workspace.fs.writeFile(uri, Buffer.from(xml, "utf8"));
      output.info(`Exported the stanza log to ${uri.fsPath}`);
      return uri;
    }),
    register("xmppSic.stanzaLog.filterKinds", output, async (kinds?: StanzaKind[]) => {
      if (!kinds) {
        const current = stanzaView.currentFilter.kinds;
        const picked = await vscode.window.showQuickPick(
          ALL_KINDS.map((k) => ({ label: k, picked: current.has(k) })),
          { canPickMany: true, title: "Show these kinds of stanza" },
        );
        if (!picked) return undefined;
        kinds = picked.map((p) => p.label as StanzaKind);
      }
      stanzaView.setFilter({ kinds: new Set(kinds.filter((k) => ALL_KINDS.includes(k))) });
      return kinds;
    }),
    register("xmppSic.stanzaLog.filterText", output, async (text?: string) => {
      const value =
        text ??
        (await vscode.window.showInputBox({
          title: "Filter the Stanza Log",
          prompt: "Show stanzas whose summary or XML contains this text (empty: all)",
          value: stanzaView.currentFilter.text,
        }));
      if (value === undefined) return undefined;
      stanzaView.setFilter({ text: value });
      return value;
    }),
    register("xmppSic.stanzaLog.clearFilter", output, () => stanzaView.setFilter({ kinds: new Set(ALL_KINDS), text: "" })),
  ];
}
