// How the UDP picture reads in VS Code: the verdict in the user's language and its icon, shared by
// the Results view and the status bar.
import * as vscode from "vscode";
import { quoted, type UdpPicture } from "../../core";

type Verdict = UdpPicture["mapping"]["verdict"];

const VERDICTS: Record<Verdict, string> = {
  "peer-to-peer UDP likely works": vscode.l10n.t("peer-to-peer UDP likely works"),
  "needs a relay": vscode.l10n.t("needs a relay"),
  "cannot tell (only one STUN server)": vscode.l10n.t("cannot tell (only one STUN server)"),
  "cannot tell (no STUN answer)": vscode.l10n.t("cannot tell (no STUN answer)"),
};

/** The one-line verdict; a value this version does not know (an older stored outcome) as it was, quoted. */
export function verdictText(verdict: string): string {
  return Object.hasOwn(VERDICTS, verdict) ? VERDICTS[verdict as Verdict] : quoted(verdict, 80);
}

export function verdictIcon(verdict: string): vscode.ThemeIcon {
  if (verdict === "peer-to-peer UDP likely works") return new vscode.ThemeIcon("pass", new vscode.ThemeColor("charts.green"));
  if (verdict === "needs a relay") return new vscode.ThemeIcon("warning", new vscode.ThemeColor("charts.yellow"));
  return new vscode.ThemeIcon("question");
}

/** The verdict's reasons (the core's sentences, which quote STUN servers' addresses), made safe to show. */
export function verdictReason(udp: UdpPicture): string {
  return quoted(udp.mapping.reason, 1_500);
}
