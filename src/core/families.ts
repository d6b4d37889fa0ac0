// Dual-stack: the same check over IPv4 and over IPv6, each on its own connection, because the two
// usually take different paths (IPv4 through a NAT, IPv6 routed). Built on check(): the server is
// found once (SRV, addresses) and each family's check connects to the same targets.
import { validateJid, validatePort, validateTlsMode } from "./account";
import { check, DEFAULT_TIMEOUT_MS, type CheckOptions, type CheckResult } from "./check";
import { isSicError, SicError } from "./errors";
import type { Family } from "./ip";
import { abortable, cachingResolver, lookupHost, resolveTargets, systemResolver, type Resolver, type Target } from "./resolve";

/**
 * "auto" (default): every family the server's address has; "both": IPv4 and IPv6, reporting a
 * family the server lacks as a failure; "ipv4" / "ipv6": that family only.
 */
export type FamilyChoice = "auto" | "both" | "ipv4" | "ipv6";
export const FAMILY_CHOICES: readonly FamilyChoice[] = ["auto", "both", "ipv4", "ipv6"];

export type FamilyOutcome =
  | { family: Family; ok: true; result: CheckResult }
  | { family: Family; ok: false; error: SicError };

export interface FamiliesResult {
  /**
   * The outcome to show first: that of the family an ordinary connection would have used (the
   * first address's), when it succeeded; else the first success; else the first failure.
   */
  primary: FamilyOutcome;
  /** One per family tried, in the order of preference. */
  outcomes: FamilyOutcome[];
}

export interface FamiliesOptions extends Omit<CheckOptions, "family" | "targets"> {
  families?: FamilyChoice;
}

const ALL: Family[] = ["IPv6", "IPv4"];

export function validateFamilyChoice(value: unknown): FamilyChoice {
  if (typeof value === "string" && (FAMILY_CHOICES as readonly string[]).includes(value)) return value as FamilyChoice;
  throw new SicError("usage", `The address family must be one of ${FAMILY_CHOICES.join(", ")}, not "${String(value)}".`);
}

/**
 * Checks over each family on its own connection, in parallel. Rejects (with a SicError) only when
 * no family could be tried at all: a usage error, or DNS failing to find the server.
 */
export async function checkFamilies(options: FamiliesOptions): Promise<FamiliesResult> {
  const choice = validateFamilyChoice(options.families ?? "auto");
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const resolver = cachingResolver(options.resolver ?? systemResolver());

  // Validated here too, so that a usage error rejects rather than failing each family alike.
  const jid = validateJid(options.jid);
  if (!options.password) throw new SicError("usage", "No password given.");
  const host = options.host?.trim() || undefined;
  const port = options.port === undefined ? undefined : validatePort(options.port);
  const tls = options.tls === undefined ? undefined : validateTlsMode(options.tls);

  const signals = [AbortSignal.timeout(Math.max(1, timeoutMs)), ...(options.signal ? [options.signal] : [])];
  const signal = AbortSignal.any(signals);
  let targets: Target[];
  let present: Family[];
  try {
    targets = await abortable(resolveTargets({ domain: jid.domain, host, port, tls }, resolver), signal);
    present = choice === "ipv4" ? ["IPv4"] : choice === "ipv6" ? ["IPv6"] : await abortable(familiesOf(targets, resolver), signal);
  } catch (err) {
    if (options.signal?.aborted) throw new SicError("cancelled", "The check was cancelled.");
    if (signal.aborted) throw new SicError("timeout", `No answer within ${timeoutMs} ms (while looking up the server in DNS).`);
    throw err;
  }

  let families: (Family | undefined)[];
  if (choice === "both") families = [...present, ...ALL.filter((f) => !present.includes(f))];
  else families = present.length > 0 ? present : [undefined]; // nothing resolved: let check() say why

  const remaining = Math.max(1, timeoutMs - (Date.now() - started));
  const outcomes = await Promise.all(
    families.map(async (family): Promise<FamilyOutcome & { tried: Family | undefined }> => {
      const { families: _choice, ...rest } = options;
      try {
        const result = await check({ ...rest, resolver, targets, timeoutMs: remaining, ...(family ? { family } : {}) });
        return { family: result.server.family, ok: true, result, tried: family };
      } catch (err) {
        const error = isSicError(err) ? err : new SicError("connect", String(err));
        return { family: family ?? "IPv4", ok: false, error, tried: family };
      }
    }),
  );
  // A usage error (or a cancellation) is not about one family: it is the answer.
  const fatal = outcomes.find((o) => !o.ok && (o.error.code === "usage" || o.error.code === "cancelled"));
  if (fatal && !fatal.ok) throw fatal.error;
  if (outcomes.length === 1 && outcomes[0]!.tried === undefined && !outcomes[0]!.ok) throw outcomes[0]!.error;

  const list: FamilyOutcome[] = outcomes.map(({ tried: _tried, ...o }) => o as FamilyOutcome);
  const primary = (list[0]!.ok ? list[0] : list.find((o) => o.ok)) ?? list[0]!;
  return { primary, outcomes: list };
}

/**
 * The families of the first target that has any address (the one an ordinary client would use),
 * its first address's family first.
 */
async function familiesOf(targets: Target[], resolver: Resolver): Promise<Family[]> {
  for (const target of targets) {
    let addresses;
    try {
      addresses = await lookupHost(resolver, target.host);
    } catch {
      continue;
    }
    const families = [...new Set(addresses.map((a) => (a.family === 6 ? "IPv6" : "IPv4") as Family))];
    if (families.length > 0) return families;
  }
  return [];
}
