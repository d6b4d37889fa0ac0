// Stand-ins that activation registers in place of the workbench (workbench.ts), so VS Code knows
// every command, both trees and the stanza documents' scheme while none of their code is loaded.
// The first use of any of them (a command run, a tree asking for its rows, a stanza document
// opened, an API call) requires dist/workbench.js once; from then on they pass straight through.
import * as vscode from "vscode";

/**
 * One stand-in per contributed command. The first run loads the workbench, which disposes them
 * all (so it can register the real commands under the same ids) before this run is handed on.
 */
export function commandStandIns(ids: readonly string[], load: () => void): vscode.Disposable {
  return vscode.Disposable.from(
    ...ids.map((id) =>
      vscode.commands.registerCommand(id, (...args: unknown[]) => {
        load();
        // Executed inside the extension host: arguments (tree rows, URIs) pass as they are.
        return vscode.commands.executeCommand(id, ...args);
      }),
    ),
  );
}

/** A tree's data provider that loads the real one when VS Code first asks for rows. */
export class FirstUseTreeProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | T[] | undefined | null | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private real: vscode.TreeDataProvider<T> | undefined;
  private forwarding: vscode.Disposable | undefined;

  constructor(private readonly load: () => vscode.TreeDataProvider<T>) {}

  private get provider(): vscode.TreeDataProvider<T> {
    if (!this.real) {
      this.real = this.load();
      this.forwarding = this.real.onDidChangeTreeData?.((e) => this.changed.fire(e));
    }
    return this.real;
  }

  getChildren(element?: T): vscode.ProviderResult<T[]> {
    return this.provider.getChildren(element);
  }

  getTreeItem(element: T): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.provider.getTreeItem(element);
  }

  // reveal() needs getParent; both real providers have one.
  getParent(element: T): vscode.ProviderResult<T> {
    return this.provider.getParent?.(element);
  }

  dispose(): void {
    this.forwarding?.dispose();
    this.changed.dispose();
  }
}

/** The stanza documents' content provider, loaded when VS Code first asks for a document. */
export function firstUseDocuments(load: () => vscode.TextDocumentContentProvider): vscode.TextDocumentContentProvider {
  return { provideTextDocumentContent: (uri, token) => load().provideTextDocumentContent(uri, token) };
}
