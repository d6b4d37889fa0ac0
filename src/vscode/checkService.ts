// Runs checks for accounts and remembers the last outcome of each (in globalState: results hold
// addresses and timings, never credentials). Everything the views and the API show comes from here.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { checkAndKeepOpen, checkFamilies, ProfileCache, type CheckOptions, type CheckResult, type LiveCheck, type SessionOptions, type StanzaLog } from "../core";
import { withoutId, type Account, type AccountStore } from "./accounts";
import { addressChanges, fromFamilies, settingsKey, storedError, type CheckOutcome, type FamilyChange } from "./outcome";
import { toSicError, type Output } from "./output";
import { affects, SETTINGS, settings } from "./settings";

export type { CheckOutcome } from "./outcome";

export interface CheckInfo {
  accountId: string;
  jid: string;
  startedAt: number;
  /** A check's group, or a live XML console session's (which keeps growing). Absent: a check. */
  kind?: "check" | "console";
}

export interface AddressChange {
  account: Account;
  /** One per family whose IP changed. */
  changes: FamilyChange[];
}

const RESULTS_KEY = "xmppSic.lastResults";
/** What checks learned about servers (features, mechanism; nothing secret), so the first check after a restart pipelines too. */
const PROFILES_KEY = "xmppSic.serverProfiles";

export class CheckService implements vscode.Disposable {
  private readonly results: Map<string, CheckOutcome>;
  private readonly running = new Map<string, Promise<CheckOutcome>>();
  /** Built on first use (see `profiles`): creating it loads the core, which activation must not. */
  private profileCache: ProfileCache | undefined;
  /** Open sessions per account, with xmppSic.keepSessionOpen. */
  private readonly live = new Map<string, LiveCheck>();
  /** checkId → whose check it was, so the stanza log can label its groups. */
  readonly checks = new Map<string, CheckInfo>();

  private readonly changed = new vscode.EventEmitter<{ accountId: string; outcome?: CheckOutcome }>();
  /** Fires when a check starts (no outcome yet) and when it ends. */
  readonly onDidChange = this.changed.event;
  private readonly addressChanged = new vscode.EventEmitter<AddressChange>();
  readonly onDidChangeAddress = this.addressChanged.event;

