// The console's send against a server that misbehaves while a request is pending: it floods
// messages (and same-id iqs from elsewhere), it answers from a spoofed address, or it never
// answers. Pairing stays right, memory stays bounded by the log's limits, and a request without
// its reply ends as "no reply" at its deadline, not later.
import assert from "node:assert/strict";
import { test } from "node:test";
import { xml } from "@xmpp/xml";
import { StanzaLog } from "../../src/core";
import { openLiveSession, type PairingEvent } from "../../src/core/console";
import { runCli } from "../support/cli";
import { scenario } from "./helpers";
import { AdversarialServer, DOMAIN, escape, NS_DISCO_INFO, PASSWORD, USER, type Conn } from "./server";

const DISCO = `<iq type="get" to="${DOMAIN}"><query xmlns="${NS_DISCO_INFO}"/></iq>`;
const FLOOD = 3000;

function sendArgs(server: AdversarialServer, ...more: string[]): string[] {
  return ["send", `${USER}@${DOMAIN}`, "--host", server.host, "--port", String(server.port), "--ca", server.certs.caFile, "--json", ...more];
}

/** Messages, then iq results with the request's id from addresses it was not sent to, then the real answer. */
async function floodThenAnswer(c: Conn, id: string): Promise<void> {
  let burst = "";
  for (let i = 0; i < FLOOD; i++) {
    burst += `<message from='mallory@evil.example/x' to='${escape(c.boundJid)}' type='chat'><body>flood ${i}</body></message>`;
    if (i % 500 === 0) burst += `<iq type='result' id='${escape(id)}' from='mallory@evil.example/x'><query xmlns='${NS_DISCO_INFO}'/></iq>`;
  }
  await c.send(burst);
  await c.result(id, `<query xmlns='${NS_DISCO_INFO}'><identity category='server' type='im' name='genuine'/></query>`, DOMAIN);
}

test("a flood while a request is pending: the genuine reply is paired, the spoofs are not, the log stays bounded", () =>
  scenario({ onDisco: async (c, iq) => (await floodThenAnswer(c, iq.attrs.id ?? ""), true) }, async (server) => {
    const run = await runCli(sendArgs(server), { env: { XMPP_PASSWORD: PASSWORD }, stdin: DISCO });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].type, "result");
    assert.match(lines[0].reply, /name="genuine"/);

    const log = new StanzaLog({ maxEntries: 200, maxBytes: 64 * 1024 });
    const events: PairingEvent<number>[] = [];
    let messages = 0;
    const live = await openLiveSession({
      jid: `${USER}@${DOMAIN}`,
      password: PASSWORD,
      host: server.host,
      port: server.port,
      tls: "starttls",
      caFile: server.certs.caFile,
      profiles: null,
      log,
      onElement: (el) => el.name === "message" && messages++,
      onPairing: (e) => events.push(e),
    });
    try {
      const seq = live.send(xml("iq", { type: "get", id: "flooded", to: DOMAIN }, xml("query", { xmlns: NS_DISCO_INFO })));
      const deadline = Date.now() + 10_000;
      while (!events.some((e) => e.kind === "reply") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const replies = events.filter((e) => e.kind === "reply");
      assert.equal(replies.length, 1);
      assert.equal(replies[0]!.kind === "reply" && replies[0]!.request, seq);
      assert.equal(events.filter((e) => e.kind === "unpaired").length, FLOOD / 500, "every spoofed same-id reply reported unpaired");
      assert.equal(messages, FLOOD);
      assert.ok(log.size.entries <= 200 && log.size.bytes <= 64 * 1024, JSON.stringify(log.size));
    } finally {
      await live.close();
    }
  }));

test("a reply from a spoofed address is not taken: no reply, exit 1", () =>
  scenario(
    { onDisco: async (c, iq) => (await c.result(iq.attrs.id ?? "", `<query xmlns='${NS_DISCO_INFO}'/>`, "mallory@evil.example"), true) },
    async (server) => {
      const run = await runCli(sendArgs(server, "--timeout", "1500"), { env: { XMPP_PASSWORD: PASSWORD }, stdin: DISCO });
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const line = JSON.parse(run.stdout.trim());
      assert.deepEqual([line.type, line.reply, line.condition, line.latencyMs], ["none", null, null, null]);
      assert.ok(server.received.includes("</stream:stream>"), "the session was closed politely");
    },
  ));

test("a server that never answers: no reply at the deadline, exit 1, within the deadline + 0.5 s", () => {
  const DEADLINE_MS = 1500;
  let askedAt = 0;
  return scenario({ onDisco: () => ((askedAt = performance.now()), true) }, async (server) => {
    const run = await runCli(sendArgs(server, "--timeout", String(DEADLINE_MS)), { env: { XMPP_PASSWORD: PASSWORD }, stdin: DISCO });
    const waited = performance.now() - askedAt;
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(JSON.parse(run.stdout.trim()).type, "none");
    assert.ok(askedAt > 0, "the request never reached the server");
    assert.ok(waited >= DEADLINE_MS - 50 && waited < DEADLINE_MS + 500, `exited ${Math.round(waited)} ms after the server got the request`);
  });
});
