// Reaching the server over TCP: the targets in order (SRV, a given host, or the domain), each
// target's addresses in both families at once, staggered (RFC 8305 "happy eyeballs"), optionally
// limited to one family; and the sentences that say why nothing answered.
import net from "node:net";
import { isSicError, SicError } from "./errors";
import { parseIp, type Family } from "./ip";
import { abortable, describeLookupError, lookupHost, type Address, type Resolver, type Target } from "./resolve";

/** Why one connection attempt failed: [a sentence when it is the only failure, a short form for lists]. */
const CONNECT_ERRORS: Record<string, [(target: string) => string, string]> = {
  ECONNREFUSED: [(t) => `Nothing accepts connections at ${t} (connection refused). Check the host and port, and that the server is running.`, "connection refused"],
  ETIMEDOUT: [(t) => `Connecting to ${t} timed out. A firewall may be dropping the traffic.`, "timed out"],
  EHOSTUNREACH: [(t) => `${t} is unreachable from this machine (no route to host).`, "no route to host"],
  ENETUNREACH: [(t) => `The network of ${t} is unreachable from this machine.`, "network unreachable"],
  ECONNRESET: [(t) => `${t} reset the connection.`, "connection reset"],
  EADDRNOTAVAIL: [(t) => `This machine has no source address to reach ${t} from.`, "no source address"],
};

/** RFC 8305 §5: the recommended delay before the next address is tried alongside the first. */
export const ATTEMPT_DELAY_MS = 250;

/**
 * RFC 6120 §3.2: when one target fails the next is tried. A target that drops packets silently
 * never fails by itself (the kernel gives up after minutes), so every target but the last gets
 * its own connect budget: a third of the check's deadline, within 1–5 s.
 */
export function targetBudgetMs(deadlineMs: number): number {
  return Math.min(5_000, Math.max(1_000, Math.round(deadlineMs / 3)));
}
export const DEFAULT_TARGET_BUDGET_MS = targetBudgetMs(15_000);

/** A target's own budget ran out (not the check's deadline). */
class BudgetSpent extends Error {}

const FAMILY_NUMBER: Record<Family, 4 | 6> = { IPv4: 4, IPv6: 6 };

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** How a target was found, as a clause for error messages. */
function how(target: Target): string {
  if (target.found === "srv") return ` (found through the SRV record ${target.srv})`;
  if (target.found === "fallback") return ` (the domain has no XMPP SRV records, so the domain itself on port ${target.port} was tried)`;
  return "";
}

interface Failure {
  /** The whole message, when it is the only failure. */
  alone: string;
  /** A list item, among others. */
  item: string;
}

class AttemptsFailed extends Error {
  constructor(readonly attempts: { address: Address; error: NodeJS.ErrnoException }[]) {
    super("every connection attempt failed");
  }
}

function attemptFailure(target: Target, attempts: AttemptsFailed["attempts"]): Failure {
  const items = attempts.map(({ address, error }) => {
    const short = CONNECT_ERRORS[error.code ?? ""]?.[1] ?? error.code ?? error.message;
    return `${hostPort(address.address, target.port)}: ${short}`;
  });
  const label = `${target.host}${how(target)}`;
  if (attempts.length > 1) {
    return { alone: `None of the addresses of ${label} accepted a connection: ${items.join("; ")}.`, item: `${target.host} ${items.join("; ")}` };
  }
  const { address, error } = attempts[0]!;
  const where = hostPort(address.address, target.port);
  const describe = CONNECT_ERRORS[error.code ?? ""]?.[0];
  const sentence = describe ? describe(where) : `Could not connect to ${where}: ${error.message}.`;
  return { alone: target.found === "host" ? sentence : `${sentence} That address is ${label}.`, item: `${target.host} ${items[0]}` };
}

/**
 * Tries each target in order until one connects; each target's addresses with happy eyeballs,
 * each target but the last within `budgetMs`.
 */