  constructor(
    private readonly accounts: AccountStore,
    private readonly log: StanzaLog,
    private readonly output: Output,
    private readonly state: vscode.Memento,
  ) {
    this.results = new Map(Object.entries(state.get<Record<string, CheckOutcome>>(RESULTS_KEY, {})));
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, SETTINGS.keepSessionOpen) && !settings.keepSessionOpen()) this.closeAllSessions();
    });
  }

  private readonly configListener: vscode.Disposable;

  private get profiles(): ProfileCache {
    if (!this.profileCache) {
      this.profileCache = new ProfileCache();
      this.profileCache.load(this.state.get(PROFILES_KEY));
    }
    return this.profileCache;
  }

  lastResult(accountId: string): CheckOutcome | undefined {
    return this.results.get(accountId);
  }

  isChecking(accountId: string): boolean {
    return this.running.has(accountId);
  }

  /** Checks one account; a second request while one runs joins it rather than opening another connection. */
  check(account: Account, token?: vscode.CancellationToken): Promise<CheckOutcome> {
    const inFlight = this.running.get(account.id);
    if (inFlight) return inFlight;
    const promise = this.run(account, token).then(
      (outcome) => {
        // Announced only once the check no longer counts as running, so views stop their spinners;
        // with the outcome only when it was recorded (not for a cancel).
        this.running.delete(account.id);
        const recorded = this.results.get(account.id) === outcome;
        this.changed.fire({ accountId: account.id, ...(recorded ? { outcome } : {}) });
        return outcome;
      },
      (err: unknown) => {
        this.running.delete(account.id);
        this.changed.fire({ accountId: account.id });
        throw err;
      },
    );
    this.running.set(account.id, promise);
    this.changed.fire({ accountId: account.id });
    return promise;
  }

  /** Closes an account's kept session (settings changed, account edited or removed). */
  closeSession(accountId: string): void {
    const live = this.live.get(accountId);
    this.live.delete(accountId);
    void live?.close();
  }

  closeAllSessions(): void {
    for (const id of [...this.live.keys()]) this.closeSession(id);
  }

  async forget(accountId: string): Promise<void> {
    this.closeSession(accountId);
    this.results.delete(accountId);
    await this.persist();
    this.changed.fire({ accountId });
  }

  dispose(): void {
    this.closeAllSessions();
    this.configListener.dispose();
    this.changed.dispose();
    this.addressChanged.dispose();
  }

  private async run(account: Account, token?: vscode.CancellationToken): Promise<CheckOutcome> {
    const checkId = randomBytes(4).toString("hex");
    this.checks.set(checkId, { accountId: account.id, jid: account.jid, startedAt: Date.now() });
    const controller = new AbortController();
    const cancel = token?.onCancellationRequested(() => controller.abort());
    const target = vscode.l10n.t(
      "{0}:{1} {2}, {3} families",
      account.host ?? vscode.l10n.t("(domain)"),
      account.port ?? vscode.l10n.t("default"),
      account.tls ?? vscode.l10n.t("TLS as SRV says"),
      account.families ?? "auto",
    );
    const key = settingsKey(withoutId(account));
    this.output.info(vscode.l10n.t("Checking {0} via {1}", account.jid, target));
    let outcome: CheckOutcome;
    try {
      const options: CheckOptions = {
        ...(await connectionOptions(this.accounts, account)),
        udp: settings.udp(),
        signal: controller.signal,
        log: this.log,
        checkId,
        profiles: this.profiles,
      };
      outcome = await this.runFamilies(account, options, key);
      this.output.info(vscode.l10n.t("{0}: {1}", account.jid, describe(outcome)));
    } catch (err) {
      const error = toSicError(err);
      outcome = { ok: false, error: storedError(error), at: new Date().toISOString(), settingsKey: key };
      this.output.warn(vscode.l10n.t("{0}: {1}: {2}", account.jid, error.code, outcome.error.message));
    } finally {
      cancel?.dispose();
    }
    await this.record(account, outcome);
    return outcome;
  }

  /**
   * Each family on its own connection, side by side (the account's choice, "auto" by default);
   * with kept sessions on, one connection (of the chosen family, if one was chosen) kept open.
   */
  private async runFamilies(account: Account, options: CheckOptions, key: string): Promise<CheckOutcome> {
    const choice = account.families ?? "auto";
    if (settings.keepSessionOpen()) {
      const family = choice === "ipv4" ? "IPv4" : choice === "ipv6" ? "IPv6" : undefined;
      return { ok: true, result: await this.runCheck(account, { ...options, ...(family ? { family } : {}) }), settingsKey: key };
    }
    return fromFamilies(await checkFamilies({ ...options, families: choice }), key);
  }

  /** A fresh check; or, with kept sessions on, a re-check on the open one (a fresh one if it died). */
  private async runCheck(account: Account, options: CheckOptions): Promise<CheckResult> {
    const live = this.live.get(account.id);
    if (live?.isOpen) {
      try {
        return await live.recheck({ timeoutMs: options.timeoutMs!, signal: options.signal!, checkId: options.checkId! });
      } catch (err) {
        if (toSicError(err).code === "cancelled") throw err;
        this.output.info(vscode.l10n.t("{0}: the kept session ended ({1}); connecting afresh", account.jid, toSicError(err).message));
      }
    }
    this.closeSession(account.id);
    const fresh = await checkAndKeepOpen(options);
    this.live.set(account.id, fresh);
    return fresh.result;
  }

  private async record(account: Account, outcome: CheckOutcome): Promise<void> {
    // An account removed while its check ran gets no result back; a cancelled check learned
    // nothing, so the last real outcome stays.
    if (!this.accounts.get(account.id)) return;
    if (!outcome.ok && outcome.error.code === "cancelled") return;
    const before = this.results.get(account.id);
    this.results.set(account.id, outcome);
    await this.persist();
    const changes = addressChanges(before, outcome);
    if (changes.length > 0) this.addressChanged.fire({ account, changes });
  }

  private async persist(): Promise<void> {
    if (this.profileCache) await this.state.update(PROFILES_KEY, this.profileCache.toJSON());
    await this.state.update(RESULTS_KEY, Object.fromEntries(this.results));
  }
}

/** How to reach and log in to an account (checks and console sessions alike); the password from SecretStorage. */
export async function connectionOptions(accounts: AccountStore, account: Account): Promise<SessionOptions & { timeoutMs: number }> {
  const password = await accounts.password(account.id);
  if (!password) {
    throw toSicError(new Error(vscode.l10n.t("No password is stored for {0}. Edit the account to set it.", account.jid)));
  }
  return {
    jid: account.jid,
    password,
    ...(account.host ? { host: account.host } : {}),
    ...(account.port ? { port: account.port } : {}),
    ...(account.tls ? { tls: account.tls } : {}),
    ...(account.caFile ? { caFile: account.caFile } : {}),
    ...(account.fingerprint ? { fingerprint: account.fingerprint } : {}),
    timeoutMs: settings.timeoutMs(),
  };
}

function describe(outcome: CheckOutcome): string {
  const one = (r: CheckResult) =>
    vscode.l10n.t("{0} {1} ({2}, {3}, {4} ms)", r.address.family, `${r.address.ip}${r.address.port ? `:${r.address.port}` : ""}`, r.nat.verdict, r.namespace, r.timingsMs.total);
  if (!outcome.families && !outcome.ok) return vscode.l10n.t("{0}: {1}", outcome.error.code, outcome.error.message);
  const families = outcome.families ?? (outcome.ok ? [{ ok: true as const, result: outcome.result, family: outcome.result.address.family }] : []);
  return families.map((f) => (f.ok ? one(f.result) : vscode.l10n.t("{0} {1}: {2}", f.family, f.error.code, f.error.message))).join("; ");
}
