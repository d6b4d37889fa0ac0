// Setting keys and typed reads, in one place (names match contributes.configuration).
import * as vscode from "vscode";

export const SECTION = "xmppSic";

export const SETTINGS = {
  autoCheckInterval: "autoCheckInterval",
  timeoutSeconds: "timeoutSeconds",
  notifyOnAddressChange: "notifyOnAddressChange",
  statusBarEnabled: "showStatusBar",
  keepSessionOpen: "keepSessionOpen",
  udp: "udp",
  consoleSendPresence: "consoleSendsPresence",
} as const;

function read<T>(key: string, fallback: T): T {
  return vscode.workspace.getConfiguration(SECTION).get<T>(key, fallback);
}

export const settings = {
  autoCheckMinutes: () => Math.max(0, read<number>(SETTINGS.autoCheckInterval, 0)),
  timeoutMs: () => Math.max(1, read<number>(SETTINGS.timeoutSeconds, 15)) * 1000,
  notifyOnAddressChange: () => read<boolean>(SETTINGS.notifyOnAddressChange, true),
  statusBarEnabled: () => read<boolean>(SETTINGS.statusBarEnabled, true),
  keepSessionOpen: () => read<boolean>(SETTINGS.keepSessionOpen, false),
  /** The UDP picture: "auto" when the server announces STUN, or "off"; anything else reads as "auto". */
  udp: (): "auto" | "off" => (read<string>(SETTINGS.udp, "auto") === "off" ? "off" : "auto"),
  consoleSendPresence: () => read<boolean>(SETTINGS.consoleSendPresence, false),
};

export function affects(event: vscode.ConfigurationChangeEvent, key: string): boolean {
  return event.affectsConfiguration(`${SECTION}.${key}`);
}
