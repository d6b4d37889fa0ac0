// A throwaway code-server (VS Code 1.100 served to a browser, with a real Node extension host) on
// loopback, installed by scripts/install-code-server.sh. Each instance has its own temp user data,
// extensions and workspace dirs, runs as the leader of its own process group, and is stopped by
// signalling that group, so nothing it spawned (extension host, pty host, file watcher) outlives it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants, homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { hasExited, killDaemon, runTool, startDaemon, stopDaemon } from "../../scripts/testbed/process";

/** Keep in step with scripts/install-code-server.sh. */
export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? "4.100.3";

export function codeServerDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "xmpp-sic", `code-server-${CODE_SERVER_VERSION}`);
}

/** The code-server entry point, run with this Node (code-server 4.100 needs Node 20). */
export function codeServerEntry(): string {
  return join(codeServerDir(), "node_modules", "code-server", "out", "node", "entry.js");
}

/** Why code-server cannot run here, or undefined. */
export function codeServerUnavailable(): string | undefined {
  const dir = codeServerDir();
  if (!existsSync(join(dir, ".complete")) || !existsSync(codeServerEntry())) {
    return `code-server ${CODE_SERVER_VERSION} is not installed in ${dir} (bash scripts/install-code-server.sh)`;
  }
  const major = process.versions.node.split(".")[0];
  if (major !== "20") return `code-server ${CODE_SERVER_VERSION} needs Node 20, this is Node ${process.versions.node}`;
  return undefined;
}

export interface StartOptions {
  /** Extra environment for the server, which its extension hosts inherit. */
  env?: Record<string, string>;
  /** Written to the user settings.json before the start. */
  settings?: Record<string, unknown>;
  /** How long to wait for the server to listen; default 30 s. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Instances still running, killed (synchronously) if this process exits or is told to stop
// before their owners could stop them: the test runner sends SIGTERM to a test file it abandons.
const live = new Set<CodeServer>();
let hooked = false;

function hookProcessEnd(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => live.forEach((server) => server.kill()));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      live.forEach((server) => server.kill());
      // Ours was the only listener: do what the signal would have done.
      if (process.listenerCount(signal) === 0) process.exit(128 + constants.signals[signal]);
    });
  }
}

/** Everything code-server and VS Code write goes under `dir`; `stop()` then `dispose()` remove it. */
export class CodeServer {
  readonly dir = mkdtempSync(join(tmpdir(), "xmpp-sic-code-server-"));
  readonly userDataDir = join(this.dir, "user-data");
  readonly extensionsDir = join(this.dir, "extensions");
  /** An empty folder to open as the workspace. */
  readonly workspaceDir = join(this.dir, "workspace");
  readonly logFile = join(this.dir, "code-server.log");
  private readonly configFile = join(this.dir, "config.yaml");
  private readonly xdgDir = join(this.dir, "xdg");
  private child: ChildProcess | undefined;
  /** http://127.0.0.1:PORT once started. */
  url = "";
  port = 0;

  constructor() {
    for (const d of [this.userDataDir, this.extensionsDir, this.workspaceDir, this.xdgDir]) mkdirSync(d, { recursive: true });
    // code-server writes a default config (with a generated password) when it finds none.
    writeFileSync(this.configFile, "auth: none\ncert: false\n");
  }

  private baseArgs(): string[] {
    return [codeServerEntry(), "--config", this.configFile, "--user-data-dir", this.userDataDir, "--extensions-dir", this.extensionsDir];
  }

  private baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    // code-server keeps a little state under XDG dirs (e.g. coder.json): keep it out of $HOME.
    return {
      ...process.env,
      XDG_CONFIG_HOME: join(this.xdgDir, "config"),
      XDG_DATA_HOME: join(this.xdgDir, "data"),
      // Not a child of some other VS Code: ignore what such a parent might have exported.
      VSCODE_IPC_HOOK_CLI: "",
      ...extra,
    };
  }

  /** `code-server --install-extension <vsix>` into this instance's extensions dir. */
  async installVsix(vsix: string): Promise<string> {
    return runTool(process.execPath, [...this.baseArgs(), "--install-extension", vsix, "--force"], {
      env: this.baseEnv(),
      timeoutMs: 120_000,
    });
  }

  writeUserSettings(settings: Record<string, unknown>): void {
    const dir = join(this.userDataDir, "User");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "settings.json"), JSON.stringify(settings, null, 2));
  }

  async start(opts: StartOptions = {}): Promise<void> {
    if (this.child) throw new Error("code-server already started");
    const reason = codeServerUnavailable();
    if (reason) throw new Error(reason);
    if (opts.settings) this.writeUserSettings(opts.settings);
    const args = [
      ...this.baseArgs(),
      "--bind-addr",
      "127.0.0.1:0",
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      "--log",
      "debug",
    ];
    hookProcessEnd();
    this.child = startDaemon(process.execPath, args, { env: this.baseEnv(opts.env), outputFile: this.logFile, cwd: this.workspaceDir });
    live.add(this);

    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+))\//.exec(this.logText());
      if (match) {
        this.url = match[1]!;
        this.port = Number(match[2]);
        break;
      }
      if (hasExited(this.child)) throw new Error(`code-server exited early:\n${this.logText()}`);
      if (Date.now() > deadline) throw new Error(`code-server did not listen in time:\n${this.logText()}`);
      await sleep(50);
    }
    // Listening is not yet serving: wait for the workbench page itself.
    for (;;) {
      try {
        const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz in time:\n${this.logText()}`);
      await sleep(100);
    }
  }

  /** The URI the workbench uses for a path on this machine (the server's side of the remote). */
  remoteUri(path: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${encodeURI(path)}`;
  }

  /**
   * The workbench URL, opening `folder` (default: the empty workspace dir) with the given
   * `payload` pairs, e.g. extensionDevelopmentPath / extensionTestsPath as remoteUri()s.
   */
  workbenchUrl(opts: { folder?: string; payload?: [string, string][] } = {}): string {
    const query = new URLSearchParams({ folder: opts.folder ?? this.workspaceDir });
    if (opts.payload) query.set("payload", JSON.stringify(opts.payload));
    return `${this.url}/?${query}`;
  }

  logText(): string {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
  }

  /** Stops the server and everything it spawned; the dirs stay until dispose(). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await stopDaemon(child, 5_000);
    live.delete(this);
  }

  /** stop() and remove every file this instance wrote (kept with XMPP_SIC_VSCODE_KEEP=1, for debugging). */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      if (process.env.XMPP_SIC_VSCODE_KEEP === "1") console.error(`code-server files kept in ${this.dir}`);
      else rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Synchronous last resort for 'exit' handlers: SIGKILL the whole group, remove the files. */
  kill(): void {
    if (this.child) killDaemon(this.child);
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
