// Saving stanza log entries as one XML file or as JSON Lines (one object per entry, with what
// pairing learned): proposed in the workspace folder (else the home folder), and confirmed with
// what was saved, how many entries and where.
import { homedir } from "node:os";
import * as vscode from "vscode";
import { exportLogXml, transcriptJsonLines, type StanzaLogEntry } from "../core";
import type { StanzaView } from "./stanzaView";

const pad = (n: number) => String(n).padStart(2, "0");

export type ExportFormat = "xml" | "jsonl";

/** xmpp-sic-stanzas-20261201-200239.xml (or .jsonl), in local time. */
export function exportFileName(now = new Date(), format: ExportFormat = "xml"): string {
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  return `xmpp-sic-stanzas-${date}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}.${format}`;
}

export function exportFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
}

export function displayPath(uri: vscode.Uri): string {
  return uri.scheme === "file" ? uri.fsPath : uri.toString(true);
}

export interface ExportRequest {
  entries: readonly StanzaLogEntry[];
  /** What these entries are, for the confirmation: "all 46 stanzas", "10 of 46 stanzas (filter: iq)". */
  what: string;
  /** Where to write; asked with a save dialog when absent (and then the result is confirmed). */
  target?: vscode.Uri;
  /** One XML document (the default), or JSON Lines with each entry's pair. */
  format?: ExportFormat;
}

/** Writes the entries; returns where, or undefined when there was nothing to export or the dialog was dismissed. */
export async function exportEntries(view: StanzaView, { entries, what, target, format = "xml" }: ExportRequest): Promise<vscode.Uri | undefined> {
  if (entries.length === 0 && !target) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Nothing to export: {0}.", what));
    return undefined;
  }
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      title: vscode.l10n.t("Export {0}", what),
      saveLabel: vscode.l10n.t("Export"),
      filters: format === "jsonl" ? { [vscode.l10n.t("JSON Lines")]: ["jsonl"] } : { XML: ["xml"] },
      defaultUri: vscode.Uri.joinPath(exportFolder(), exportFileName(new Date(), format)),
    }));
  if (!uri) return undefined;
  const text = format === "jsonl" ? transcriptJsonLines(entries, view.model.pairsOf(entries)) : exportLogXml(entries, (id) => view.checkLabel(id));
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, "utf8"));
  if (!target) {
    const open = vscode.l10n.t("Open");
    void vscode.window.showInformationMessage(vscode.l10n.t("Exported {0} to {1}.", what, displayPath(uri)), open).then(async (choice) => {
      if (choice === open) await vscode.window.showTextDocument(uri, { preview: true });
    });
  }
  return uri;
}
