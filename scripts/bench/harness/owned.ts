// Everything this process starts (servers, proxies, child processes, scratch directories) is
// registered here and stopped by cleanup(), also on SIGINT/SIGTERM and, as a last resort, at exit.
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import type { OwnedXmppServer } from "../../testbed/index";
import { progress } from "./config";
import type { DelayProxy } from "./delayProxy";

const servers: OwnedXmppServer[] = [];
/** Servers still starting: a stop must wait for them, or a server started after it would be left running. */
const starting: Promise<unknown>[] = [];
const proxies = new Set<DelayProxy>();
export const children = new Set<ChildProcess>();
const scratch = new Set<string>();
let cleaning: Promise<void> | null = null;
let interrupted = false;

/** Starts a server and registers it for cleanup the moment it is up. */
export function launch(start: () => Promise<OwnedXmppServer>): Promise<OwnedXmppServer> {
  const started = start().then((server) => {
    servers.push(server);
    return server;
  });
  starting.push(started.catch(() => {}));
  return started;
}

/** Registers a proxy for cleanup; `release` stops it and forgets it. */
export function own(proxy: DelayProxy): DelayProxy {
  proxies.add(proxy);
  return proxy;
}
export async function release(proxy: DelayProxy): Promise<void> {
  await proxy.stop();
  proxies.delete(proxy);
}

/** A directory removed by cleanup(). */
export function scratchDir(dir: string): string {
  scratch.add(dir);
  return dir;
}

/** Stops everything registered so far; concurrent calls share one run, a later call runs again. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.allSettled([...proxies].map((p) => release(p)));
    await Promise.allSettled(starting.splice(0));
    await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  })().finally(() => {
    cleaning = null;
  });
  return cleaning;
}

/** Whether a SIGINT/SIGTERM arrived: what fails after it is its doing. */
export const wasInterrupted = () => interrupted;

export function stopOnSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) return; // a terminal's Ctrl-C reaches us and run.mjs both
      interrupted = true;
      progress(`${signal}: stopping servers and children …`);
      void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }
  process.once("exit", () => {
    for (const child of children) child.kill("SIGKILL");
    for (const server of servers) server.kill();
  });
}
