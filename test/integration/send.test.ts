// xmpp-sic send as a user runs it: the built dist/cli.js against the real Prosody and ejabberd.
// Requests and their replies come back paired, one JSON line each; malformed or refused input is
// refused before any connection (the server's own log shows no login).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { XmppServer } from "../../scripts/testbed/types";
import { runCli } from "../support/cli";
import { account, authAttempts, KINDS, serverOrSkip } from "../support/servers";

const DISCO_INFO = "http://jabber.org/protocol/disco#info";

function sendArgs(server: XmppServer, ...more: string[]): string[] {
  return ["send", account(server).jid, "--host", "127.0.0.1", "--port", String(server.starttlsPort), "--ca", server.certs.caFile, ...more];
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

for (const kind of KINDS) {
  test(`${kind}: send --json pairs disco#info, ping and a roster get with their results`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const { password } = account(server);
    const stanzas =
      `<iq type='get' to='${server.domain}'><query xmlns='${DISCO_INFO}'/></iq>` +
      `<iq type="get" to="${server.domain}" id="my-ping"><ping xmlns="urn:xmpp:ping"/></iq>` +
      `<iq type="get"><query xmlns="jabber:iq:roster"/></iq>`;
    const run = await runCli(sendArgs(server, "--json"), { env: { XMPP_PASSWORD: password }, stdin: stanzas });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = jsonLines(run.stdout);
    assert.equal(lines.length, 3);
    for (const line of lines) {
      assert.deepEqual(Object.keys(line).sort(), ["condition", "id", "latencyMs", "reply", "sent", "type"]);
      assert.equal(line.type, "result", JSON.stringify(line));
      assert.equal(line.condition, null);
      assert.ok(typeof line.latencyMs === "number" && line.latencyMs > 0 && line.latencyMs < 15000);
      const replyTag = /^<iq [^>]*>/.exec(line.reply as string)?.[0] ?? "";
      assert.match(replyTag, / type="result"/);
      assert.ok(replyTag.includes(` id="${line.id}"`), replyTag);
    }
    assert.match(lines[0]!.sent as string, new RegExp(`<query xmlns="${DISCO_INFO}"/>`));
    assert.match(lines[0]!.reply as string, /<identity [^>]*category="server"/);
    assert.equal(lines[1]!.id, "my-ping");
    assert.match(lines[2]!.reply as string, /<query [^>]*xmlns="jabber:iq:roster"/);
    assert.ok(!run.stdout.includes(password) && !run.stderr.includes(password));
  });

  test(`${kind}: an iq to a JID that does not exist is paired with its error and exits 1`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const stanzas = `<iq type="get" to="nobody-here@${server.domain}"><query xmlns="jabber:iq:version"/></iq><iq type="get" to="${server.domain}"><ping xmlns="urn:xmpp:ping"/></iq>`;
    const run = await runCli(sendArgs(server, "--json"), { env: { XMPP_PASSWORD: account(server).password }, stdin: stanzas });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const [nobody, ping] = jsonLines(run.stdout);
    assert.equal(nobody!.type, "error");
    assert.match(nobody!.condition as string, /^(item-not-found|service-unavailable|recipient-unavailable)$/);
    assert.match(nobody!.reply as string, new RegExp(`id="${nobody!.id}"`));
    assert.equal(ping!.type, "result", "a later iq is still paired after an error");
  });

  test(`${kind}: a message with --wait gets its bounce paired; text output pretty-prints replies`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const { password } = account(server);
    const stanzas = `<message to="nobody-here@${server.domain}" type="chat"><body>hi nobody</body></message><iq type="get" to="${server.domain}"><query xmlns="${DISCO_INFO}"/></iq>`;
    const started = performance.now();
    const run = await runCli(sendArgs(server, "--wait", "700"), { env: { XMPP_PASSWORD: password }, stdin: stanzas });
    const elapsed = performance.now() - started;
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.ok(elapsed >= 700, `--wait 700 returned after ${Math.round(elapsed)} ms`);
    assert.match(run.stdout, /^→ message chat id=\S+\n← error \((service-unavailable|item-not-found|recipient-unavailable)\) in \d+\.\d ms\n<message [^\n]*type="error"/);
    assert.match(run.stdout, /→ iq get id=\S+\n← result in \d+\.\d ms\n<iq [^\n]*>\n {2}<query xmlns="http:\/\/jabber\.org\/protocol\/disco#info">\n {4}<identity /);

    const json = await runCli(sendArgs(server, "--json", "--wait", "300"), { env: { XMPP_PASSWORD: password }, stdin: `<message to="${account(server, "bob").jid}"><body>hi bob</body></message>` });
    assert.ok(json.code === 0 || json.code === 1, json.stderr);
    const [line] = jsonLines(json.stdout);
    assert.equal(line!.type === "none", json.code === 0, "exit 0 exactly when the message did not bounce");
  });

  test(`${kind}: malformed or refused input exits 2 and never reaches the server`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const { password } = account(server);
    const before = await authAttempts(server);
    const inputs: [string, RegExp][] = [
      [`<iq type="get" to="${server.domain}"><ping xmlns="urn:xmpp:ping"></iq>`, /Line 1, column \d+: /],
      [`<iq type="get"><ping xmlns="urn:xmpp:ping"/></iq><auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN"/>`, /SASL|sasl|authentication/i],
      [`<iq type="set"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`, /bind/i],
      [`<message to="bob@${server.domain}"><body>${password}</body></message>`, /password/i],
      ["", /empty|nothing|no stanza/i],
    ];
    for (const [stdin, reason] of inputs) {
      for (const json of [[], ["--json"]]) {
        const run = await runCli(sendArgs(server, ...json), { env: { XMPP_PASSWORD: password }, stdin });
        assert.equal(run.code, 2, `${stdin}: ${run.stdout}${run.stderr}`);
        assert.match(json.length ? JSON.parse(run.stdout).error.message : run.stderr, reason);
        assert.ok(!(run.stdout + run.stderr).includes(password));
      }
    }
    assert.equal(await authAttempts(server), before, "a refused input still logged in");
  });
}

test("--password-stdin with stanzas on standard input is refused before anything is read", async () => {
  const run = await runCli(["send", "alice@localhost", "--password-stdin"], { stdin: "secret\n<iq type='get'/>" });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--password-stdin cannot be combined with stanzas on standard input/);
});
