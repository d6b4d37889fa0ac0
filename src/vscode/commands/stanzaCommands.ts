// Stanza Log actions: open one stanza or a check's transcript, go to a stanza's pair, copy, clear,
// export (XML, JSON Lines), re-open a JSON Lines export as a read-only group. Filters and search: stanzaFilterCommands.ts.
// View-title and context-menu buttons pass the focused tree row as the first argument; scripts pass
// the documented values (a stanza's seq, a check id, kinds, text, a target Uri). Each handler
// accepts exactly what it documents and treats anything else as "ask".
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import { parseTranscriptJsonLines, SicError } from "../../core";
import { displayPath, exportEntries, type ExportFormat } from "../stanzaExport";
import { importTranscript } from "../stanzaImport";
import type { StanzaDocuments } from "../stanzaDocuments";
import { isStanzaNode, type StanzaView } from "../stanzaView";
import { register, type Services } from "./shared";
import { registerStanzaFilterCommands } from "./stanzaFilterCommands";

/** A transcript larger than this is refused before it is read (the log keeps 4 MiB of XML anyway). */
const MAX_OPEN_BYTES = 64 * 2 ** 20;
const isUri = (value: unknown): value is vscode.Uri => value instanceof vscode.Uri;
const stanzaWord = (n: number) => (n === 1 ? vscode.l10n.t("1 stanza") : vscode.l10n.t("{0} stanzas", n));

function seqOf(arg: unknown): number | undefined {
  if (typeof arg === "number") return arg;
  return isStanzaNode(arg) && arg.kind === "entry" ? arg.entry.seq : undefined;
}

/** A check id from a script, or the check of a tree row; else the newest check, or one picked. */
async function checkOf(view: StanzaView, arg: unknown): Promise<string | undefined> {
  if (typeof arg === "string") return arg;
  if (isStanzaNode(arg)) return arg.kind === "check" ? arg.checkId : arg.entry.checkId;
  const ids = view.checkIds();
  if (ids.length === 0) throw new SicError("usage", vscode.l10n.t("The Stanza Log is empty: run a check first."));
  if (ids.length === 1) return ids[0];
  const picked = await vscode.window.showQuickPick(
    ids.map((id) => ({ label: view.checkLabel(id), description: stanzaWord(view.entriesOf(id).length), id })),
    { title: vscode.l10n.t("Which check?") },
  );
  return picked?.id;
}

async function openReadOnly(uri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(doc, "xml");
  await vscode.window.showTextDocument(doc, { preview: true });
}

// One flat list of the Stanza Log's commands, each a few lines: longer than ~60 lines, kept together
// so every command id of the view is registered in one place.
export function registerStanzaCommands(services: Services, documents: StanzaDocuments): vscode.Disposable[] {
  const { log, stanzaView: view, output } = services;
  /** One group's entries to a file: a check's or a console session's, as XML or JSON Lines. */
  const exportGroup = (format: ExportFormat) => async (arg?: unknown, target?: unknown) => {
    const checkId = await checkOf(view, arg);
    if (checkId === undefined) return undefined;
    const entries = view.entriesOf(checkId);
    const what = view.isConsole(checkId)
      ? vscode.l10n.t("{0} of the session {1}", stanzaWord(entries.length), view.checkLabel(checkId))
      : vscode.l10n.t("{0} of the check {1}", stanzaWord(entries.length), view.checkLabel(checkId));
    return exportEntries(view, { entries, what, format, ...(isUri(target) ? { target } : {}) });
  };
  return [
    ...registerStanzaFilterCommands(services),
    register("xmppSic.stanzaLog.open", output, async (arg?: unknown) => {
      const seq = seqOf(arg);
      if (seq === undefined) throw new SicError("usage", vscode.l10n.t("Open a stanza from the Stanza Log view."));
      await openReadOnly(documents.uriFor(seq));
    }),
    register("xmppSic.stanzaLog.copyXml", output, async (arg?: unknown) => {
      const seq = seqOf(arg);
      const entry = seq === undefined ? undefined : view.entry(seq);
      if (!entry) throw new SicError("usage", vscode.l10n.t("Choose a stanza in the Stanza Log view to copy its XML."));
      await vscode.env.clipboard.writeText(entry.xml);
      vscode.window.setStatusBarMessage(vscode.l10n.t("Copied the XML of {0}", entry.summary), 2000);
      return entry.xml;
    }),
    register("xmppSic.stanzaLog.openTranscript", output, async (arg?: unknown) => {
      const checkId = await checkOf(view, arg);
      if (checkId !== undefined) await openReadOnly(documents.transcriptUri(checkId));
    }),
    register("xmppSic.stanzaLog.clear", output, () => {
      log.clear();
      view.refresh();
    }),
    register("xmppSic.stanzaLog.export", output, (arg?: unknown) => {
      const entries = view.visibleEntries();
      const total = log.list().length;
      const what = view.isFiltered()
        ? vscode.l10n.t("{0} of {1} stanzas ({2})", entries.length, total, view.filterDescription())
        : vscode.l10n.t("all {0}", stanzaWord(total));
      return exportEntries(view, { entries, what, ...(isUri(arg) ? { target: arg } : {}) });
    }),
    register("xmppSic.stanzaLog.exportCheck", output, exportGroup("xml")),
    register("xmppSic.stanzaLog.exportXmlTranscript", output, exportGroup("xml")),
    register("xmppSic.stanzaLog.exportJsonLines", output, exportGroup("jsonl")),
    register("xmppSic.stanzaLog.openJsonLines", output, async (arg?: unknown) => {
      const uri =
        (isUri(arg) ? arg : undefined) ??
        (await vscode.window.showOpenDialog({ title: vscode.l10n.t("Open JSON Lines"), filters: { [vscode.l10n.t("JSON Lines")]: ["jsonl"] }, canSelectMany: false }))?.[0];
      if (!uri) return undefined;
      if ((await vscode.workspace.fs.stat(uri)).size > MAX_OPEN_BYTES) {
        throw new SicError("usage", vscode.l10n.t("{0} is larger than {1} MB: not opened.", displayPath(uri), MAX_OPEN_BYTES / 2 ** 20));
      }
      const lines = parseTranscriptJsonLines(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString("utf8"));
      const checkId = `opened-${randomBytes(4).toString("hex")}`;
      const { entries, pairs } = importTranscript(log, lines, checkId);
      view.addOpened(checkId, uri.path.split("/").pop() ?? "", pairs);
      vscode.window.setStatusBarMessage(vscode.l10n.t("Opened {0} from {1}", stanzaWord(entries), displayPath(uri)), 4000);
      return { checkId, entries };
    }),
    // The "N earlier stanzas" row's click (its argument: the group's id).
    register("xmppSic.stanzaLog.showEarlier", output, (checkId?: unknown) => {
      if (typeof checkId === "string") view.showEarlier(checkId);
    }),
    register("xmppSic.stanzaLog.goToPaired", output, async (arg?: unknown) => {
      const seq = seqOf(arg);
      const partner = seq === undefined ? undefined : view.model.partnerOf(seq);
      if (partner === undefined || !view.entry(partner)) {
        throw new SicError("usage", vscode.l10n.t("Choose a request or a reply whose pair is still in the Stanza Log."));
      }
      if (await view.reveal(partner)) return partner;
      const clear = vscode.l10n.t("Clear Filters");
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t("The paired stanza is hidden by the filter."), clear);
      if (choice !== clear) return undefined;
      view.clearFilters();
      await view.reveal(partner);
      return partner;
    }),
  ];
}
