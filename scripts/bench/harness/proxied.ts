// Connections through a delay proxy (delayProxy.ts), for the round-trip sections: one check
// through a proxy with its connection's log, the log kept as JSON, and a run's counts as a key.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HOST, KEYLOG_DIR } from "./config";
import { DelayProxy, type ConnectionLog } from "./delayProxy";
import { own, release } from "./owned";
import type { WaitCount } from "./waits";

/** `promise`, or a rejection saying `what` did not happen within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms).unref())]);
}

/** A proxy registered for cleanup (stop it with owned.release()). */
export async function startProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  return own(await DelayProxy.start({ targetHost: HOST, targetPort, delayMs, keepData: true }));
}

/** One check through a delay proxy: `proxy` if given (set to `delayMs`), else a new one stopped afterwards. */
export async function throughProxy<T>(
  target: number,
  delayMs: number,
  body: (port: number) => Promise<T>,
  proxy?: DelayProxy,
): Promise<{ value: T; log: ConnectionLog }> {
  const p = proxy ?? (await startProxy(target, delayMs));
  p.setDelay(delayMs);
  try {
    const closed = p.nextClosed();
    const value = await body(p.port);
    const log = await within(closed, 4 * delayMs + 5_000, "the proxied connection did not close");
    return { value, log };
  } finally {
    if (proxy === undefined) await release(p);
  }
}

/** Keeps a delayed connection's chunk log and flights as JSON, for a closer look (.cache/bench/rtt/). */
export function dumpConnection(tool: string, run: number, delayMs: number, log: ConnectionLog, count: WaitCount): void {
  const dir = join(KEYLOG_DIR, "..", "rtt");
  try {
    mkdirSync(dir, { recursive: true });
    const chunks = log.chunks.map(({ data: _data, ...rest }) => ({
      ...rest,
      readAt: rest.readAt - log.acceptedAt,
      deliveredAt: rest.deliveredAt - log.acceptedAt,
    }));
    const file = join(dir, `${tool.replace(/[^\w]+/g, "-").replace(/^-|-$/g, "")}-run${run + 1}.json`);
    writeFileSync(file, JSON.stringify({ tool, delayMs, chunks, flights: count.flights, waits: { total: count.total, toAnswer: count.toAnswer } }, null, 1));
  } catch {
    // A debugging aid only.
  }
}

/** "to answer real+ACK / whole real+ACK+close": runs agree when their keys do. */
export const countKey = (c: WaitCount) => `${c.toAnswer.real}+${c.toAnswer.ack} / ${c.total.real}+${c.total.ack}+${c.total.close}`;

/** The report's last column: whether the runs' counts agreed, or how they varied. */
export function agreement(counts: readonly WaitCount[]): string {
  const distinct = [...new Set(counts.map(countKey))];
  return distinct.length === 1 ? `same in all ${counts.length}` : `varied: ${distinct.join("; ")}`;
}
