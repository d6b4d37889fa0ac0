// XEP-0065 proxies from a server that misbehaves on purpose: a proxy whose streamhost reply has bad
// ports, hosts and JIDs with control characters, thousands of entries, a spoofed reply, or none at
// all. The candidate list keeps only valid streamhosts, what is reported is neutralised and bounded,
// a silent proxy costs its budget and not the run, and a reply beyond the stream's element limit
// ends the run with a clear error within the deadline.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gatherFromServer, SicError, StanzaLog, type CandidatesResult } from "../../src/core";
import { MAX_STREAMHOSTS } from "../../src/core/streamhosts";
import { hasUnsafeChar } from "../../src/core/text";
import { optionsFor, scenario, SLACK_MS, TIMEOUT_MS } from "./helpers";
import { type AdversarialServer, type Item, type Script } from "./server";

const PROXY = "proxy.localhost";
const NS_ITEMS = "http://jabber.org/protocol/disco#items";
const NS_INFO = "http://jabber.org/protocol/disco#info";
const NS_BYTESTREAMS = "http://jabber.org/protocol/bytestreams";
type Element = Extract<Item, { kind: "element" }>;

/** A server with one disco item, a SOCKS5 proxy, whose streamhost reply is `answer`'s to write. */
function withProxy(answer: (c: Parameters<NonNullable<Script["onIq"]>>[0], iq: Element) => Promise<void> | void): Script {
  return {
    onDisco: async (c, iq) => {
      if (iq.attrs.to !== PROXY) return false;
      await c.result(iq.attrs.id ?? "", `<query xmlns='${NS_INFO}'><identity category='proxy' type='bytestreams'/><feature var='${NS_BYTESTREAMS}'/></query>`, PROXY);
      return true;
    },
    onIq: async (c, iq) => {
      if (iq.child?.attrs.xmlns === NS_ITEMS) {
        await c.result(iq.attrs.id ?? "", `<query xmlns='${NS_ITEMS}'><item jid='${PROXY}'/></query>`, "localhost");
        return true;
      }
      if (iq.child?.attrs.xmlns === NS_BYTESTREAMS && iq.attrs.to === PROXY) {
        await answer(c, iq);
        return true;
      }
      return false;
    },
  };
}

const streamhosts = (entries: string) => `<query xmlns='${NS_BYTESTREAMS}'>${entries}</query>`;
const VALID = `<streamhost jid='${PROXY}' host='192.0.2.7' port='7777'/>`;

async function gather(server: AdversarialServer): Promise<{ result?: CandidatesResult; error?: SicError; elapsedMs: number }> {
  const started = performance.now();
  try {
    const result = await gatherFromServer({ ...optionsFor(server), log: new StanzaLog() });
    return { result, elapsedMs: performance.now() - started };
  } catch (err) {
    assert.ok(err instanceof SicError, String(err));
    return { error: err, elapsedMs: performance.now() - started };
  } finally {
    assert.ok(performance.now() - started < TIMEOUT_MS + SLACK_MS, "within the deadline");
  }
}

const proxyCandidates = (r: CandidatesResult) => r.candidates.filter((c) => c.type === "proxy").map((c) => `${c.jid} ${c.ip}:${c.port}`);

