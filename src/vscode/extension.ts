// Activation only registers: the commands, both trees and the stanza documents' scheme, each as a
// stand-in (firstUse.ts). The workbench behind them (workbench.ts, bundled as dist/workbench.js)
// is required on their first use. VS Code activates the extension only on such a use (it declares
// no start-up event: its views and commands activate it), so a window that never uses it pays
// nothing, and the one that does pays only for what it uses: the core stays unloaded until a
// check, a validation or a pretty-print needs it.
import * as vscode from "vscode";
import { firstUseApi, type XmppSicApi } from "./api";
import { commandStandIns, firstUseDocuments, FirstUseTreeProvider } from "./firstUse";
import { RESULTS_VIEW_ID, STANZA_SCHEME, STANZA_VIEW_ID } from "./ids";
import type { ResultNode } from "./resultsView";
import type { StanzaRow } from "./stanzaView";
import type { Workbench } from "./workbench";

export type { XmppSicApi } from "./api";

export function activate(context: vscode.ExtensionContext): XmppSicApi {
  let workbench: Workbench | undefined;
  const load = (): Workbench => {
    if (!workbench) {
      const requiredAt = performance.now();
      standIns.dispose();
      // A runtime require of the sibling bundle (external to this one: scripts/build.mjs).
      const { startWorkbench } = require("./workbench.js") as typeof import("./workbench");
      workbench = startWorkbench(context, { results, stanzaLog }, requiredAt);
    }
    return workbench;
  };

  const commands: { command: string }[] = context.extension.packageJSON.contributes?.commands ?? [];
  const standIns = commandStandIns(commands.map((c) => c.command), load);
  const resultsRows = new FirstUseTreeProvider<ResultNode>(() => load().results);
  const stanzaRows = new FirstUseTreeProvider<StanzaRow>(() => load().stanzaView);
  const results = vscode.window.createTreeView(RESULTS_VIEW_ID, { treeDataProvider: resultsRows, showCollapseAll: false });
  const stanzaLog = vscode.window.createTreeView(STANZA_VIEW_ID, { treeDataProvider: stanzaRows, showCollapseAll: true });

  context.subscriptions.push(
    standIns,
    resultsRows,
    stanzaRows,
    results,
    stanzaLog,
    vscode.workspace.registerTextDocumentContentProvider(STANZA_SCHEME, firstUseDocuments(() => load().stanzaDocuments)),
  );
  return firstUseApi(() => load().api);
}

export function deactivate(): void {}
