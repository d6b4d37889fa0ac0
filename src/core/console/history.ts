// What a person sent from the console, to recall it later (Gajim's Ctrl+Up, the "New Stanza…"
// picker): most recent first, each text once, at most maxEntries of at most maxChars each, and
// never a text that carries a secret — history is stored on disk (the CLI's cache directory) or
// in VS Code's globalState, neither of which may hold a password. Pure data: the shells store
// the string serialise() returns and give it back to parse().
import { containsSecret } from "./secrets";

export interface HistoryLimits {
  maxEntries: number;
  maxChars: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxEntries: 100, maxChars: 16 * 1024 };

const FORMAT = "xmpp-sic-send-history";
const VERSION = 1;

export type AddOutcome = "added" | "moved-to-front" | "empty" | "too-long" | "secret";

export class SendHistory {
  private items: string[] = [];
  readonly limits: HistoryLimits;

  constructor(limits: Partial<HistoryLimits> = {}) {
    this.limits = { ...DEFAULT_HISTORY_LIMITS, ...limits };
  }

  /** Most recent first. */
  get entries(): readonly string[] {
    return this.items;
  }

  /**
   * Records a sent text. Texts that are empty, too long, or contain one of the secrets are not
   * kept (the reason is returned); a text already present moves to the front.
   */
  add(text: string, secrets: readonly string[] = []): AddOutcome {
    const entry = text.trim();
    if (entry.length === 0) return "empty";
    if (entry.length > this.limits.maxChars) return "too-long";
    if (containsSecret(entry, secrets)) return "secret";
    const existed = this.items.includes(entry);
    this.items = [entry, ...this.items.filter((e) => e !== entry)].slice(0, this.limits.maxEntries);
    return existed ? "moved-to-front" : "added";
  }

  /** Forgets every entry that carries one of the secrets (e.g. after the password changed). */
  forgetSecrets(secrets: readonly string[]): number {
    const before = this.items.length;
    this.items = this.items.filter((e) => !containsSecret(e, secrets));
    return before - this.items.length;
  }

  clear(): void {
    this.items = [];
  }

  serialise(): string {
    return JSON.stringify({ format: FORMAT, version: VERSION, entries: this.items });
  }

  /**
   * Reads a stored history, whatever was stored: anything that is not a history (corrupt, another
   * version, not JSON) gives an empty one, and entries that are not strings, too long, repeated or
   * carry a secret are dropped, so a tampered store cannot grow past the limits.
   */
  static parse(stored: string | undefined, limits: Partial<HistoryLimits> = {}, secrets: readonly string[] = []): SendHistory {
    const history = new SendHistory(limits);
    const { maxEntries, maxChars } = history.limits;
    // Longer than the limits allow even with JSON's worst escaping (\uXXXX per character): not ours.
    if (typeof stored !== "string" || stored.length > maxEntries * (maxChars * 6 + 3) + 200) return history;
    let value: unknown;
    try {
      value = JSON.parse(stored);
    } catch {
      return history;
    }
    const record = value as { format?: unknown; version?: unknown; entries?: unknown } | null;
    if (!record || record.format !== FORMAT || record.version !== VERSION || !Array.isArray(record.entries)) return history;
    const kept: string[] = [];
    for (const e of record.entries) {
      if (kept.length >= maxEntries) break;
      if (typeof e !== "string") continue;
      const entry = e.trim();
      if (entry.length === 0 || entry.length > maxChars || kept.includes(entry) || containsSecret(entry, secrets)) continue;
      kept.push(entry);
    }
    history.items = kept;
    return history;
  }
}
