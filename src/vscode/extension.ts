// activate() only wires parts together: it connects nothing and checks nothing. The core (TLS,
// SASL, XML, DNS) is a separate bundle, dist/core.js, loaded on its first use (scripts/build.mjs),
// so activation costs only this shell's own code.
import * as vscode from "vscode";
import { StanzaLog } from "../core";
import { AccountStore } from "./accounts";
import { createApi, type XmppSicApi } from "./api";
import { AutoCheck } from "./autoCheck";
import { CheckService, type CheckOutcome } from "./checkService";
import { registerAccountCommands } from "./commands/accountCommands";
import { registerCheckCommands } from "./commands/checkCommands";
import { registerResultCommands } from "./commands/resultCommands";
import { registerStanzaCommands } from "./commands/stanzaCommands";
import { registerConsoleCommands } from "./console/consoleCommands";
import { PairBook } from "./console/pairBook";
import { Output } from "./output";
import { ResultsView } from "./resultsView";
import { STANZA_SCHEME, StanzaDocuments } from "./stanzaDocuments";
import { StanzaView } from "./stanzaView";
import { StatusBar } from "./statusBar";

export type { XmppSicApi } from "./api";

export function activate(context: vscode.ExtensionContext): XmppSicApi {
  const output = new Output();
  const log = new StanzaLog();
  const accounts = new AccountStore(context.globalState, context.secrets);
  const checks = new CheckService(accounts, log, output, context.globalState);
  const pairs = new PairBook();
  const stanzaView = new StanzaView(log, checks, pairs);
  const stanzaDocuments = new StanzaDocuments(stanzaView);
  const resultsView = new ResultsView(accounts, checks);
  const resultsTree = vscode.window.createTreeView("xmppSic.results", { treeDataProvider: resultsView, showCollapseAll: false });
  resultsView.watch(resultsTree);
  const results = new vscode.EventEmitter<{ accountId: string; outcome: CheckOutcome }>();
  const services = { accounts, checks, output, log, stanzaView, pairs };

  const syncContext = () => void vscode.commands.executeCommand("setContext", "xmppSic.hasAccounts", accounts.list().length > 0);
  syncContext();

  context.subscriptions.push(
    output,
    accounts,
    checks,
    pairs,
    stanzaView,
    resultsView,
    results,
    accounts.onDidChange(syncContext),
    checks.onDidChange(({ accountId, outcome }) => outcome && results.fire({ accountId, outcome })),
    new StatusBar(accounts, checks),
    new AutoCheck(accounts, checks),
    resultsTree,
    vscode.workspace.registerTextDocumentContentProvider(STANZA_SCHEME, stanzaDocuments),
    vscode.commands.registerCommand("xmppSic.showLog", () => output.show()),
    ...registerAccountCommands(services),
    ...registerCheckCommands(services),
    ...registerResultCommands(services),
    ...registerStanzaCommands(services, stanzaDocuments),
    ...registerConsoleCommands(services, stanzaDocuments, context.globalState),
  );

  return createApi(accounts, checks, () => log.list(), results.event);
}

export function deactivate(): void {}
