// XEP-0065 proxies against the real servers: the test bed runs mod_proxy65 on both (Prosody as a
// component, ejabberd as a module) on a loopback port it chose; the candidate list carries exactly
// that streamhost, as a SOCKS5 "proxy" candidate (XEP-0260 priority), in the core's result, in
// `xmpp-sic candidates` JSON and in the s5b transport. A known server asks its remembered proxy
// behind bind, with no disco#items.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gatherFromServer, ProfileCache, StanzaLog } from "../../src/core";
import { s5bPriority } from "../../src/core/candidates/priority";
import type { XmppServer } from "../../scripts/testbed/types";
import { runCli } from "../support/cli";
import { account, KINDS, serverOrSkip } from "../support/servers";
import { parseStanza } from "../support/xml";

function proxyOf(server: XmppServer) {
  assert.ok(server.proxy65, "the test bed configures a SOCKS5 proxy");
  return server.proxy65;
}

/** ejabberd names its streamhost with a resource of its own (proxy.localhost/50662356); Prosody does not. */
const bare = (jid: unknown) => String(jid).split("/")[0];

function cliArgs(server: XmppServer, ...more: string[]): string[] {
  return ["candidates", account(server).jid, "--host", "127.0.0.1", "--port", String(server.starttlsPort), "--ca", server.certs.caFile, "--family", "ipv4", ...more];
}

async function gather(server: XmppServer, profiles: ProfileCache) {
  const { jid, password } = account(server);
  const log = new StanzaLog();
  const result = await gatherFromServer({ jid, password, host: "127.0.0.1", port: server.starttlsPort, tls: "starttls", caFile: server.certs.caFile, family: "IPv4", log, profiles });
  return { result, entries: log.list() };
}

for (const kind of KINDS) {
  describe(`${kind}: XEP-0065 proxy candidates`, () => {
    test("the core finds the configured streamhost; a known server is asked behind bind", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const proxy = proxyOf(server);
      const profiles = new ProfileCache();
      const first = await gather(server, profiles);
      const found = first.result.candidates.filter((c) => c.type === "proxy");
      assert.deepEqual(
        found.map((c) => ({ ip: c.ip, port: c.port, jid: bare(c.jid), protocol: c.protocol, s5bType: c.s5bType })),
        [{ ip: proxy.host, port: proxy.port, jid: proxy.jid, protocol: "tcp", s5bType: "proxy" }],
      );
      assert.ok(found[0]!.priority >= s5bPriority("proxy", 0) && found[0]!.priority < s5bPriority("tunnel", 0));
      assert.deepEqual(first.result.proxyNotes, []);
      assert.ok(first.entries.some((e) => e.direction === "out" && /disco#items/.test(e.xml)), "first contact: disco#items");

      const second = await gather(server, profiles);
      assert.deepEqual(second.result.candidates.filter((c) => c.type === "proxy").map((c) => `${c.ip}:${c.port}`), [`${proxy.host}:${proxy.port}`]);
      assert.ok(!second.entries.some((e) => e.direction === "out" && /disco#items/.test(e.xml)), "known server: no disco#items");
    });

    test("xmpp-sic candidates lists the proxy in JSON and in the s5b transport, with and without --s5b-port", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const proxy = proxyOf(server);
      const env = { XMPP_PASSWORD: account(server).password };
      const run = await runCli(cliArgs(server), { env });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const out = JSON.parse(run.stdout);
      const proxies = out.candidates.filter((c: Record<string, unknown>) => c.type === "proxy");
      assert.deepEqual(proxies.map((c: Record<string, unknown>) => [c.protocol, c.ip, c.port, bare(c.via)]), [["tcp", proxy.host, proxy.port, proxy.jid]]);

      const s5b = await runCli(cliArgs(server, "--format", "s5b", "--s5b-port", "8010"), { env });
      assert.equal(s5b.code, 0, s5b.stderr);
      const candidates = parseStanza(s5b.stdout.trim()).getChildren("candidate");
      const shown = candidates.filter((c) => c.attrs.type === "proxy").map((c) => [bare(c.attrs.jid), c.attrs.host, c.attrs.port]);
      assert.deepEqual(shown, [[proxy.jid, proxy.host, String(proxy.port)]]);
      // XEP-0260: proxies come last.
      assert.equal(candidates.at(-1)!.attrs.type, "proxy");

      // Without --s5b-port: the proxy alone (no direct or assisted candidate without a port).
      const proxyOnly = await runCli(cliArgs(server, "--format", "s5b"), { env });
      assert.equal(proxyOnly.code, 0, proxyOnly.stderr);
      const only = parseStanza(proxyOnly.stdout.trim()).getChildren("candidate");
      assert.deepEqual(only.map((c) => [c.attrs.type, bare(c.attrs.jid), c.attrs.host, c.attrs.port]), [["proxy", proxy.jid, proxy.host, String(proxy.port)]]);
    });
  });
}
