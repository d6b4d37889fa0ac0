// What activate() returns: read-only access to accounts and results, for tests and other
// extensions, without scraping the UI. Never exposes a password.
import type * as vscode from "vscode";
import type { StanzaLogEntry } from "../core";
import type { Account, AccountStore } from "./accounts";
import type { CheckOutcome, CheckService } from "./checkService";

export interface AccountView extends Account {
  isDefault: boolean;
}

export interface XmppSicApi {
  accounts(): AccountView[];
  lastResult(accountId: string): CheckOutcome | undefined;
  onDidChangeResults: vscode.Event<{ accountId: string; outcome: CheckOutcome }>;
  stanzaLog(): readonly StanzaLogEntry[];
  hasSecret(accountId: string): Promise<boolean>;
}

export function createApi(
  accounts: AccountStore,
  checks: CheckService,
  stanzaLog: () => readonly StanzaLogEntry[],
  onDidChangeResults: vscode.Event<{ accountId: string; outcome: CheckOutcome }>,
): XmppSicApi {
  return {
    accounts: () => {
      const defaultId = accounts.defaultAccount()?.id;
      return accounts.list().map((a) => ({ ...a, isDefault: a.id === defaultId }));
    },
    lastResult: (id) => checks.lastResult(id),
    onDidChangeResults,
    stanzaLog,
    hasSecret: (id) => accounts.hasSecret(id),
  };
}

/** The API as activation returns it: the workbench behind it loads on the first call. */
export function firstUseApi(load: () => XmppSicApi): XmppSicApi {
  return {
    accounts: () => load().accounts(),
    lastResult: (id) => load().lastResult(id),
    onDidChangeResults: (listener, thisArgs, disposables) => load().onDidChangeResults(listener, thisArgs, disposables),
    stanzaLog: () => load().stanzaLog(),
    hasSecret: (id) => load().hasSecret(id),
  };
}
