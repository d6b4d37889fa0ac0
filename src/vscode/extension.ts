// VS Code entry point. The views, commands and status bar arrive with the extension issue; until
// then activation only exposes the core's version of the check for other extensions and tests.
import type * as vscode from "vscode";
import { check } from "../core";

export interface XmppSicApi {
  check: typeof check;
}

export function activate(_context: vscode.ExtensionContext): XmppSicApi {
  return { check };
}

export function deactivate(): void {}
