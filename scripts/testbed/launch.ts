// A server instance this process owns: its process, started and waited for until it serves (or
// failing with the server's own words), stopped and restarted; and its temp dir, removed at the end.
import type { ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { waitUntilListening } from "./ports";
import { hasExited, killDaemon, startDaemon, stopDaemon, type DaemonOptions } from "./process";
import type { OwnedXmppServer, XmppServer } from "./types";

export interface LaunchSpec extends DaemonOptions {
  command: string;
  args: string[];
  /** Ports that must accept connections on both loopback addresses. */
  ports: number[];
  startTimeoutMs: number;
  stopGraceMs: number;
  /** The server's own log, quoted (with the console output) when the start fails. */
  logFile: string;
  /** How to wait until it serves; default: `ports` accept connections on both loopback addresses. */
  waitReady?: (timeoutMs: number, gaveUp: () => boolean) => Promise<void>;
}

export function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function tail(file: string, lines = 40): string {
  const text = readLog(file).trimEnd();
  return text ? `--- ${file} (tail)\n${text.split("\n").slice(-lines).join("\n")}` : `--- ${file}: empty`;
}

export class ServerProcess {
  private child: ChildProcess | undefined;

  constructor(private readonly spec: LaunchSpec) {}

  async start(): Promise<void> {
    const { spec } = this;
    const child = startDaemon(spec.command, spec.args, spec);
    try {
      const wait = spec.waitReady ?? ((ms: number, gaveUp: () => boolean) => waitUntilListening(spec.ports, ms, gaveUp));
      await wait(spec.startTimeoutMs, () => hasExited(child));
    } catch (error) {
      await stopDaemon(child, spec.stopGraceMs);
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`${spec.command} did not start: ${why}\n${tail(spec.logFile)}\n${tail(spec.outputFile)}`);
    }
    this.child = child;
  }

  /** Stops the process; stopping again, or a process that never started, is a no-op. */
  async stop(): Promise<void> {
    const { child } = this;
    this.child = undefined;
    if (child) await stopDaemon(child, this.spec.stopGraceMs);
  }

  /** SIGKILL without waiting, for process 'exit' handlers. */
  kill(): void {
    const { child } = this;
    this.child = undefined;
    if (child) killDaemon(child);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** Stopping a server process this process owns, and removing its temp dir after it. */
export function stoppers(server: ServerProcess, dir: string): { stop(): Promise<void>; kill(): void } {
  return {
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
    kill() {
      server.kill();
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** Turns a handle on a running instance into the owner's handle, which also removes `dir`. */
export function owned(handle: XmppServer, server: ServerProcess, dir: string): OwnedXmppServer {
  return { ...handle, restart: () => server.restart(), ...stoppers(server, dir) };
}
