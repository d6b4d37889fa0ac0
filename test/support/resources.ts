// What a check leaves behind: open sockets and timers (process.getActiveResourcesInfo()) and heap
// after a full garbage collection. The GC is reached through V8's flag at run time, so the tests
// need no --expose-gc on node's command line (node --test does not pass one to its workers).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as (() => void) | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Heap in use after full collections (several: weak callbacks and finalisers free more per pass). */
export async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    collect?.();
  }
  return process.memoryUsage().heapUsed;
}

export const MB = 1024 * 1024;

/** The handle kinds a check could leak. */
const WATCHED = ["TCPSocketWrap", "TLSWrap", "Timeout", "ConnectWrap", "GetAddrInfoReqWrap", "TCPWRAP", "TTYWrap", "PipeWrap"];

export type ResourceCounts = Record<string, number>;

export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const name of process.getActiveResourcesInfo()) {
    if (WATCHED.includes(name)) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function describe(counts: ResourceCounts): string {
  return JSON.stringify(Object.fromEntries(Object.entries(counts).sort()));
}

function exceeds(now: ResourceCounts, baseline: ResourceCounts): boolean {
  return Object.entries(now).some(([name, n]) => n > (baseline[name] ?? 0));
}

/**
 * Waits (a little: sockets close on the next turns of the loop) until no watched handle kind
 * exceeds the baseline; throws naming what is still open.
 */
export async function assertNoLeaks(baseline: ResourceCounts, what: string, waitMs = 2_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  let now = activeResources();
  while (exceeds(now, baseline) && Date.now() < deadline) {
    await sleep(20);
    now = activeResources();
  }
  if (exceeds(now, baseline)) {
    throw new Error(`${what} left resources open: before ${describe(baseline)}, after ${describe(now)}`);
  }
}
