// Red squiggles in a stanza document while its XML is malformed or would be refused, at the
// parser's line and column. Only documents the console opened or that Send Stanza was used on
// are watched (not every XML file in the workspace), re-checked a moment after each change.
// While the person types, text that merely ends too soon (an element still open) is what typing
// looks like: that gets an information squiggle, and only Send or a wrong character makes it red.
import * as vscode from "vscode";
import { compose, ComposeError } from "../../core";

const DEBOUNCE_MS = 300;

export class StanzaDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("xmppSic.console");
  private readonly watched = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.unwatch(doc.uri)),
    ];
  }

  /** Watches a document from now on, and checks it at once. */
  watch(doc: vscode.TextDocument): void {
    this.watched.add(doc.uri.toString());
    this.check(doc);
  }

  /** Checks the text now; returns the problem, if any (what the squiggle says). `typing`: after an edit, not a send. */
  check(doc: vscode.TextDocument, typing = false): ComposeError | undefined {
    if (!this.watched.has(doc.uri.toString())) return undefined;
    const problem = problemOf(doc.getText());
    const severity = typing && problem?.unfinished ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Error;
    this.collection.set(doc.uri, problem ? [diagnosticOf(doc, problem, severity)] : []);
    return problem;
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const s of this.subscriptions) s.dispose();
  }

  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    if (!this.watched.has(key)) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => (this.timers.delete(key), this.check(doc, true)), DEBOUNCE_MS));
  }

  private unwatch(uri: vscode.Uri): void {
    const key = uri.toString();
    this.watched.delete(key);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(uri);
  }
}

/** What compose() refuses in this text; an empty document is not a problem yet. */
function problemOf(text: string): ComposeError | undefined {
  try {
    compose(text);
    return undefined;
  } catch (err) {
    if (!(err instanceof ComposeError)) throw err;
    return err.rule === "empty" ? undefined : err;
  }
}

function diagnosticOf(doc: vscode.TextDocument, error: ComposeError, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const start = error.position ? doc.positionAt(error.position.offset) : new vscode.Position(0, 0);
  const end = doc.lineAt(start.line).range.end;
  const range = new vscode.Range(start, end.isAfter(start) ? end : start.translate(0, 1));
  const diagnostic = new vscode.Diagnostic(range, error.problem, severity);
  diagnostic.source = "XMPP console";
  diagnostic.code = error.rule;
  return diagnostic;
}
