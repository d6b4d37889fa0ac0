// A kept-open session (opt-in, for auto-check): re-checking is one round trip on the same
// connection, and a dead connection is reported so the caller can start afresh.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { startProsody } from "../../scripts/testbed";
import { prosodyUnavailable } from "../../scripts/testbed/prosody";
import { checkAndKeepOpen, SicError, StanzaLog } from "../../src/core";
import { account, KINDS, serverOrSkip } from "../support/servers";

for (const kind of KINDS) {
  test(`${kind}: a re-check on a kept session is one request and one answer on the same socket`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const { jid, password } = account(server);
    const log = new StanzaLog();
    const live = await checkAndKeepOpen({ jid, password, host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile, log });
    try {
      const first = live.result;
      for (let i = 0; i < 3; i++) {
        const before = log.list().length;
        const again = await live.recheck();
        const exchanged = log.list().slice(before);
        assert.deepEqual(exchanged.map((e) => e.direction), ["out", "in"], exchanged.map((e) => e.summary).join(" | "));
        assert.equal(again.address.ip, first.address.ip);
        assert.equal(again.address.port, first.local.port, "not the same socket");
        assert.equal(again.timingsMs.connect, 0);
      }
      assert.equal(live.isOpen, true);
    } finally {
      await live.close();
    }
    assert.equal(live.isOpen, false);
    await assert.rejects(live.recheck(), (err: unknown) => err instanceof SicError && err.code === "connect");
  });
}

test("a kept session whose server restarted fails the re-check promptly", async (t) => {
  const reason = prosodyUnavailable();
  if (reason) return t.skip(reason);
  const server = await startProsody();
  try {
    const { jid, password } = account(server);
    const caPem = readFileSync(server.certs.caFile, "utf8");
    const live = await checkAndKeepOpen({ jid, password, host: "127.0.0.1", port: server.starttlsPort, caPem });
    await server.restart();
    const started = Date.now();
    await assert.rejects(live.recheck({ timeoutMs: 5000 }), (err: unknown) => err instanceof SicError && ["connect", "stream-error"].includes(err.code));
    assert.ok(Date.now() - started < 4000, "the re-check waited for its deadline");
    await live.close();
  } finally {
    await server.stop();
  }
});
