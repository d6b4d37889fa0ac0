// How results read in the UI: short labels, icons and tooltips shared by the status bar and views.
import * as vscode from "vscode";
import type { CheckResult, NatVerdict } from "../core";

export function endpoint(ip: string, port: number | null): string {
  const host = ip.includes(":") ? `[${ip}]` : ip;
  return port === null ? host : `${host}:${port}`;
}

export const NAT_ICONS: Record<NatVerdict, string> = { "no-nat": "pass", nat: "arrow-swap", unknown: "question" };

export function natIcon(verdict: NatVerdict): vscode.ThemeIcon {
  const color = verdict === "nat" ? new vscode.ThemeColor("charts.yellow") : verdict === "no-nat" ? new vscode.ThemeColor("charts.green") : undefined;
  return new vscode.ThemeIcon(NAT_ICONS[verdict], color);
}

/** The status bar's NAT marker: short enough to sit beside the address. */
export function natMarker(verdict: NatVerdict): string {
  return verdict === "nat" ? " $(arrow-swap) NAT" : verdict === "unknown" ? " $(question)" : "";
}

export function resultJson(result: CheckResult): string {
  return JSON.stringify(result, null, 2);
}

export function relativeTime(iso: string): string {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return vscode.l10n.t("just now");
  if (seconds < 3600) return vscode.l10n.t("{0} min ago", Math.round(seconds / 60));
  return new Date(iso).toLocaleString();
}
