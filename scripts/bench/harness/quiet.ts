// Other work on the machine is the bench's noise: before the run and before each section, wait (a
// while) for the CPUs to be mostly idle, and note how idle they were for the report.
import { readFileSync } from "node:fs";
import { pause } from "./clock";
import { progress } from "./config";

/** The share of all CPUs' time spent idle over `ms` (Linux /proc/stat), or NaN elsewhere. */
async function idleShare(ms = 1_000): Promise<number> {
  const sample = () => {
    try {
      const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
      return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = sample();
  await pause(ms);
  const b = sample();
  return a && b && b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : Number.NaN;
}

/** Waits up to 3 minutes for ≥ 75 % idle CPUs (unless `wait` is false); returns the idle share found, as text. */
export async function waitForQuiet(wait: boolean): Promise<string> {
  const deadline = Date.now() + 180_000;
  let idle = await idleShare();
  while (wait && idle < 0.75 && Date.now() < deadline) {
    progress(`the CPUs are ${(100 * (1 - idle)).toFixed(0)}% busy with other work; waiting for them to quieten (--no-wait to skip) …`);
    await pause(5_000);
    idle = await idleShare();
  }
  return Number.isNaN(idle) ? "unknown" : `${(100 * idle).toFixed(0)}%${idle < 0.75 ? " (still busy: expect wide spreads)" : ""}`;
}
