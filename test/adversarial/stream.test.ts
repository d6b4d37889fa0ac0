// A hostile or broken server at the stream level: silence, closed sockets, stream errors at each
// stage, malformed and restricted XML, size and depth bombs, dribbling and floods. Each ends in
// the exact code within the deadline, with memory bounded and nothing left open.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NS_SIC_1 } from "../../src/core";
import { heapAfterGc, MB } from "../support/resources";
import { expectError, expectResult, scenario, SLACK_MS, TIMEOUT_MS } from "./helpers";
import { DOMAIN, NS_DISCO_INFO, NS_SIC_0, type Conn, type Query, type Script } from "./server";

const onQuery = (act: (c: Conn, q: Query) => Promise<unknown> | unknown): Script => ({
  onQuery: async (c, q) => {
    await act(c, q);
    return true;
  },
});

describe("silence and closed connections", () => {
  test("no reply at all: timeout within the deadline, naming the step", () =>
    scenario(onQuery(() => {}), async (server) => {
      const { elapsedMs } = await expectError(server, "timeout", /No answer within 1500 ms \(while asking for the address \(urn:xmpp:sic:1\)\)/, {
        timeoutMs: 1_500,
      });
      assert.ok(elapsedMs >= 1_400, `gave up early: ${elapsedMs} ms`);
    }));

  test("silent after the client's first header: timeout while opening the stream", () =>
    scenario({ onHeader: () => true }, async (server) => {
      await expectError(server, "timeout", /while opening the stream/, { timeoutMs: 1_000 });
    }));

  test("the socket is closed right after the query: connect", () =>
    scenario(onQuery((c) => c.destroy()), async (server) => {
      await expectError(server, "connect", /closed the connection while asking for the address/);
    }));

  test("the stream is closed (footer) right after the query: stream-error", () =>
    scenario(onQuery(async (c) => {
      await c.send("</stream:stream>");
      c.end();
    }), async (server) => {
      await expectError(server, "stream-error", /closed the XMPP stream while asking for the address/);
    }));

  test("the socket is closed during SASL: connect", () =>
    scenario({ onAuth: (c) => (c.destroy(), true) }, async (server) => {
      await expectError(server, "connect", /while authenticating/);
    }));
});

describe("<stream:error/> at each stage", () => {
  const stages: [label: string, script: Script, condition: string, phase: RegExp][] = [
    ["before TLS", { onHeader: async (c, stage) => stage === "plain" && (await c.header(), await c.streamError("host-unknown"), true) }, "host-unknown", /while opening the stream/],
    ["after TLS", { onHeader: async (c, stage) => stage === "tls" && (await c.header(), await c.streamError("policy-violation", "no thanks"), true) }, "policy-violation", /opening the encrypted stream with <policy-violation\/>: no thanks/],
    ["during SASL", { onAuth: async (c) => (await c.streamError("not-authorized"), true) }, "not-authorized", /while authenticating/],
    ["after bind", { afterBind: async (c) => (await c.streamError("system-shutdown"), true) }, "system-shutdown", /<system-shutdown\/>/],
    ["as the reply", onQuery((c) => c.streamError("resource-constraint")), "resource-constraint", /while asking for the address \(urn:xmpp:sic:1\) with <resource-constraint\/>/],
  ];
  for (const [label, script, condition, pattern] of stages) {
    test(`${label}: stream-error naming <${condition}/>`, () =>
      scenario(script, async (server) => {
        const { error } = await expectError(server, "stream-error", pattern);
        assert.match(error.message, new RegExp(`<${condition}/>`));
      }));
  }

  test("see-other-host names where it points", () =>
    scenario(
      onQuery((c) =>
        c.send(`<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>other.example:5222</see-other-host></stream:error>`),
      ),
      async (server) => {
        await expectError(server, "stream-error", /<see-other-host\/> \(it points to other\.example:5222\)/);
      },
    ));

  test("no SASL before TLS: a stream error instead of features is still a stream error", () =>
    scenario({ onHeader: async (c, stage) => stage === "plain" && (await c.streamError("unsupported-version"), true) }, async (server) => {
      await expectError(server, "stream-error");
    }));
});

