// 1 000 sequential checks in one process against the real Prosody, half step by step and half
// pipelined: every one succeeds, the heap after garbage collection stays flat, and no socket or
// timer outlives its check.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { check, StanzaLog } from "../../src/core";
import { activeResources, assertNoLeaks, heapAfterGc, MB } from "../support/resources";
import { account, serverOrSkip } from "../support/servers";

const CHECKS = Number(process.env.SOAK_CHECKS ?? 1_000);
const WARM_UP = 100;

test(`${CHECKS} sequential checks against Prosody: stable heap, no leaked sockets or timers`, { timeout: 180_000 }, async (t) => {
  const server = await serverOrSkip(t, "prosody");
  if (!server) return;
  const { jid, password } = account(server);
  const caPem = readFileSync(server.certs.caFile, "utf8");
  // One shared log, as the VS Code extension keeps: it must stay within its own bounds too.
  const log = new StanzaLog();
  const options = { jid, password, host: "127.0.0.1", port: server.starttlsPort, caPem, log, timeoutMs: 10_000 };

  const baseline = activeResources();
  const started = performance.now();
  let heapAfterWarmUp = 0;
  const samples: number[] = [];
  for (let i = 1; i <= CHECKS; i++) {
    // Alternately step by step (as a first contact) and pipelined (from the shared server profile).
    const r = await check(i % 2 === 0 ? { ...options, profiles: null } : options);
    assert.equal(r.address.port, r.local.port, `check ${i}`);
    if (i === WARM_UP) heapAfterWarmUp = await heapAfterGc();
    if (i > WARM_UP && i % 300 === 0) samples.push(await heapAfterGc());
  }
  const elapsedMs = performance.now() - started;
  const heapAtEnd = await heapAfterGc();
  await assertNoLeaks(baseline, `${CHECKS} checks`);

  const growth = heapAtEnd - heapAfterWarmUp;
  t.diagnostic(
    `${CHECKS} checks in ${(elapsedMs / 1000).toFixed(1)} s (${(elapsedMs / CHECKS).toFixed(1)} ms each); heap after GC: ` +
      `${(heapAfterWarmUp / MB).toFixed(1)} MB after ${WARM_UP}, ${samples.map((s) => (s / MB).toFixed(1)).join(", ")} MB, ` +
      `${(heapAtEnd / MB).toFixed(1)} MB at the end; log ${log.size.entries} entries, ${(log.size.bytes / MB).toFixed(1)} MB`,
  );
  // A leak of even 5 KB per check would show as ~4.5 MB; the bounded log may still grow to its cap.
  assert.ok(growth < 4 * MB + log.size.bytes * 2, `heap grew by ${(growth / MB).toFixed(1)} MB over ${CHECKS - WARM_UP} checks`);
  assert.ok(log.size.entries <= 5_000);
});
