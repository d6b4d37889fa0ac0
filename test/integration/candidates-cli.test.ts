// xmpp-sic candidates against the test-bed ejabberd (ejabberd_stun with TURN + mod_stun_disco):
// the printed Jingle ICE-UDP transport parses and carries the candidates the socket really has,
// and --turn yields a relay candidate from ejabberd's TURN (released before exit).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { XmppServer } from "../../scripts/testbed/types";
import { runCli } from "../support/cli";
import { account, serverOrSkip } from "../support/servers";
import { parseStanza } from "../support/xml";

function args(server: XmppServer, ...more: string[]): string[] {
  return ["candidates", account(server).jid, "--host", "127.0.0.1", "--port", String(server.starttlsPort), "--ca", server.certs.caFile, "--family", "ipv4", ...more];
}

describe("xmpp-sic candidates", () => {
  test("--format ice --turn prints a valid Jingle ICE-UDP transport with host and relay candidates", async (t) => {
    const server = await serverOrSkip(t, "ejabberd");
    if (!server) return;
    const { password } = account(server);
    const run = await runCli(args(server, "--format", "ice", "--turn"), { env: { XMPP_PASSWORD: password } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const transport = parseStanza(run.stdout.trim());
    assert.equal(transport.name, "transport");
    assert.equal(transport.attrs.xmlns, "urn:xmpp:jingle:transports:ice-udp:1");
    assert.ok(String(transport.attrs.ufrag).length >= 4 && String(transport.attrs.pwd).length >= 22);
    const candidates = transport.getChildren("candidate");
    const types = candidates.map((c) => c.attrs.type);
    assert.ok(types.includes("host") && types.includes("relay"), types.join());
    for (const c of candidates) {
      assert.equal(c.attrs.protocol, "udp");
      assert.equal(c.attrs.component, "1");
      assert.match(String(c.attrs.port), /^\d+$/);
      assert.ok(Number(c.attrs.priority) > 0 && Number(c.attrs.priority) < 2 ** 31);
      assert.equal(c.attrs.ip, "127.0.0.1");
    }
    const relay = candidates.find((c) => c.attrs.type === "relay")!;
    assert.ok(Number(relay.attrs.priority) < Number(candidates.find((c) => c.attrs.type === "host")!.attrs.priority));
    assert.ok(relay.attrs["rel-addr"], "relay names its related address");
    // The TURN credentials are not printed.
    assert.doesNotMatch(run.stdout + run.stderr, /password|username/i);
  });

  test("--format json: the documented fields; --format s5b with --s5b-port", async (t) => {
    const server = await serverOrSkip(t, "ejabberd");
    if (!server) return;
    const { password } = account(server);
    const run = await runCli(args(server), { env: { XMPP_PASSWORD: password } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const out = JSON.parse(run.stdout);
    assert.equal(out.ok, true);
    assert.ok(out.udp && out.udp.bindings.length >= 1);
    const host = out.candidates.find((c: Record<string, unknown>) => c.type === "host" && c.protocol === "udp");
    assert.deepEqual(Object.keys(host).sort(), ["foundation", "ip", "port", "priority", "protocol", "type", "via"]);
    assert.equal(host.port, out.udp.bindings[0].local.port);
    const s5b = await runCli(args(server, "--format", "s5b", "--s5b-port", "8010"), { env: { XMPP_PASSWORD: password } });
    assert.equal(s5b.code, 0, s5b.stderr);
    const transport = parseStanza(s5b.stdout.trim());
    assert.equal(transport.attrs.xmlns, "urn:xmpp:jingle:transports:s5b:1");
    const direct = transport.getChildren("candidate");
    // Direct: this machine's addresses; assisted: what XEP-0279 saw (127.0.0.1) when it is not one of them.
    // (The server's XEP-0065 proxies come on their own ports: candidates-proxy65.test.ts.)
    assert.ok(direct.some((c) => c.attrs.type === "direct"), s5b.stdout);
    assert.ok(direct.filter((c) => c.attrs.type !== "proxy").every((c) => c.attrs.port === "8010" && (c.attrs.type === "direct" || (c.attrs.type === "assisted" && c.attrs.host === "127.0.0.1"))), s5b.stdout);
  });
});
