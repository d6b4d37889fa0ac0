// Child processes, timed from spawn() to their first byte of output and to their exit.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { epochNow } from "./clock";
import { children } from "./owned";

export interface ProcessRun {
  /** From spawn() to the first byte on stdout (the answer), ms. */
  answerMs: number;
  /** From spawn() to the process having exited and closed its output, ms. */
  exitMs: number;
  /** performance.timeOrigin-based epoch ms of the first stdout byte. */
  answerAtEpoch: number;
  /** The same clock: just before spawn(), and when the process had exited and closed its output. */
  startedAtEpoch: number;
  exitAtEpoch: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const startedAtEpoch = epochNow();
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let answerMs = Number.NaN;
    let answerAtEpoch = Number.NaN;
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => {
      if (Number.isNaN(answerMs)) {
        answerMs = performance.now() - started;
        answerAtEpoch = epochNow();
      }
      stdout += d;
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      const exitMs = performance.now() - started;
      resolve({ answerMs, exitMs, answerAtEpoch, startedAtEpoch, exitAtEpoch: startedAtEpoch + exitMs, stdout, stderr, code });
    });
  });
}

/** The bench's environment without NODE_OPTIONS and SSLKEYLOGFILE, plus `extra` (undefined: unset). */
export function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.SSLKEYLOGFILE;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** For the CLI variants that run without the inherited NODE_EXTRA_CA_CERTS. */
export const WITHOUT_EXTRA_CA = { NODE_EXTRA_CA_CERTS: undefined };
