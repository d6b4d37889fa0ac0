// A second question plugged into the session layer from outside it: XEP-0199 ping of the server,
// defined here in a dozen lines, rides in the same flight as the XEP-0279 query behind bind once
// the server is known, and is remembered in the server profile beside it. Nothing in src/ knows
// about it: this is what adding XEP-0215 (or any other question) takes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { xml } from "@xmpp/xml";
import { discoPlanner, ProfileCache, runSession, sicQuestion, StanzaLog, type Question } from "../../src/core";
import { index, waits } from "../support/flights";
import { account, KINDS, serverOrSkip } from "../support/servers";

const NS_PING = "urn:xmpp:ping";

/** XEP-0199: does the server answer a ping? Remembers that it did. */
const ping: Question<boolean> = {
  key: "ping",
  needsFeatures: false,
  start: ({ domain, request }) => {
    const id = request("get", xml("ping", { xmlns: NS_PING }), domain);
    return async ({ iqs, phase }) => {
      phase("waiting for the ping's answer");
      const reply = await iqs.reply(id);
      return { answer: reply.ok, memory: reply.ok ? { answered: true } : null };
    };
  },
};

for (const kind of KINDS) {
  describe(`${kind}: a second question in the same session`, () => {
    test("first contact asks both; the known server gets both behind bind, in the flights of one", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const { jid, password } = account(server);
      const profiles = new ProfileCache();
      const run = async () => {
        const log = new StanzaLog();
        const options = { jid, password, host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile, log, profiles };
        const questions = { planner: discoPlanner, questions: [sicQuestion("auto"), ping] as const };
        const [address, pong] = await runSession(options, questions, (r) => r.answers);
        return { address, pong, entries: log.list() };
      };

      const first = await run();
      assert.equal(first.pong, true);
      assert.equal(first.address.ip, "127.0.0.1");
      assert.ok(index(first.entries, "out", /disco#info/) >= 0);
      // Step by step too, both questions leave in one flight after disco#info: no extra wait.
      const [query, ping1] = [index(first.entries, "out", /iq get → urn:xmpp:sic:/), index(first.entries, "out", new RegExp(`iq get → ${NS_PING}`))];
      assert.ok(query >= 0 && ping1 >= 0);
      assert.ok(first.entries.slice(Math.min(query, ping1), Math.max(query, ping1)).every((e) => e.direction === "out"), "a wait between the two");
      assert.equal(waits(first.entries), 10);
      const [key, profile] = Object.entries(profiles.toJSON())[0]!;
      assert.deepEqual(profile.answers.ping, { answered: true });
      assert.ok(profile.answers.sic, "the XEP-0279 question's entry is missing");

      const second = await run();
      const e = second.entries;
      assert.equal(second.pong, true);
      assert.equal(index(e, "out", /disco#info/), -1, "disco#info was asked again");
      const bindResult = index(e, "in", /iq result → .*xmpp-bind/);
      assert.ok(index(e, "out", /iq get → urn:xmpp:sic:/) < bindResult, "the query waited for bind");
      assert.ok(index(e, "out", new RegExp(`iq get → ${NS_PING}`)) < bindResult, "the ping waited for bind");
      // The same waits as a check with one question (test/integration/pipelining.test.ts).
      assert.equal(waits(e), 5);
      assert.equal(profiles.get(key), profile, "an unchanged profile was written again");
    });
  });
}
