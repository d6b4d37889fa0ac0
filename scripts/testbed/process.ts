// Child processes of the test bed: one-shot admin tools, and long-running servers that each get
// their own process group so that stopping one can never signal anything else on the machine.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";

export interface RunAs {
  uid: number;
  gid: number;
}

export interface ToolOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  runAs?: RunAs;
  timeoutMs?: number;
}

/** Runs a command to completion; a failure carries its output, which is what explains it. */
export function runTool(command: string, args: string[], opts: ToolOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: opts.env, cwd: opts.cwd, ...opts.runAs, timeout: opts.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const output = `${stdout}${stderr}`.trim();
        reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${output}`));
      },
    );
  });
}

export interface DaemonOptions extends ToolOptions {
  /** Receives the process's stdout and stderr. */
  outputFile: string;
}

/** Starts a long-running server as the leader of a new process group. */
export function startDaemon(command: string, args: string[], opts: DaemonOptions): ChildProcess {
  const out = openSync(opts.outputFile, "a");
  try {
    const child = spawn(command, args, {
      env: opts.env,
      cwd: opts.cwd,
      ...opts.runAs,
      detached: true,
      stdio: ["ignore", out, out],
    });
    // The server must not keep a test process alive; its owner stops it explicitly.
    child.unref();
    // Without this a failed exec (e.g. ENOENT) would be an unhandled 'error' event.
    child.on("error", () => {});
    return child;
  } finally {
    closeSync(out);
  }
}

/**
 * Live (non-zombie) members of a process group. The group outlives its leader while e.g. an
 * Erlang VM shuts down, and this sandbox's init does not reap orphans, so zombies must not count.
 */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // Fields after "(comm)": state ppid pgrp ...; comm may itself contain spaces or parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") members.push(Number(entry));
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

/** SIGTERM to the daemon's whole group, SIGKILL for whatever is still alive after `graceMs`. */
export async function stopDaemon(child: ChildProcess, graceMs: number): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined || isGone(child)) return;
  signalGroup(pgid, "SIGTERM");
  if (await waitGroupGone(pgid, graceMs)) return;
  signalGroup(pgid, "SIGKILL");
  if (!(await waitGroupGone(pgid, 5_000))) {
    throw new Error(`process group ${pgid} survived SIGKILL: ${groupMembers(pgid).join(", ")}`);
  }
}

/** Synchronous last resort, for process 'exit' handlers that cannot wait. */
export function killDaemon(child: ChildProcess): void {
  const pgid = child.pid;
  if (pgid !== undefined && !isGone(child)) signalGroup(pgid, "SIGKILL");
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Leader and group both gone: the number is then free for reuse and must never be signalled. */
function isGone(child: ChildProcess): boolean {
  return hasExited(child) && child.pid !== undefined && groupMembers(child.pid).length === 0;
}
