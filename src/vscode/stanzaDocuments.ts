// Read-only XML documents of the Stanza Log: one stanza (`/<seq>-<summary>.xml`) or the transcript
// of a whole check (`/transcript-<checkId>.xml`: every stanza in order, pretty-printed, each under a
// comment with its time and direction). Content is built when VS Code asks for it.
import * as vscode from "vscode";
import { prettyXml, type StanzaLogEntry } from "../core";
import { clockTime, isFailure } from "./stanzaSummary";
import type { StanzaView } from "./stanzaView";

import { STANZA_SCHEME } from "./ids";

const comment = (text: string) => `<!-- ${text.replace(/--/g, "- -")} -->`;

export class StanzaDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly view: StanzaView) {}

  uriFor(seq: number): vscode.Uri {
    const entry = this.view.entry(seq);
    const name = entry ? entry.summary.replace(/[^\w.:-]+/g, "-").slice(0, 40) : "missing";
    return vscode.Uri.from({ scheme: STANZA_SCHEME, path: `/${seq}-${name}.xml` });
  }

  transcriptUri(checkId: string): vscode.Uri {
    return vscode.Uri.from({ scheme: STANZA_SCHEME, path: `/transcript-${checkId.replace(/[^\w-]/g, "")}.xml` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const transcript = /^\/transcript-([\w-]+)\.xml$/.exec(uri.path);
    if (transcript) return this.transcript(transcript[1]!);
    const seq = Number(/^\/(\d+)-/.exec(uri.path)?.[1]);
    const entry = this.view.entry(seq);
    if (!entry) return `${comment(vscode.l10n.t("This stanza has left the bounded log."))}\n`;
    return `${comment(`${this.heading(entry)} · ${this.view.checkLabel(entry.checkId)} · ${vscode.l10n.t("redacted")}`)}\n${prettyXml(entry.xml)}\n`;
  }

  /** One document per check: its stanzas in order, pretty-printed. */
  transcript(checkId: string): string {
    const entries = this.view.entriesOf(checkId);
    if (entries.length === 0) return `${comment(vscode.l10n.t("This check has left the bounded log."))}\n`;
    const verdict = this.view.verdict(checkId);
    const state = verdict === true ? vscode.l10n.t("succeeded") : verdict === false ? vscode.l10n.t("failed") : vscode.l10n.t("outcome not known");
    const lines = [
      comment(vscode.l10n.t("Transcript of {0} · {1} · {2} stanzas · redacted: no password or SASL payload", this.view.checkLabel(checkId), state, entries.length)),
    ];
    for (const entry of entries) lines.push("", comment(this.heading(entry)), prettyXml(entry.xml));
    return `${lines.join("\n")}\n`;
  }

  private heading(entry: StanzaLogEntry): string {
    const way = entry.direction === "out" ? vscode.l10n.t("sent") : vscode.l10n.t("received");
    return `${clockTime(entry.time)} ${entry.direction === "out" ? "→" : "←"} ${way} ${entry.kind}${isFailure(entry) ? ` ✗ ${vscode.l10n.t("failure")}` : ""}`;
  }
}
