// The core called in the bench process: check() and recheck() timed, options for the test bed,
// and the TLS key log the round-trip sections decrypt with.
import { appendFileSync } from "node:fs";
import tls from "node:tls";
import { performance } from "node:perf_hooks";
import { check, type CheckOptions, type CheckResult, type LiveCheck } from "../../../src/core/check";
import type { StanzaLogEntry } from "../../../src/core/stanzaLog";
import type { OwnedXmppServer } from "../../testbed/index";
import { epochNow } from "./clock";
import { HOST, JID, PASSWORD } from "./config";

/** A server of the run with the name the report gives it. */
export type NamedServer = { name: string; server: OwnedXmppServer };

export function checkOptions(server: OwnedXmppServer, tls: "starttls" | "direct", extra: Partial<CheckOptions> = {}): CheckOptions {
  return {
    jid: JID,
    password: PASSWORD,
    host: HOST,
    port: tls === "direct" ? server.directTlsPort : server.starttlsPort,
    tls,
    caFile: server.certs.caFile,
    timeoutMs: 15_000,
    ...extra,
  };
}

export async function timedCheck(options: CheckOptions): Promise<{ ms: number; result: CheckResult; resolvedAtEpoch: number }> {
  const started = performance.now();
  const result = await check(options);
  return { ms: performance.now() - started, result, resolvedAtEpoch: epochNow() };
}

/** recheck() timed, with the epoch times of its call and resolution. */
export async function timedRecheck(live: LiveCheck): Promise<{ ms: number; start: number; end: number; result: CheckResult }> {
  const start = epochNow();
  const t = performance.now();
  const result = await live.recheck();
  const ms = performance.now() - t;
  return { ms, start, end: epochNow(), result };
}

/** What a check's StanzaLog tells: a resumed TLS session, and whether it asked disco#info. */
export function logFacts(entries: readonly StanzaLogEntry[]): { resumed: boolean; disco: boolean } {
  return {
    resumed: entries.some((e) => e.kind === "tls" && /resumed session/.test(e.summary)),
    disco: entries.some((e) => e.direction === "out" && /disco#info/.test(e.summary)),
  };
}

/**
 * Runs `body` with the TLS secrets of every tls.connect() in this process appended to `file` (what
 * node --tls-keylog does, but only here: the in-process timings of section 2 run without it). The
 * core calls tls.connect() through the module object, so a wrapper installed there sees its sockets;
 * should that ever change, the round-trip section falls back to counting without a decrypted view.
 */
export async function withKeylog<T>(file: string, body: () => Promise<T>): Promise<T> {
  const original = tls.connect;
  const patched = (...args: Parameters<typeof tls.connect>) => {
    const socket = (original as (...a: unknown[]) => tls.TLSSocket)(...args);
    socket.on("keylog", (line: Buffer) => appendFileSync(file, line, { mode: 0o600 }));
    return socket;
  };
  (tls as { connect: unknown }).connect = patched;
  try {
    return await body();
  } finally {
    (tls as { connect: unknown }).connect = original;
  }
}