describe("adversarial XEP-0065 proxies", () => {
  test("bad ports, hosts and JIDs with control characters are left out with neutralised notes; the valid one stays", () =>
    scenario(
      withProxy((c, iq) =>
        c.result(
          iq.attrs.id ?? "",
          streamhosts(
            `<streamhost jid='${PROXY}' host='192.0.2.1' port='0'/>` +
              `<streamhost jid='${PROXY}' host='192.0.2.2' port='65536'/>` +
              `<streamhost jid='${PROXY}' host='192.0.2.3' port='80 '/>` +
              `<streamhost jid='${PROXY}' host='evil&#x9b;31m.example&#x202e;' port='1080'/>` +
              `<streamhost jid='p&#x85;roxy' host='192.0.2.4' port='1080'/>` +
              `<streamhost jid='${PROXY}' host='0.0.0.0' port='1080'/>` +
              VALID,
          ),
          PROXY,
        ),
      ),
      async (server) => {
        const { result } = await gather(server);
        assert.ok(result);
        assert.deepEqual(proxyCandidates(result), [`${PROXY} 192.0.2.7:7777`]);
        assert.equal(result.proxyNotes.length, 5, result.proxyNotes.join("\n"));
        for (const note of result.proxyNotes) assert.equal(hasUnsafeChar(note), false, note);
        assert.ok(result.proxyNotes.some((n) => n.includes("\\u009b") && n.includes("\\u202e")), "the control characters are shown escaped");
        assert.ok(result.proxyNotes.some((n) => /port "65536" is not 1–65535/.test(n)));
        assert.equal(hasUnsafeChar(JSON.stringify(result)), false);
      },
    ));

  test(`2 000 streamhosts (as many as fit the stream's element limit): ${MAX_STREAMHOSTS} kept, the rest counted in one note`, () =>
    scenario(
      withProxy((c, iq) => {
        const many = Array.from({ length: 2000 }, (_, i) => `<streamhost jid='p' host='192.0.2.1' port='${1 + i}'/>`).join("");
        return c.result(iq.attrs.id ?? "", streamhosts(many), PROXY);
      }),
      async (server) => {
        const { result } = await gather(server);
        assert.ok(result);
        const found = result.candidates.filter((c) => c.type === "proxy");
        assert.equal(found.length, MAX_STREAMHOSTS);
        assert.deepEqual(found.map((c) => c.port).sort((a, b) => a - b), Array.from({ length: MAX_STREAMHOSTS }, (_, i) => i + 1));
        assert.deepEqual(result.proxyNotes, [`${PROXY}: ${2000 - MAX_STREAMHOSTS} more streamhost(s) than ${MAX_STREAMHOSTS} ignored`]);
      },
    ));

  test("10 000 streamhosts: beyond the stream's element limit, the run ends with a clear bad-reply within the deadline", () =>
    scenario(
      withProxy((c, iq) => {
        const many = Array.from({ length: 10_000 }, (_, i) => `<streamhost jid='p' host='198.51.100.1' port='${1 + (i % 65535)}'/>`).join("");
        return c.result(iq.attrs.id ?? "", streamhosts(many), PROXY);
      }),
      async (server) => {
        const { error } = await gather(server);
        assert.ok(error, "no result from a stream that broke its limits");
        assert.equal(error.code, "bad-reply", error.message);
        assert.equal(hasUnsafeChar(error.message), false);
      },
    ));

  test("a reply from another JID with the proxy request's id is ignored; the proxy's own is used", () =>
    scenario(
      withProxy(async (c, iq) => {
        await c.result(iq.attrs.id ?? "", streamhosts(`<streamhost jid='evil.localhost' host='203.0.113.66' port='6666'/>`), "evil.localhost");
        await c.result(iq.attrs.id ?? "", streamhosts(VALID), PROXY);
      }),
      async (server) => {
        const { result } = await gather(server);
        assert.ok(result);
        assert.deepEqual(proxyCandidates(result), [`${PROXY} 192.0.2.7:7777`]);
      },
    ));

  test("a proxy that never answers costs its budget, not the run; one that refuses is a note", async () => {
    await scenario(
      withProxy(() => {}),
      async (server) => {
        const { result, elapsedMs } = await gather(server);
        assert.ok(result, "candidates despite a silent proxy");
        assert.deepEqual(proxyCandidates(result), []);
        assert.match(result.proxyNotes.join("\n"), /no complete answer from the SOCKS5 proxies within \d+ ms/);
        assert.ok(elapsedMs < TIMEOUT_MS, `${Math.round(elapsedMs)} ms`);
      },
    );
    await scenario(
      withProxy((c, iq) => c.error(iq.attrs.id ?? "", "forbidden", { text: "no\u009b entry" })),
      async (server) => {
        const { result } = await gather(server);
        assert.ok(result);
        assert.deepEqual(proxyCandidates(result), []);
        assert.deepEqual(result.proxyNotes, [`${PROXY} refused the streamhost query (<forbidden/>); left out`]);
      },
    );
  });
});

