// The XML console's live sessions: at most one per account, each logged into the same Stanza Log
// as the checks (under its own checkId, labelled "console" for the view), its pairing verdicts
// written to the PairBook. A session ends when the user closes it, on deactivate, or when the
// server or network ends it — then the user is told why, and nothing reconnects on its own.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { openLiveSession, pairRecordOf, type LiveSession, type PairRecord, type SicError, type StanzaLog } from "../../core";
import type { Account, AccountStore } from "../accounts";
import { connectionOptions, type CheckService } from "../checkService";
import { errorText } from "../errorActions";
import { storedError } from "../outcome";
import type { Output } from "../output";
import { settings } from "../settings";
import type { PairBook } from "./pairBook";

export interface ConsoleSession {
  account: Account;
  live: LiveSession;
  /** The account's password, to refuse stanzas and history entries carrying it; never shown or stored. */
  secrets: readonly string[];
  /** Request seq → who waits for its verdict (Send Stanza, to open the reply); emptied when the session ends. */
  waiting: Map<number, (pair: PairRecord) => void>;
}

export interface ConsoleServices {
  accounts: AccountStore;
  checks: CheckService;
  log: StanzaLog;
  output: Output;
  pairs: PairBook;
}

export class ConsoleSessions implements vscode.Disposable {
  private readonly open = new Map<string, ConsoleSession>();
  private readonly opening = new Map<string, Promise<ConsoleSession>>();
  /** Sessions the user (or deactivate) closed: their end is not news. */
  private readonly closing = new Set<LiveSession>();
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly services: ConsoleServices) {}

  get(accountId: string): ConsoleSession | undefined {
    const session = this.open.get(accountId);
    return session?.live.isOpen ? session : undefined;
  }

  list(): ConsoleSession[] {
    return [...this.open.values()].filter((s) => s.live.isOpen);
  }

  /** The account's live session, opened if there is none (a second call while opening joins it). */
  async openFor(account: Account, signal?: AbortSignal): Promise<ConsoleSession> {
    const existing = this.get(account.id);
    if (existing) return existing;
    const inFlight = this.opening.get(account.id);
    if (inFlight) return inFlight;
    const promise = this.start(account, signal).finally(() => this.opening.delete(account.id));
    this.opening.set(account.id, promise);
    return promise;
  }

  /** Resolves with the request's verdict (reply, error, no reply) once pairing reaches one. */
  verdictOf(session: ConsoleSession, requestSeq: number): Promise<PairRecord> {
    const known = this.services.pairs.pairOf(requestSeq);
    if (known && known.request === requestSeq) return Promise.resolve(known);
    return new Promise((resolve) => session.waiting.set(requestSeq, resolve));
  }

  async close(accountId: string): Promise<boolean> {
    const session = this.open.get(accountId);
    if (!session) return false;
    this.open.delete(accountId);
    this.closing.add(session.live);
    await session.live.close();
    this.changed.fire(accountId);
    return true;
  }

  dispose(): void {
    for (const id of [...this.open.keys()]) void this.close(id);
    this.changed.dispose();
  }

  private async start(account: Account, signal?: AbortSignal): Promise<ConsoleSession> {
    const { checks, log, output, pairs } = this.services;
    const base = await connectionOptions(this.services.accounts, account);
    const checkId = `console-${randomBytes(4).toString("hex")}`;
    checks.checks.set(checkId, { accountId: account.id, jid: account.jid, startedAt: Date.now(), kind: "console" });
    output.info(`XML console: opening a session for ${account.jid}`);
    const waiting = new Map<number, (pair: PairRecord) => void>();
    const live = await openLiveSession({
      ...base,
      ...(signal ? { signal } : {}),
      log,
      checkId,
      presence: settings.consoleSendPresence(),
      onPairing: (event) => {
        const record = pairRecordOf(event);
        if (!record) return;
        pairs.record(record, log.oldestSeq);
        const wake = waiting.get(record.request);
        waiting.delete(record.request);
        wake?.(record);
      },
    });
    const session: ConsoleSession = { account, live, secrets: [base.password], waiting };
    this.open.set(account.id, session);
    output.info(`XML console: ${account.jid} is live as ${live.boundJid}`);
    void live.closed.then((reason) => this.ended(session, reason));
    this.changed.fire(account.id);
    return session;
  }

  /** The session is over: forget it, and tell the user unless they closed it. */
  private ended(session: ConsoleSession, reason: SicError): void {
    session.waiting.clear();
    if (this.open.get(session.account.id) === session) this.open.delete(session.account.id);
    if (this.closing.delete(session.live)) return;
    this.changed.fire(session.account.id);
    const sentence = errorText(storedError(reason));
    this.services.output.warn(`XML console: the session of ${session.account.jid} ended: ${reason.code}: ${reason.message}`);
    const reopen = vscode.l10n.t("Reopen Console");
    void vscode.window
      .showErrorMessage(vscode.l10n.t("The XML console of {0} was closed: {1}", session.account.jid, sentence), reopen)
      .then((choice) => choice === reopen && vscode.commands.executeCommand("xmppSic.console.open", session.account.id));
  }
}
