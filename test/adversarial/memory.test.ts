// Memory is bounded by what the client keeps, not by what a server sends: each flood runs the
// built CLI in its own process twice, with a small and a large amount of data, and asserts the
// exact outcome, the deadline (+0.5 s, from the server's accepting the connection to the process's
// exit) and the process's peak RSS — under 150 MB, and not growing with the bytes the server sent.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test, type TestContext } from "node:test";
import { CLI } from "../support/cli";
import { measuredCheck, type CostlyRun } from "./processCost";
import { AdversarialServer, DOMAIN, type Conn, type Query, type Script } from "./server";

const DEADLINE_MS = 6_000;
const UNREAD_DEADLINE_MS = 15_000;
const MAX_RSS_MB = 150;
/** How much more the large flood may cost than the small one (allocator noise, not growth). */
const MAX_GROWTH_MB = 20;
const MB = 1024 * 1024;

const flood = (act: (c: Conn, q: Query) => Promise<void>): Script => ({
  onQuery: async (c, q) => {
    await act(c, q);
    return true;
  },
});

/** Sends `chunk` until `total` bytes went out or the client closed; then, if it is still there, the answer. */
async function stream(c: Conn, q: Query, chunk: string, total: number): Promise<void> {
  for (let sent = 0; sent < total && !c.closed; sent += chunk.length) await c.send(chunk);
  if (!c.closed) await c.result(q.id, c.genuineAnswer(q), DOMAIN);
}

async function measure(t: TestContext, label: string, script: Script, deadlineMs = DEADLINE_MS): Promise<CostlyRun> {
  const server = await AdversarialServer.start(script);
  try {
    const cost = await measuredCheck(server, deadlineMs);
    const outcome = cost.out.ok ? "ok" : `${cost.out.error?.code}: ${cost.out.error?.message}`;
    t.diagnostic(`${label}: ${outcome}; peak RSS ${cost.peakRssMb.toFixed(1)} MB; exit ${Math.round(cost.connectedMs)} ms after connecting (process life ${Math.round(cost.lifeMs)} ms)`);
    return cost;
  } finally {
    await server.stop();
  }
}

function assertAnswered(run: CostlyRun): void {
  assert.equal(run.run.code, 0, run.run.stdout + run.run.stderr);
  assert.equal(run.out.ok, true);
}

function assertBounded(small: CostlyRun, large: CostlyRun, deadlineMs = DEADLINE_MS): void {
  for (const run of [small, large]) {
    assert.ok(run.connectedMs < deadlineMs + 500, `the process exited ${Math.round(run.connectedMs)} ms after connecting (deadline ${deadlineMs} ms)`);
    assert.ok(run.peakRssMb < MAX_RSS_MB, `peak RSS ${run.peakRssMb.toFixed(1)} MB`);
  }
  const growth = large.peakRssMb - small.peakRssMb;
  assert.ok(growth < MAX_GROWTH_MB, `peak RSS grew by ${growth.toFixed(1)} MB with the bytes sent`);
}

describe("floods: memory bounded by what is kept", { skip: existsSync(CLI) ? false : `${CLI} not built` }, () => {
  test("text between stanzas (megabytes, a <presence/> every 64 KB): bad-reply at the limit", async (t) => {
    const chunk = "x".repeat(64 * 1024 - 11) + "<presence/>";
    const runs = [];
    for (const total of [4 * MB, 48 * MB]) runs.push(await measure(t, `${total / MB} MB of text`, flood((c, q) => stream(c, q, chunk, total))));
    for (const run of runs) {
      assert.equal(run.run.code, 1, run.run.stdout + run.run.stderr);
      assert.equal(run.out.error?.code, "bad-reply");
      assert.match(run.out.error!.message, /text between stanzas/);
    }
    assertBounded(runs[0]!, runs[1]!);
  });

  test("whitespace between stanzas (megabytes in large writes): discarded, the genuine answer", async (t) => {
    const chunk = " \n".repeat(32 * 1024);
    const runs = [];
    for (const total of [4 * MB, 48 * MB]) runs.push(await measure(t, `${total / MB} MB of whitespace`, flood((c, q) => stream(c, q, chunk, total))));
    for (const run of runs) assertAnswered(run);
    assertBounded(runs[0]!, runs[1]!);
  });

  test("100 000 whitespace keepalives, each its own write, then the answer", async (t) => {
    const runs = [];
    for (const count of [10_000, 100_000]) {
      const keepalives = flood(async (c, q) => {
        // Each its own write; waiting for every 500th to be flushed keeps the server's buffer small.
        for (let i = 0; i < count && !c.closed; i++) {
          const written = c.send(" ");
          if (i % 500 === 499) await written;
        }
        if (!c.closed) await c.result(q.id, c.genuineAnswer(q), DOMAIN);
      });
      runs.push(await measure(t, `${count} keepalives`, keepalives));
    }
    for (const run of runs) assertAnswered(run);
    assertBounded(runs[0]!, runs[1]!);
  });

  test("a server that stops reading while sending requests we must answer: connect error, writes bounded", async (t) => {
    const runs = [];
    for (const requests of [1_000, 4_000]) {
      // Long ids: each of our answers echoes one, so unsent answers pile up fast, past what
      // loopback's kernel buffers take (up to 32 MB received + 4 MB sent here).
      const id = "r".repeat(60_000);
      const unread = flood(async (c) => {
        c.pauseReading();
        for (let i = 0; i < requests && !c.closed; i++) {
          await c.send(`<iq type='get' id='${id}-${i}' from='${DOMAIN}'><ping xmlns='urn:xmpp:ping'/></iq>`);
        }
      });
      // The default deadline: loopback's kernel buffers take megabytes of answers before ours fill.
      runs.push(await measure(t, `${requests} unread requests`, unread, UNREAD_DEADLINE_MS));
    }
    for (const run of runs) {
      assert.equal(run.run.code, 1, run.run.stdout + run.run.stderr);
      assert.equal(run.out.error?.code, "connect");
      assert.match(run.out.error!.message, /stopped reading/);
    }
    assertBounded(runs[0]!, runs[1]!, UNREAD_DEADLINE_MS);
  });
});
