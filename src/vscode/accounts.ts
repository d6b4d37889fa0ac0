// Accounts: non-secret settings in globalState, passwords only in SecretStorage keyed by account
// id. Secrets are shared across windows, so changes from elsewhere are picked up via onDidChange.
import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { SicError, validateAccount, validateFamilyChoice, type AccountSettings, type FamilyChoice } from "../core";

/** An account's settings in the extension: the core's, plus which address families to check. */
export interface ExtensionAccountSettings extends AccountSettings {
  /** Absent: "auto", every family the server has. */
  families?: FamilyChoice;
}

export interface Account extends ExtensionAccountSettings {
  id: string;
}

/** Validated and normalised, "auto" left out (the default). */
export function validateSettings(settings: ExtensionAccountSettings): ExtensionAccountSettings {
  const families = settings.families === undefined ? "auto" : validateFamilyChoice(settings.families);
  return { ...validateAccount(settings), ...(families !== "auto" ? { families } : {}) };
}

interface StoredAccounts {
  accounts: Account[];
  defaultId: string | null;
}

const STATE_KEY = "xmppSic.accounts";
const secretKey = (id: string) => `xmppSic.password.${id}`;

export class AccountStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
  ) {
    this.subscriptions.push(
      secrets.onDidChange((e) => {
        if (e.key.startsWith("xmppSic.password.")) this.changed.fire();
      }),
    );
  }

  list(): readonly Account[] {
    return this.read().accounts;
  }

  get(id: string): Account | undefined {
    return this.list().find((a) => a.id === id);
  }

  defaultAccount(): Account | undefined {
    const { accounts, defaultId } = this.read();
    return accounts.find((a) => a.id === defaultId) ?? accounts[0];
  }

  /** Resolves an id or a JID to an account; a usage error names what was not found. */
  require(idOrJid: string): Account {
    const found = this.get(idOrJid) ?? this.list().find((a) => a.jid === idOrJid);
    if (!found) throw new SicError("usage", `No account "${idOrJid}". Add it with "XMPP IP Check: Add Account".`);
    return found;
  }

  async add(settings: ExtensionAccountSettings, password: string): Promise<Account> {
    const valid = validateSettings(settings);
    if (!password) throw new SicError("usage", "An account needs a password.");
    if (this.list().some((a) => a.jid === valid.jid)) {
      throw new SicError("usage", `${valid.jid} is already an account; edit it instead.`);
    }
    const account: Account = { id: randomUUID(), ...valid };
    // The secret first: an account must never exist without its password.
    await this.secrets.store(secretKey(account.id), password);
    const stored = this.read();
    await this.write({ accounts: [...stored.accounts, account], defaultId: stored.defaultId ?? account.id });
    return account;
  }

  /**
   * Changes an account's settings: "merge" keeps what `changes` does not mention (scripts pass
   * only what changes); "replace" takes `changes` as the whole new settings (the edit prompts).
   */
  async update(id: string, changes: Partial<ExtensionAccountSettings>, password?: string, how: "merge" | "replace" = "merge"): Promise<Account> {
    const current = this.require(id);
    const merged = validateSettings(how === "merge" ? { ...withoutId(current), ...changes } : { jid: current.jid, ...changes });
    if (this.list().some((a) => a.jid === merged.jid && a.id !== id)) {
      throw new SicError("usage", `${merged.jid} is already an account; edit that one instead.`);
    }
    const updated: Account = { id: current.id, ...merged };
    if (password !== undefined) {
      if (!password) throw new SicError("usage", "The password cannot be empty.");
      await this.secrets.store(secretKey(id), password);
    }
    const stored = this.read();
    await this.write({ ...stored, accounts: stored.accounts.map((a) => (a.id === id ? updated : a)) });
    return updated;
  }

  async remove(id: string): Promise<void> {
    const stored = this.read();
    const accounts = stored.accounts.filter((a) => a.id !== id);
    await this.write({ accounts, defaultId: stored.defaultId === id ? (accounts[0]?.id ?? null) : stored.defaultId });
    await this.secrets.delete(secretKey(id));
  }

  async setDefault(id: string): Promise<void> {
    this.require(id);
    await this.write({ ...this.read(), defaultId: id });
  }

  password(id: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(id));
  }

  async hasSecret(id: string): Promise<boolean> {
    return (await this.secrets.get(secretKey(id))) !== undefined;
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  private read(): StoredAccounts {
    return this.state.get<StoredAccounts>(STATE_KEY, { accounts: [], defaultId: null });
  }

  private async write(value: StoredAccounts): Promise<void> {
    await this.state.update(STATE_KEY, value);
    this.changed.fire();
  }
}

export function withoutId({ id: _id, ...settings }: Account): ExtensionAccountSettings {
  return settings;
}
