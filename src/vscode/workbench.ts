// The workbench: accounts, checks, both views, the status bar, auto-checks, every command, the
// XML console. Wired here on the extension's first use (extension.ts loads this bundle,
// dist/workbench.js, then); it connects nothing and checks nothing by itself. The core (TLS, SASL,
// XML, DNS) is a further bundle, dist/core.js, loaded on its own first use (scripts/lazyCore.mjs).
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
import { ResultsView, type ResultNode } from "./resultsView";
import { StanzaDocuments } from "./stanzaDocuments";
import { StanzaView, type StanzaRow } from "./stanzaView";
import { StatusBar } from "./statusBar";

/** The trees activation created (their providers stand in until this loads). */
export interface Trees {
  results: vscode.TreeView<ResultNode>;
  stanzaLog: vscode.TreeView<StanzaRow>;
}

export interface Workbench {
  api: XmppSicApi;
  results: ResultsView;
  stanzaView: StanzaView;
  stanzaDocuments: StanzaDocuments;
}

/** `requiredAt`: performance.now() before this bundle was required, so the log shows the whole first-use cost. */
export function startWorkbench(context: vscode.ExtensionContext, trees: Trees, requiredAt: number): Workbench {
  const started = performance.now();
  const output = new Output();
  const log = new StanzaLog();
  const accounts = new AccountStore(context.globalState, context.secrets);
  const checks = new CheckService(accounts, log, output, context.globalState);
  const pairs = new PairBook();
  const stanzaView = new StanzaView(log, checks, pairs, trees.stanzaLog);
  const stanzaDocuments = new StanzaDocuments(stanzaView);
  const results = new ResultsView(accounts, checks);
  results.watch(trees.results);
  const resultEvents = new vscode.EventEmitter<{ accountId: string; outcome: CheckOutcome }>();
  const services = { accounts, checks, output, log, stanzaView, pairs };

  const syncContext = () => void vscode.commands.executeCommand("setContext", "xmppSic.hasAccounts", accounts.list().length > 0);
  syncContext();

  context.subscriptions.push(
    output,
    accounts,
    checks,
    pairs,
    stanzaView,
    results,
    resultEvents,
    accounts.onDidChange(syncContext),
    checks.onDidChange(({ accountId, outcome }) => outcome && resultEvents.fire({ accountId, outcome })),
    new StatusBar(accounts, checks),
    new AutoCheck(accounts, checks),
    vscode.commands.registerCommand("xmppSic.showLog", () => output.show()),
    ...registerAccountCommands(services),
    ...registerCheckCommands(services),
    ...registerResultCommands(services),
    ...registerStanzaCommands(services, stanzaDocuments),
    ...registerConsoleCommands(services, stanzaDocuments, context.globalState),
  );
  // For whoever reads the log: what the first use cost (the benchmark reads it, BENCHMARKS.md §5).
  const done = performance.now();
  output.info(vscode.l10n.t("Loaded on first use in {0} ms (code {1} ms, set-up {2} ms).", (done - requiredAt).toFixed(1), (started - requiredAt).toFixed(1), (done - started).toFixed(1)));

  return { api: createApi(accounts, checks, () => log.list(), resultEvents.event), results, stanzaView, stanzaDocuments };
}
