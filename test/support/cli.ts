// Runs the built CLI (dist/cli.js) as a user would, with a deadline.
import { spawn } from "node:child_process";
import { join } from "node:path";

export const CLI = join(__dirname, "..", "..", "..", "dist", "cli.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    if (!options.env?.XMPP_PASSWORD) delete env.XMPP_PASSWORD;
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`xmpp-sic ${args.join(" ")} did not exit within ${options.timeoutMs ?? 30000} ms`));
    }, options.timeoutMs ?? 30000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}
