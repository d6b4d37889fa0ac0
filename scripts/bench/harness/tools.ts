// The clients the bench runs as whole processes: the xmpp-sic CLI (with a cache of the bench's
// choosing) and the slixmpp peer. Each run is one check against host:port.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CACHE_ROOT, CLI, HOST, JID, PASSWORD, PYTHON, SLIXMPP_SCRIPT } from "./config";
import { scratchDir } from "./owned";
import { baseEnv, runProcess, type ProcessRun } from "./processes";

export interface RunTarget {
  port: number;
  caFile: string;
  /** Where the TLS secrets go (Node's --tls-keylog, Python's SSLKEYLOGFILE). */
  keylog?: string;
  /** The CLI's XDG_CACHE_HOME, where it keeps what it learned about servers (xmpp-sic/servers.json). */
  cacheHome: string;
}

export interface Tool {
  name: string;
  /** One whole-process check against host:port (Prosody STARTTLS, or the proxy in front of it). */
  run(target: RunTarget): Promise<ProcessRun>;
  answerPattern: RegExp;
}

/** `env`: changes to the bench's environment (undefined unsets); `nodeArgs` go before the CLI's path. */
export const cliTool = (name: string, opts: { env?: Record<string, string | undefined>; nodeArgs?: string[] } = {}): Tool => ({
  name,
  answerPattern: /127\.0\.0\.1/,
  run: ({ port, caFile, keylog, cacheHome }) =>
    runProcess(
      process.execPath,
      [
        ...(opts.nodeArgs ?? []),
        ...(keylog ? [`--tls-keylog=${keylog}`] : []),
        CLI,
        "check",
        JID,
        "--host",
        HOST,
        "--port",
        String(port),
        "--tls",
        "starttls",
        "--ca",
        caFile,
      ],
      // Never the user's own cache: each measurement decides what the CLI knows.
      baseEnv({ XMPP_PASSWORD: PASSWORD, XDG_CACHE_HOME: cacheHome, ...opts.env }),
    ),
});

export const slixmppTool: Tool = {
  name: "slixmpp 1.8 (xep_0279 check_ip, sic:0)",
  answerPattern: /^127\.0\.0\.1\s*$/m,
  run: ({ port, caFile, keylog }) =>
    runProcess(PYTHON, [SLIXMPP_SCRIPT, JID, HOST, String(port), caFile], baseEnv({ XMPP_PASSWORD: PASSWORD, ...(keylog ? { SSLKEYLOGFILE: keylog } : {}) })),
};

/** A CLI cache dir: `fresh` ones are new and empty for every use (a first contact), others persist for the run. */
export function cacheDir(name: string): string {
  const dir = join(scratchDir(CACHE_ROOT), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
let freshCaches = 0;
export function freshCacheDir(): string {
  const dir = join(scratchDir(CACHE_ROOT), `fresh-${++freshCaches}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function assertAnswered(tool: Tool, run: ProcessRun): void {
  if (run.code !== 0 || !tool.answerPattern.test(run.stdout)) {
    throw new Error(`${tool.name} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}