describe("malformed and restricted XML", () => {
  const bomb =
    `<!DOCTYPE lolz [<!ENTITY lol "lol">` +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`).join("") +
    `]>`;
  const cases: [label: string, script: Script, pattern: RegExp][] = [
    ["a mismatched end tag as the reply", onQuery((c, q) => c.send(`<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>127.0.0.1</port></address></iq>`)), /malformed XML/],
    ["an end tag with no start", onQuery((c) => c.send(`</iq></stream:stream>`)), /malformed XML|closed the XMPP stream/],
    ["an unknown entity", onQuery((c, q) => c.send(`<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>&lol9;</ip></address></iq>`)), /malformed XML.*Illegal XML entity/],
    ["an illegal character reference", onQuery((c, q) => c.send(`<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>&#0;</ip></address></iq>`)), /malformed XML.*Illegal XML character/],
    ["text outside any element before the header", { onHeader: async (c, stage) => stage === "plain" && (await c.send("garbage before the header <stream:stream>"), true) }, /malformed XML/],
    ["a DOCTYPE entity-expansion bomb before the header", { onHeader: async (c, stage) => stage === "plain" && (await c.send(`<?xml version='1.0'?>${bomb}<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`), true) }, /restricted XML \(a DOCTYPE or entity declaration\)/],
    ["a DOCTYPE bomb as the reply", onQuery((c, q) => c.send(`${bomb}<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>&lol9;</ip></address></iq>`)), /restricted XML \(a DOCTYPE or entity declaration\)/],
    ["a comment split across writes", onQuery(async (c) => { await c.send("<"); await new Promise((r) => setTimeout(r, 20)); await c.send("!-- hidden -->"); }), /restricted XML \(a comment\)/],
    ["100 000-deep nesting", onQuery((c) => c.send("<a>".repeat(100_000))), /nested deeper than 32 levels/],
    ["binary garbage (invalid UTF-8)", onQuery((c) => c.send(Buffer.from([0xff, 0xfe, 0x3c, 0x00, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x3e]))), /invalid UTF-8 while asking for the address/],
    ["invalid UTF-8 split across writes", onQuery(async (c, q) => { await c.send(Buffer.concat([Buffer.from(`<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>`), Buffer.from([0xe2, 0x82])])); await new Promise((r) => setTimeout(r, 20)); await c.send(Buffer.from([0x28, 0x3c])); }), /invalid UTF-8/],
    ["a NUL character", onQuery((c, q) => c.send(`<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>127.0.0.1\u0000</ip></address></iq>`)), /a character XML forbids/],
  ];
  for (const [label, script, pattern] of cases) {
    test(`${label}: bad-reply`, () =>
      scenario(script, async (server) => {
        const { error } = await expectError(server, "bad-reply", pattern);
        assert.ok(error.message.length < 600, `message of ${error.message.length} characters`);
      }));
  }
});

