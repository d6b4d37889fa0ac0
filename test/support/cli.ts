// Runs the built CLI (dist/cli.js) as a user would, with a deadline. Each run gets a cache
// directory of its own, so tests neither read nor leave the server profiles of a real home.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CLI = join(__dirname, "..", "..", "..", "dist", "cli.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
  /** A command to run the CLI under, e.g. ["ip", "netns", "exec", "client"]. */
  via?: string[];
  /** Options for node itself, before the CLI's path (e.g. ["--require", file]). */
  nodeArgs?: string[];
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const cache = mkdtempSync(join(tmpdir(), "xmpp-sic-cli-cache-"));
  return new Promise<CliRun>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, ...options.env };
    if (!options.env?.XMPP_PASSWORD) delete env.XMPP_PASSWORD;
    const [command, ...prefix] = [...(options.via ?? []), process.execPath];
    const child = spawn(command!, [...prefix, ...(options.nodeArgs ?? []), CLI, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`xmpp-sic ${args.join(" ")} did not exit within ${options.timeoutMs ?? 30000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 30000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
    options.onSpawn?.(child);
  }).finally(() => rmSync(cache, { recursive: true, force: true }));
}
