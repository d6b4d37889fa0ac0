// Pipelining against the real servers: the first check goes step by step and learns the server;
// the next one sends <starttls/>, <auth> and bind + query without waiting; a server that does
// not take a shortcut (here: one whose profile is stale) is retried step by step at once.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { check, NS_SIC_1, ProfileCache, StanzaLog } from "../../src/core";
import type { XmppServer } from "../../scripts/testbed/types";
import { MECHANISM_PREFERENCE } from "../../src/core/sasl";
import { index, waits } from "../support/flights";
import { account, KINDS, serverOrSkip } from "../support/servers";

async function run(server: XmppServer, tls: "starttls" | "direct", profiles: ProfileCache) {
  const { jid, password } = account(server);
  const log = new StanzaLog();
  const port = tls === "direct" ? server.directTlsPort : server.starttlsPort;
  const result = await check({ jid, password, host: "127.0.0.1", port, tls, caFile: server.certs.caFile, log, profiles });
  return { result, entries: log.list() };
}

for (const kind of KINDS) {
  describe(`${kind}: pipelining`, () => {
    for (const tls of ["starttls", "direct"] as const) {
      test(`${tls}: the second check pipelines, skips disco#info, and needs ${tls === "starttls" ? 5 : 4} flights`, async (t) => {
        const server = await serverOrSkip(t, kind);
        if (!server) return;
        const profiles = new ProfileCache();
        const first = await run(server, tls, profiles);
        assert.equal(waits(first.entries), tls === "starttls" ? 10 : 8, "step by step");
        assert.ok(index(first.entries, "out", /disco#info/) >= 0);

        const second = await run(server, tls, profiles);
        const e = second.entries;
        assert.equal(second.result.address.port, second.result.local.port);
        assert.equal(second.result.namespace, NS_SIC_1);
        assert.equal(index(e, "out", /disco#info/), -1, "disco#info was asked again");
        // <auth> left before the server listed its mechanisms; bind and the query before bind's result.
        assert.ok(index(e, "out", /^sasl auth/) < index(e, "in", /mechanisms/), "auth waited for the mechanisms");
        assert.ok(index(e, "out", new RegExp(`iq get → ${NS_SIC_1}`)) < index(e, "in", /iq result → .*xmpp-bind/), "query waited for bind");
        if (tls === "starttls") assert.ok(index(e, "out", /^starttls$/) < index(e, "in", /stream features: starttls/));
        assert.equal(waits(e), tls === "starttls" ? 5 : 4);
        assert.deepEqual(second.result.features, first.result.features);
      });
    }

    test("a stale profile (features changed) is dropped and the check retried step by step", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const profiles = new ProfileCache();
      await run(server, "starttls", profiles);
      const [key, profile] = Object.entries(profiles.toJSON())[0]!;
      profiles.set(key, { ...profile, boundFeatures: "urn:example:gone#feature" });
      const { result, entries } = await run(server, "starttls", profiles);
      assert.equal(result.address.port, result.local.port);
      assert.ok(entries.some((e) => /Retrying step by step/.test(e.summary)));
      assert.equal(profiles.get(key)?.boundFeatures, profile.boundFeatures, "the profile was learned again");
    });

    test("a mechanism the server does not offer: it refuses the <auth>, the retry logs in", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const profiles = new ProfileCache();
      await run(server, "direct", profiles);
      const [key, profile] = Object.entries(profiles.toJSON())[0]!;
      const offered = /mechanisms\[([^\]]*)\]/.exec(profile.secureFeatures)?.[1]?.split(",") ?? [];
      const missing = MECHANISM_PREFERENCE.find((m) => !offered.includes(m));
      if (!missing) return t.skip(`${kind} offers every mechanism this tool supports (${offered.join(", ")})`);
      profiles.set(key, { ...profile, mechanism: missing });
      const { result, entries } = await run(server, "direct", profiles);
      assert.equal(result.address.port, result.local.port);
      assert.ok(entries.some((e) => e.direction === "out" && e.summary === `sasl auth ${missing}`));
      assert.ok(entries.some((e) => /Retrying step by step/.test(e.summary)));
      assert.equal(result.server.mechanism, profile.mechanism);
    });

    test("a wrong password is not retried", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const profiles = new ProfileCache();
      await run(server, "starttls", profiles);
      const log = new StanzaLog();
      const { jid } = account(server);
      await assert.rejects(
        check({ jid, password: "wrong-password", host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile, log, profiles }),
        (err: Error & { code?: string }) => err.code === "auth",
      );
      assert.equal(log.list().filter((e) => e.direction === "out" && /^sasl auth/.test(e.summary)).length, 1);
      assert.equal(Object.keys(profiles.toJSON()).length, 0, "the profile survived a refused login");
    });
  });
}
