// Where a session's time went: each phase from the end of the previous one.
import { performance } from "node:perf_hooks";

export interface Timings {
  connect: number;
  tls: number;
  auth: number;
  /** The questions, from bound to the last answer. */
  query: number;
  total: number;
}

export class Stopwatch {
  private readonly started = performance.now();
  private last = this.started;
  readonly timings: Timings = { connect: 0, tls: 0, auth: 0, query: 0, total: 0 };

  lap(phase: Exclude<keyof Timings, "total">): void {
    const now = performance.now();
    this.timings[phase] = round(now - this.last);
    this.last = now;
  }

  stop(): Timings {
    this.timings.total = round(performance.now() - this.started);
    return this.timings;
  }
}

/** Milliseconds to one decimal. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
