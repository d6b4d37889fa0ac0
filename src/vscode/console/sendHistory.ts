// Each account's send history in globalState, so "New Stanza…" can recall what was sent before a
// reload. The core's SendHistory keeps it bounded and refuses any text carrying the password; a
// tampered store is read back within the same limits.
import type * as vscode from "vscode";
import { SendHistory } from "../../core";

const PREFIX = "xmppSic.console.history.";
const keyOf = (accountId: string) => `${PREFIX}${accountId}`;

export class SendHistories {
  constructor(private readonly state: vscode.Memento) {}

  /** Most recent first. */
  recall(accountId: string, secrets: readonly string[] = []): readonly string[] {
    return SendHistory.parse(this.state.get<string>(keyOf(accountId)), {}, secrets).entries;
  }

  async add(accountId: string, text: string, secrets: readonly string[]): Promise<void> {
    const history = SendHistory.parse(this.state.get<string>(keyOf(accountId)), {}, secrets);
    history.add(text, secrets);
    await this.state.update(keyOf(accountId), history.serialise());
  }

  /** Accounts removed: their histories go with them. */
  async keepOnly(accountIds: readonly string[]): Promise<void> {
    const kept = new Set(accountIds.map(keyOf));
    for (const key of this.state.keys()) if (key.startsWith(PREFIX) && !kept.has(key)) await this.state.update(key, undefined);
  }
}
