// One clock for the bench, its children (a probe preload uses the same) and the proxy's log.
import { performance } from "node:perf_hooks";

/** Epoch ms with sub-millisecond resolution (performance.timeOrigin-based). */
export const epochNow = () => performance.timeOrigin + performance.now();

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