describe("size, dribbling and floods", () => {
  test("a megabyte of text in <ip>: bad-reply at the element limit, memory bounded", () =>
    scenario(
      onQuery((c, q) => c.send(`<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>${"1".repeat(1024 * 1024)}</ip></address></iq>`)),
      async (server) => {
        const before = await heapAfterGc();
        for (let i = 0; i < 3; i++) {
          await expectError(server, "bad-reply", /larger than 131072 characters while asking for the address/);
        }
        const growth = (await heapAfterGc()) - before;
        assert.ok(growth < 8 * MB, `heap grew by ${(growth / MB).toFixed(1)} MB`);
      },
    ));

  test("the reply dribbled a byte at a time, UTF-8 sequences split across chunks: the answer, intact", () => {
    const name = "Sérvër ☃ 𝄞 ünïcödé";
    return scenario(
      {
        discoExtra: `<identity category='component' type='generic' name='${name}'/>`,
        onQuery: async (c, q) => {
          await c.dribble(
            `<iq type='result' id='${q.id}' from='${DOMAIN}'><address xmlns='${NS_SIC_1}'><ip>${c.remote.ip}</ip>` +
              `<port>${c.remote.port}</port></address><note xmlns='urn:example:note'>naïve — ☃ 𝄞</note></iq>`,
            1,
            1,
          );
          return true;
        },
        onDisco: async (c, iq) => {
          const features = [NS_DISCO_INFO, NS_SIC_1, NS_SIC_0].map((f) => `<feature var='${f}'/>`).join("");
          await c.dribble(
            `<iq type='result' id='${iq.attrs.id}' from='${DOMAIN}'><query xmlns='${NS_DISCO_INFO}'>` +
              `<identity category='server' type='im' name='${name}'/>${features}</query></iq>`,
            1,
            0,
          );
          return true;
        },
      },
      async (server) => {
        const r = await expectResult(server, { timeoutMs: 10_000 });
        assert.equal(r.address.ip, "127.0.0.1");
        assert.equal(r.address.port, r.local.port);
        const { writes } = server.connections[0]!;
        assert.ok(writes > 400, `only ${writes} writes`);
        const logged = r.log.list().map((e) => e.xml).join("\n");
        assert.ok(logged.includes(name), "multi-byte characters were mangled in the stanza log");
        assert.ok(logged.includes("naïve — ☃ 𝄞"));
        assert.ok(!logged.includes("\uFFFD"), "a replacement character: a UTF-8 sequence was split");
      },
    );
  });

  for (const transport of ["starttls", "direct"] as const) {
    test(`${transport}: the whole session dribbled a byte at a time (headers, features, SASL, answers): the answer`, () =>
      scenario({ transport, mechanisms: ["SCRAM-SHA-1"], dribble: { bytes: 1, gapMs: 0 } }, async (server) => {
        const r = await expectResult(server, { timeoutMs: 10_000 });
        assert.equal(r.address.port, r.local.port);
        assert.equal(r.server.mechanism, "SCRAM-SHA-1");
        assert.ok(server.connections[0]!.writes > 1_000, `only ${server.connections[0]!.writes} writes`);
      }));
  }

  test("50 000 unrelated stanzas before the reply: the genuine answer, memory bounded", () => {
    const FLOOD = 50_000;
    return scenario(
      {
        onQuery: async (c, q) => {
          const batch: string[] = [];
          for (let i = 0; i < FLOOD; i++) {
            batch.push(
              i % 3 === 0
                ? `<message from='bob@${DOMAIN}/x' type='chat' id='m${i}'><body>flood ${i}</body></message>`
                : i % 3 === 1
                  ? `<presence from='carol@${DOMAIN}/y' id='p${i}'><show>away</show></presence>`
                  : `<iq type='result' id='other-${i}' from='${DOMAIN}'><address xmlns='${NS_SIC_1}'><ip>203.0.113.9</ip><port>9</port></address></iq>`,
            );
            if (batch.length === 500) await c.send(batch.splice(0).join(""));
          }
          await c.send(batch.join(""));
          await c.result(q.id, c.genuineAnswer(q), DOMAIN);
          return true;
        },
      },
      async (server) => {
        const before = await heapAfterGc();
        const r = await expectResult(server, { timeoutMs: 20_000 });
        assert.equal(r.address.ip, "127.0.0.1");
        assert.equal(r.address.port, r.local.port);
        const entries = r.log.list();
        assert.ok(entries.length <= 5_000, `the stanza log holds ${entries.length} entries`);
        const growth = (await heapAfterGc()) - before;
        // The log is bounded (5 000 entries / 4 MB); the rest must have been freed.
        assert.ok(growth < 24 * MB, `heap grew by ${(growth / MB).toFixed(1)} MB`);
      },
    );
  });

  test(`a flood that never ends with a reply: timeout, bounded time (${TIMEOUT_MS + SLACK_MS} ms)`, () =>
    scenario(
      onQuery(async (c) => {
        const presence = `<presence from='bob@${DOMAIN}/x'/>`.repeat(200);
        for (let i = 0; i < 2_000 && !c.closed; i++) {
          await c.send(presence);
          await new Promise((r) => setImmediate(r));
        }
      }),
      async (server) => {
        await expectError(server, "timeout", /No answer within/, { timeoutMs: 1_500 });
      },
    ));
});
