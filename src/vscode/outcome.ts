// What a check left behind, in the form globalState keeps and the API returns (plain JSON: no
// Error objects), one entry per address family; and what counts as "the address changed".
import type { CheckResult, ErrorCode, ErrorReason, FamiliesResult, Family, SicError } from "../core";
import type { ExtensionAccountSettings } from "./accounts";

export interface StoredError {
  code: ErrorCode;
  /** What happened; the advice for `reason` is added where it is shown (advice.ts). */
  message: string;
  reason?: ErrorReason;
  data?: Readonly<Record<string, string>>;
}

export type FamilyResult = { family: Family; ok: true; result: CheckResult } | { family: Family; ok: false; error: StoredError };

/** Present on every outcome recorded since families were checked side by side. */
interface Shared {
  /** One per family tried, the primary's first; absent when only one was. */
  families?: FamilyResult[];
  /** The account's settings when it was checked: a change of address after a change of settings is no news. */
  settingsKey?: string;
}

export type CheckOutcome = ({ ok: true; result: CheckResult } | { ok: false; error: StoredError; at: string }) & Shared;

export function storedError(error: SicError): StoredError {
  return { code: error.code, message: error.message, ...(error.reason ? { reason: error.reason } : {}), ...(error.data ? { data: { ...error.data } } : {}) };
}

export function settingsKey(settings: ExtensionAccountSettings): string {
  const { jid, host, port, tls, caFile, fingerprint, families } = settings;
  return JSON.stringify([jid, host, port, tls, caFile, fingerprint, families ?? "auto"]);
}

/** An outcome from the core's multi-family check: the primary family's result or error on top. */
export function fromFamilies(found: FamiliesResult, key: string): CheckOutcome {
  const families: FamilyResult[] = found.outcomes.map((o) => (o.ok ? o : { family: o.family, ok: false, error: storedError(o.error) }));
  const i = Math.max(0, found.outcomes.indexOf(found.primary));
  const primary = families[i]!;
  const shared: Shared = { settingsKey: key, ...(families.length > 1 ? { families: [primary, ...families.filter((_, j) => j !== i)] } : {}) };
  return primary.ok ? { ok: true, result: primary.result, ...shared } : { ok: false, error: primary.error, at: new Date().toISOString(), ...shared };
}

/** Each family's outcome: those listed, else the one the outcome is about. */
export function familiesOf(outcome: CheckOutcome): FamilyResult[] {
  if (outcome.families) return outcome.families;
  return outcome.ok ? [{ family: outcome.result.address.family, ok: true, result: outcome.result }] : [];
}

export interface FamilyChange {
  family: Family;
  before: CheckResult;
  after: CheckResult;
}

/**
 * The families whose external IP differs from the previous check's over the same family. The
 * port is not compared: every connection has a fresh source port. Nothing changed "by itself"
 * when the account's own settings changed in between (say, host 127.0.0.1 → ::1).
 */
export function addressChanges(before: CheckOutcome | undefined, after: CheckOutcome): FamilyChange[] {
  if (!before || before.settingsKey === undefined || before.settingsKey !== after.settingsKey) return [];
  const earlier = new Map(familiesOf(before).flatMap((f) => (f.ok ? [[f.family, f.result] as const] : [])));
  return familiesOf(after).flatMap((f) => {
    const was = f.ok ? earlier.get(f.family) : undefined;
    return f.ok && was && was.address.ip !== f.result.address.ip ? [{ family: f.family, before: was, after: f.result }] : [];
  });
}
