// The diagnostics channel and the one place a thrown value becomes a SicError for people.
// Nothing secret reaches it: the core scrubs passwords from every message it produces, and the
// shell never logs a password or a stanza payload.
import * as vscode from "vscode";
import { isSicError, SicError } from "../core";

export class Output implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel(vscode.l10n.t("XMPP IP Check"), { log: true });

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string): void {
    this.channel.error(message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export function toSicError(err: unknown): SicError {
  if (isSicError(err)) return err;
  return new SicError("usage", err instanceof Error ? err.message : String(err));
}
