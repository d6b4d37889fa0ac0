// The CLI runs once per check, so what it learns about a server (stream features, mechanism,
// disco features: nothing secret) is kept in a small file for the next run to pipeline with.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ProfileCache } from "../core";

export function profileFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "xmpp-sic", "servers.json");
}

/** The saved profiles; an unreadable or malformed file is simply no cache. */
export function loadProfiles(file: string): ProfileCache {
  const cache = new ProfileCache();
  try {
    cache.load(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    // First run, or a file we did not write: start from nothing.
  }
  return cache;
}

/** Best effort and atomic: a cache that cannot be written only costs the next run its shortcuts. */
export function saveProfiles(file: string, cache: ProfileCache): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // Read-only home, full disk: not this command's problem.
  }
}