export async function connectTargets(
  targets: Target[],
  resolver: Resolver,
  family: Family | undefined,
  signal: AbortSignal,
  budgetMs = DEFAULT_TARGET_BUDGET_MS,
): Promise<{ socket: net.Socket; target: Target; address: Address }> {
  const failures: Failure[] = [];
  for (const [index, target] of targets.entries()) {
    const budget = index < targets.length - 1 ? budgetMs : null;
    const attempt = new AbortController();
    const onAbort = () => attempt.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const timer = budget === null ? undefined : setTimeout(() => attempt.abort(new BudgetSpent()), budget);
    try {
      const failure = await tryTarget(target, resolver, family, attempt.signal);
      if (!("alone" in failure)) return failure;
      failures.push(failure);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (!(attempt.signal.reason instanceof BudgetSpent)) throw err;
      const what = `${hostPort(target.host, target.port)} did not answer within ${budget} ms`;
      failures.push({ alone: `${what}${how(target)}. A firewall may be dropping the traffic.`, item: `${target.host} did not answer within ${budget} ms` });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }
  if (failures.length === 1) throw new SicError("connect", failures[0]!.alone);
  const where = targets[0]?.found === "srv" ? `the ${targets.length} servers found through SRV` : "the server";
  throw new SicError(
    "connect",
    `Could not connect to ${where}: ${failures.map((f) => f.item).join("; ")}. Check that the server runs and that your network reaches it.`,
  );
}

/** One target: its addresses, then a connection to one of them; a Failure when none answers. */
async function tryTarget(
  target: Target,
  resolver: Resolver,
  family: Family | undefined,
  signal: AbortSignal,
): Promise<{ socket: net.Socket; target: Target; address: Address } | Failure> {
  let addresses: Address[];
  try {
    addresses = await abortable(lookupHost(resolver, target.host), signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (isSicError(err)) throw err;
    const { what, advice } = describeLookupError(target.host, err);
    return { alone: `${what}${how(target)}. ${advice}`, item: what };
  }
  const wanted = family ? addresses.filter((a) => a.family === FAMILY_NUMBER[family]) : addresses;
  if (wanted.length === 0) {
    const what = `${target.host} has no ${family} address (only ${addresses.map((a) => a.address).join(", ")})`;
    return { alone: `${what}${how(target)}.`, item: what };
  }
  // Plaintext is refused before any packet leaves for a non-loopback address (and again after
  // connecting, in openSession, against the address actually reached).
  const outside = target.tls === "none" ? wanted.find((a) => parseIp(a.address)?.range !== "loopback") : undefined;
  if (outside) {
    throw new SicError("usage", `Unencrypted connections are only allowed to a loopback address; ${target.host} is ${outside.address}.`);
  }
  try {
    const { socket, address } = await happyEyeballs(wanted, target.port, signal);
    return { socket, target, address };
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (!(err instanceof AttemptsFailed)) throw err;
    return attemptFailure(target, err.attempts);
  }
}

/** Alternates families, keeping each family's own order, starting with the resolver's first choice. */
export function interleaveFamilies(addresses: readonly Address[]): Address[] {
  const first = addresses[0]?.family;
  const same = addresses.filter((a) => a.family === first);
  const other = addresses.filter((a) => a.family !== first);
  const out: Address[] = [];
  for (let i = 0; i < Math.max(same.length, other.length); i++) {
    if (same[i]) out.push(same[i]!);
    if (other[i]) out.push(other[i]!);
  }
  return out;
}

/**
 * Connection attempts to each address in turn, the next one starting when the previous fails or
 * after ATTEMPT_DELAY_MS, whichever comes first; the first to connect wins and the others are
 * closed. Rejects with AttemptsFailed once every attempt has failed.
 */
function happyEyeballs(addresses: readonly Address[], port: number, signal: AbortSignal): Promise<{ socket: net.Socket; address: Address }> {
  const ordered = interleaveFamilies(addresses);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const sockets: net.Socket[] = [];
    const failed: AttemptsFailed["attempts"] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      settle();
      sockets.forEach((s) => s.destroy());
      reject(signal.reason);
    };
    const startNext = () => {
      clearTimeout(timer);
      if (settled || sockets.length >= ordered.length) return;
      const address = ordered[sockets.length]!;
      const socket = net.connect({ host: address.address, port, noDelay: true });
      sockets.push(socket);
      const onError = (error: NodeJS.ErrnoException) => {
        socket.destroy();
        if (settled) return;
        failed.push({ address, error });
        if (failed.length === ordered.length) {
          settle();
          reject(new AttemptsFailed(failed));
        } else if (sockets.length === failed.length) {
          startNext(); // nothing else in flight: no reason to wait for the timer
        }
      };
      socket.once("error", onError);
      socket.once("connect", () => {
        if (settled) return void socket.destroy();
        settle();
        socket.off("error", onError);
        for (const other of sockets) if (other !== socket) other.destroy();
        resolve({ socket, address });
      });
      timer = setTimeout(startNext, ATTEMPT_DELAY_MS);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    startNext();
  });
}
