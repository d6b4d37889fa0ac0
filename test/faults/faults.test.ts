// Faults against the real servers of the test bed: connections cut at chosen moments (through a
// proxy of our own), the server restarted mid-check, a port that never speaks, DNS that has no
// answer, cancellation half way, and several accounts at once. Every failure is the exact code in
// time; afterwards nothing is left open, and a new check succeeds.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import { describe, test } from "node:test";
import { startProsody } from "../../scripts/testbed";
import { prosodyUnavailable } from "../../scripts/testbed/prosody";
import type { XmppServer } from "../../scripts/testbed/types";
import { check, SicError, StanzaLog, type CheckOptions, type CheckResult, type ErrorCode } from "../../src/core";
import { activeResources, assertNoLeaks } from "../support/resources";
import { startProxy } from "../support/proxy";
import { account, KINDS, serverOrSkip } from "../support/servers";

const SLACK_MS = 2_000;

async function expectCode(options: CheckOptions, code: ErrorCode, pattern?: RegExp): Promise<SicError> {
  const started = performance.now();
  const err = await check(options).then(
    (r) => assert.fail(`expected ${code}, got a result: ${r.address.ip}`),
    (e: unknown) => e,
  );
  const elapsed = performance.now() - started;
  assert.ok(err instanceof SicError, `not a SicError: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  const deadline = options.timeoutMs ?? 15_000;
  assert.ok(elapsed < deadline + SLACK_MS, `took ${Math.round(elapsed)} ms`);
  return err;
}

function optionsFor(server: XmppServer, overrides: Partial<CheckOptions> = {}): CheckOptions {
  const { jid, password } = account(server);
  return { jid, password, host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile, timeoutMs: 5_000, ...overrides };
}

/** Calls `action` once, when the check logs an entry matching `when`. */
function onEntry(log: StanzaLog, when: (e: { direction: string; kind: string; summary: string }) => boolean, action: () => void): void {
  let done = false;
  const off = log.onEntry((e) => {
    if (done || !when(e)) return;
    done = true;
    off();
    action();
  });
}

const MOMENTS: [label: string, when: (e: { direction: string; kind: string; summary: string }) => boolean, code: ErrorCode, pattern: RegExp][] = [
  ["right after connecting (our stream header)", (e) => e.direction === "out" && e.summary.startsWith("stream open"), "connect", /closed the connection while opening the stream|ECONNRESET|reset the connection/],
  ["during the TLS handshake", (e) => e.summary === "TLS handshake (STARTTLS)", "tls", /closed the connection during the TLS handshake|TLS handshake with the server failed/],
  ["after <auth> was sent", (e) => e.direction === "out" && e.kind === "sasl" && e.summary.startsWith("sasl auth"), "connect", /while authenticating/],
  ["after the address query was sent", (e) => e.direction === "out" && /^iq get → urn:xmpp:sic/.test(e.summary), "connect", /while asking for the address/],
];

describe("connections cut by a proxy in front of the real Prosody", () => {
  test("cut on accept, then forwarding again: connect, then a result (with the proxy's port)", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const baseline = activeResources();
    const proxy = await startProxy({ host: "127.0.0.1", port: server.starttlsPort });
    try {
      proxy.mode = "cut-on-accept";
      await expectCode(optionsFor(server, { port: proxy.port }), "connect", /closed the connection while opening the stream|ECONNRESET|reset the connection/);
      proxy.mode = "forward";
      const r = await check(optionsFor(server, { port: proxy.port }));
      assert.equal(r.address.ip, "127.0.0.1");
      // The server saw the proxy's own socket, not ours: same address, another port.
      assert.notEqual(r.address.port, r.local.port);
      assert.equal(r.nat.portPreserved, false);
    } finally {
      await proxy.close();
    }
    await assertNoLeaks(baseline, "the checks through the proxy");
  });

  for (const [label, when, code, pattern] of MOMENTS) {
    test(`cut ${label}: ${code}, and the next check succeeds`, async (t) => {
      const server = await serverOrSkip(t, "prosody");
      if (!server) return;
      const baseline = activeResources();
      const proxy = await startProxy({ host: "127.0.0.1", port: server.starttlsPort });
      try {
        const log = new StanzaLog();
        onEntry(log, when, () => proxy.cutAll());
        await expectCode(optionsFor(server, { port: proxy.port, log }), code, pattern);
        const r = await check(optionsFor(server, { port: proxy.port }));
        assert.equal(r.address.ip, "127.0.0.1");
      } finally {
        await proxy.close();
      }
      await assertNoLeaks(baseline, "the cut check");
    });
  }

  test("a port that accepts but never speaks: timeout within the deadline", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const baseline = activeResources();
    const proxy = await startProxy({ host: "127.0.0.1", port: server.starttlsPort });
    proxy.mode = "silent";
    try {
      const started = performance.now();
      await expectCode(optionsFor(server, { port: proxy.port, timeoutMs: 1_000 }), "timeout", /No answer within 1000 ms \(while opening the stream\)/);
      assert.ok(performance.now() - started >= 950);
    } finally {
      await proxy.close();
    }
    await assertNoLeaks(baseline, "the silent-port check");
  });
});

describe("the real server stopped and restarted mid-check", () => {
  test("Prosody restarted during SASL: the check fails at once, then a new check succeeds", { timeout: 60_000 }, async (t) => {
    const reason = prosodyUnavailable();
    if (reason) return t.skip(reason);
    const server = await startProsody();
    try {
      const caPem = readFileSync(server.certs.caFile, "utf8");
      const { jid, password } = account(server);
      const options = { jid, password, host: "127.0.0.1", port: server.starttlsPort, caPem, timeoutMs: 10_000 };
      await check(options);

      const log = new StanzaLog();
      let restarting: Promise<void> | undefined;
      onEntry(log, (e) => e.direction === "out" && e.kind === "sasl", () => (restarting = server.restart()));
      // Prosody closes its sessions on SIGTERM with <system-shutdown/>; when our next write races
      // that close, TCP reports EPIPE/ECONNRESET first and the stream error is never read; a check
      // that retries step by step (after a pipelined attempt) finds the port closed.
      const started = performance.now();
      const err = await check({ ...options, log }).then(
        () => assert.fail("the check succeeded across a server restart"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof SicError);
      if (err.code === "stream-error") assert.match(err.message, /<system-shutdown\/>/);
      else assert.match(`${err.code}: ${err.message}`, /^connect: .*(EPIPE|ECONNRESET|closed the connection|connection refused)/);
      assert.ok(performance.now() - started < 5_000, "the failure was not prompt");
      assert.ok(restarting, "the restart was never triggered");
      await restarting;
      const r = await check(options);
      assert.equal(r.address.port, r.local.port);
    } finally {
      await server.stop();
    }
  });

  test("Prosody stopped: connect (refused) until it is started again", { timeout: 60_000 }, async (t) => {
    const reason = prosodyUnavailable();
    if (reason) return t.skip(reason);
    const server = await startProsody();
    try {
      const caPem = readFileSync(server.certs.caFile, "utf8");
      const { jid, password } = account(server);
      const options = { jid, password, host: "127.0.0.1", port: server.starttlsPort, caPem, timeoutMs: 5_000 };
      const restarting = server.restart();
      // While it is down (restart stops first), or already back: never a hang, never another code.
      const during = await check(options).then(
        () => null,
        (e: SicError) => e,
      );
      if (during) assert.ok(["connect", "stream-error"].includes(during.code), `${during.code}: ${during.message}`);
      await restarting;
      await check(options);
    } finally {
      await server.stop();
    }
  });
});

describe("DNS", () => {
  test("a host name that does not resolve: connect, naming DNS", async () => {
    await expectCode(
      { jid: "alice@localhost", password: "not-the-password", host: "nonexistent.invalid", port: 5222, timeoutMs: 10_000 },
      "connect",
      /nonexistent\.invalid/,
    );
  });

  test("a JID whose domain does not resolve (no SRV, no address): connect", async () => {
    const err = await expectCode({ jid: "alice@nonexistent.invalid", password: "not-the-password", timeoutMs: 10_000 }, "connect");
    assert.match(err.message, /nonexistent\.invalid/);
  });
});

describe("cancellation half way leaves nothing open", () => {
  const stages: [label: string, when: (e: { direction: string; kind: string; summary: string }) => boolean][] = [
    ["after connecting", (e) => e.direction === "out" && e.summary.startsWith("stream open")],
    ["during the TLS handshake", (e) => e.summary === "TLS handshake (STARTTLS)"],
    ["during SASL", (e) => e.direction === "out" && e.kind === "sasl"],
    ["during binding", (e) => e.direction === "out" && e.summary.startsWith("iq set")],
    ["during the query", (e) => e.direction === "out" && /^iq get → urn:xmpp:sic/.test(e.summary)],
  ];
  for (const kind of KINDS) {
    for (const [label, when] of stages) {
      test(`${kind}: cancelled ${label}`, async (t) => {
        const server = await serverOrSkip(t, kind);
        if (!server) return;
        const baseline = activeResources();
        const controller = new AbortController();
        const log = new StanzaLog();
        onEntry(log, when, () => controller.abort());
        const started = performance.now();
        await expectCode(optionsFor(server, { signal: controller.signal, log }), "cancelled", /cancelled/);
        assert.ok(performance.now() - started < 2_000, "cancellation was not prompt");
        await assertNoLeaks(baseline, `the check cancelled ${label}`);
      });
    }
  }

  test("a signal aborted before the check starts: cancelled, no connection made", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const baseline = activeResources();
    const accepted: net.Socket[] = [];
    const guard = net.createServer((s) => accepted.push(s.destroy()));
    await new Promise<void>((r) => guard.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (guard.address() as net.AddressInfo).port;
      await expectCode(optionsFor(server, { port, signal: AbortSignal.abort() }), "cancelled");
      assert.equal(accepted.length, 0);
    } finally {
      await new Promise((r) => guard.close(r));
    }
    await assertNoLeaks(baseline, "the pre-cancelled check");
  });
});

describe("several accounts at once", () => {
  for (const kind of KINDS) {
    test(`${kind}: 3 accounts × 3 concurrent checks, each answer about its own connection`, async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const baseline = activeResources();
      const runs: Promise<CheckResult>[] = [];
      for (const user of ["alice", "bob", "carol"]) {
        for (let i = 0; i < 3; i++) {
          const host = i % 2 === 0 ? "127.0.0.1" : "::1";
          runs.push(check(optionsFor(server, { ...account(server, user), host, timeoutMs: 15_000 })));
        }
      }
      const results = await Promise.all(runs);
      const ports = new Set<number>();
      results.forEach((r, n) => {
        const user = ["alice", "bob", "carol"][Math.floor(n / 3)]!;
        assert.equal(r.jid, `${user}@${server.domain}`);
        assert.ok(r.boundJid.startsWith(`${user}@${server.domain}/`), r.boundJid);
        assert.equal(r.address.ip, r.local.ip);
        assert.equal(r.address.port, r.local.port, `${user}: the answer is about another connection`);
        ports.add(r.local.port);
      });
      assert.equal(ports.size, results.length, "two checks shared a local port");
      await assertNoLeaks(baseline, "the concurrent checks");
    });
  }
});
