// Finding the server like a real client: SRV records served by a real DNS server (dnsmasq) on
// loopback, the core's resolver pointed at it, checks against the test bed's Prosody. The JID's
// domain stays "localhost" (the test-bed certificate's name); the SRV targets are other names
// that only this dnsmasq knows.
import assert from "node:assert/strict";
import { promises as dnsPromises } from "node:dns";
import net from "node:net";
import { after, describe, test, type TestContext } from "node:test";
import { execFileSync } from "node:child_process";
import { dnsmasqUnavailable, freePorts, netnsUnavailable, startDnsmasq, type Dnsmasq, type DnsmasqOptions } from "../../scripts/testbed";
import { NFT } from "../../scripts/testbed/netns";
import { runTool } from "../../scripts/testbed/process";
import type { XmppServer } from "../../scripts/testbed/types";
import { check, checkFamilies, dnsResolver, errorSentence, resolveTargets, SicError, type Resolver } from "../../src/core";
import { account, serverOrSkip } from "../support/servers";

const running: Dnsmasq[] = [];
const killAll = () => running.splice(0).forEach((d) => d.kill());
process.once("exit", killAll);
after(async () => {
  process.off("exit", killAll);
  await Promise.allSettled(running.splice(0).map((d) => d.stop()));
});

/** A dnsmasq with these records, and a core resolver that asks it (and nothing else). */
async function dns(records: DnsmasqOptions): Promise<{ dnsmasq: Dnsmasq; resolver: Resolver }> {
  const dnsmasq = await startDnsmasq(records);
  running.push(dnsmasq);
  const resolver = new dnsPromises.Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([dnsmasq.server]);
  return { dnsmasq, resolver: dnsResolver(resolver) };
}

const XMPP_HOST = { name: "xmpp.example.test", ipv4: "127.0.0.1", ipv6: "::1" };

async function setup(t: TestContext): Promise<XmppServer | undefined> {
  const reason = dnsmasqUnavailable();
  if (reason) {
    t.skip(reason);
    return undefined;
  }
  return serverOrSkip(t, "prosody");
}

/** `pattern` is matched against the whole sentence the CLI prints (the message and its advice). */
async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const err = await promise.then(
    () => assert.fail("expected the check to fail"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SicError, String(err));
  assert.equal(err.code, code, err.message);
  assert.match(errorSentence(err, "cli"), pattern);
  assert.doesNotMatch(errorSentence(err, "vscode"), /--[a-z]/, "VS Code's wording names no command-line option");
}

describe("SRV against a real DNS server on loopback", () => {
  test("_xmpp-client SRV → STARTTLS to the target's port; DNS was really asked", async (t) => {
    const server = await setup(t);
    if (!server) return;
    const { dnsmasq, resolver } = await dns({
      srv: [{ name: "_xmpp-client._tcp.localhost", target: "xmpp.example.test", port: server.starttlsPort, priority: 10, weight: 5 }],
      hosts: [XMPP_HOST],
    });
    const { jid, password } = account(server);
    const r = await check({ jid, password, caFile: server.certs.caFile, resolver });
    assert.equal(r.server.found, "srv");
    assert.equal(r.server.srv, "_xmpp-client._tcp.localhost");
    assert.equal(r.server.host, "xmpp.example.test");
    assert.equal(r.server.port, server.starttlsPort);
    assert.equal(r.server.tls, "starttls");
    assert.ok(r.server.ip === "127.0.0.1" || r.server.ip === "::1", r.server.ip);
    assert.equal(r.server.family, r.server.ip === "::1" ? "IPv6" : "IPv4");
    assert.equal(r.address.ip, r.server.ip);
    const log = dnsmasq.logText();
    assert.match(log, /query\[SRV\] _xmpp-client\._tcp\.localhost/);
    assert.match(log, /query\[SRV\] _xmpps-client\._tcp\.localhost/);
    assert.match(log, /query\[AAAA\] xmpp\.example\.test/);
  });

  test("checkFamilies over a dual-stack SRV target checks IPv4 and IPv6 on their own connections", async (t) => {
    const server = await setup(t);
    if (!server) return;
    const { resolver } = await dns({
      srv: [{ name: "_xmpp-client._tcp.localhost", target: "xmpp.example.test", port: server.starttlsPort }],
      hosts: [XMPP_HOST],
    });
    const { jid, password } = account(server);
    const { primary, outcomes } = await checkFamilies({ jid, password, caFile: server.certs.caFile, resolver });
    assert.deepEqual(outcomes.map((o) => [o.family, o.ok]), [["IPv6", true], ["IPv4", true]]);
    const [v6, v4] = outcomes.map((o) => (o.ok ? o.result : assert.fail(o.error.message)));
    assert.equal(v6!.address.ip, "::1");
    assert.equal(v4!.address.ip, "127.0.0.1");
    assert.notEqual(v6!.checkId, v4!.checkId);
    for (const r of [v6!, v4!]) {
      assert.equal(r.server.found, "srv");
      assert.equal(r.nat.verdict, "no-nat");
      assert.match(r.nat.reason, /loopback address: the server runs on this machine/);
    }
    assert.equal(primary, outcomes[0]);

    const only4 = await checkFamilies({ jid, password, caFile: server.certs.caFile, resolver, families: "ipv4" });
    assert.deepEqual(only4.outcomes.map((o) => o.family), ["IPv4"]);
  });

  test("_xmpps-client SRV of higher priority → direct TLS; --tls starttls asks only _xmpp-client", async (t) => {
    const server = await setup(t);
    if (!server) return;
    const { dnsmasq, resolver } = await dns({
      srv: [
        { name: "_xmpps-client._tcp.localhost", target: "xmpp.example.test", port: server.directTlsPort, priority: 5 },
        { name: "_xmpp-client._tcp.localhost", target: "xmpp.example.test", port: server.starttlsPort, priority: 10 },
      ],
      hosts: [XMPP_HOST],
    });
    const { jid, password } = account(server);
    const direct = await check({ jid, password, caFile: server.certs.caFile, resolver });
    assert.equal(direct.server.tls, "direct");
    assert.equal(direct.server.srv, "_xmpps-client._tcp.localhost");
    assert.equal(direct.server.port, server.directTlsPort);
    assert.equal(direct.server.tlsProtocol, "TLSv1.3");

    const queriesBefore = dnsmasq.logText().match(/_xmpps-client/g)?.length ?? 0;
    const starttls = await check({ jid, password, caFile: server.certs.caFile, resolver, tls: "starttls" });
    assert.equal(starttls.server.tls, "starttls");
    assert.equal(starttls.server.port, server.starttlsPort);
    assert.equal(dnsmasq.logText().match(/_xmpps-client/g)?.length ?? 0, queriesBefore, "asked for _xmpps-client with --tls starttls");
  });

  test("targets are tried in priority order: a dead one and one without addresses are passed over", async (t) => {
    const server = await setup(t);
    if (!server) return;
    const [deadPort] = await freePorts(1);
    const { resolver } = await dns({
      srv: [
        { name: "_xmpp-client._tcp.localhost", target: "dead.example.test", port: deadPort, priority: 1 },
        { name: "_xmpp-client._tcp.localhost", target: "missing.example.test", port: server.starttlsPort, priority: 2 },
        { name: "_xmpp-client._tcp.localhost", target: "xmpp.example.test", port: server.starttlsPort, priority: 3 },
      ],
      hosts: [XMPP_HOST, { name: "dead.example.test", ipv4: "127.0.0.1" }],
    });
    const targets = await resolveTargets({ domain: "localhost" }, resolver);
    assert.deepEqual(targets.map((x) => x.host), ["dead.example.test", "missing.example.test", "xmpp.example.test"]);
    const { jid, password } = account(server);
    const r = await check({ jid, password, caFile: server.certs.caFile, resolver });
    assert.equal(r.server.host, "xmpp.example.test");
    assert.equal(r.server.port, server.starttlsPort);
  });

  test("happy eyeballs: the IPv6 address refuses, the IPv4 one of the same target answers", async (t) => {
    const server = await setup(t);
    if (!server) return;
    // A forwarder to the server's STARTTLS port on 127.0.0.1 only: [::1] on that port refuses.
    const forwarder = net.createServer((inbound) => {
      const outbound = net.connect({ host: "127.0.0.1", port: server.starttlsPort });
      inbound.pipe(outbound).pipe(inbound);
      inbound.on("error", () => outbound.destroy());
      outbound.on("error", () => inbound.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen({ host: "127.0.0.1", port: 0 }, resolve));
    t.after(() => forwarder.close());
    const port = (forwarder.address() as net.AddressInfo).port;
    const { resolver } = await dns({
      srv: [{ name: "_xmpp-client._tcp.localhost", target: "xmpp.example.test", port }],
      hosts: [XMPP_HOST],
    });
    const { jid, password } = account(server);
    const r = await check({ jid, password, caFile: server.certs.caFile, resolver });
    assert.deepEqual([r.server.ip, r.server.family, r.server.port], ["127.0.0.1", "IPv4", port]);
    await rejects(
      check({ jid, password, caFile: server.certs.caFile, resolver, family: "IPv6" }),
      "connect",
      new RegExp(`^Nothing accepts connections at \\[::1\\]:${port} \\(connection refused\\)\\..* That address is xmpp\\.example\\.test \\(found through the SRV record _xmpp-client\\._tcp\\.localhost\\)\\.$`),
    );
  });

  test("every target failing is one connect error naming each", async (t) => {
    const server = await setup(t);
    if (!server) return;
    const [deadPort] = await freePorts(1);
    const { resolver } = await dns({
      srv: [
        { name: "_xmpp-client._tcp.localhost", target: "dead.example.test", port: deadPort, priority: 1 },
        { name: "_xmpp-client._tcp.localhost", target: "missing.example.test", port: deadPort, priority: 2 },
      ],
      hosts: [{ name: "dead.example.test", ipv4: "127.0.0.1" }],
    });
    const { jid, password } = account(server);
    await rejects(
      check({ jid, password, caFile: server.certs.caFile, resolver }),
      "connect",
      new RegExp(
        `Could not connect to the 2 servers found through SRV: dead\\.example\\.test 127\\.0\\.0\\.1:${deadPort}: connection refused; ` +
          `The host missing\\.example\\.test could not be found in DNS`,
      ),
    );
  });

  test("no SRV records: the domain itself on the default port (here: not in this DNS either)", async (t) => {
    const server = await setup(t);
    if (!server) return;
    const { dnsmasq, resolver } = await dns({ hosts: [XMPP_HOST] });
    assert.deepEqual(await resolveTargets({ domain: "localhost" }, resolver), [
      { host: "localhost", port: 5222, tls: "starttls", found: "fallback", srv: null },
    ]);
    assert.deepEqual(await resolveTargets({ domain: "localhost", tls: "direct" }, resolver), [
      { host: "localhost", port: 5223, tls: "direct", found: "fallback", srv: null },
    ]);
    const { jid, password } = account(server);
    // This dnsmasq has no address for "localhost", so the fallback ends in DNS, before any connection.
    await rejects(
      check({ jid, password, caFile: server.certs.caFile, resolver }),
      "connect",
      /^The host localhost could not be found in DNS \(the domain has no XMPP SRV records, so the domain itself on port 5222 was tried\)\. Check the host name\.$/,
    );
    assert.match(dnsmasq.logText(), /query\[A\] localhost/);
  });

  test('a "." target: that service is not offered; with no other records, no fallback either', async (t) => {
    const server = await setup(t);
    if (!server) return;
    const { jid, password } = account(server);
    const none = await dns({ srv: [{ name: "_xmpps-client._tcp.localhost" }, { name: "_xmpp-client._tcp.localhost" }] });
    await rejects(
      check({ jid, password, caFile: server.certs.caFile, resolver: none.resolver }),
      "connect",
      /localhost says in DNS that it offers no XMPP client service: _xmpps-client\._tcp\.localhost and _xmpp-client\._tcp\.localhost point to "\."/,
    );
    assert.doesNotMatch(none.dnsmasq.logText(), /query\[A+\] localhost/, "fell back to the domain's address");

    // XEP-0368: no direct TLS, but STARTTLS records still count.
    const startOnly = await dns({
      srv: [
        { name: "_xmpps-client._tcp.localhost" },
        { name: "_xmpp-client._tcp.localhost", target: "xmpp.example.test", port: server.starttlsPort },
      ],
      hosts: [XMPP_HOST],
    });
    const r = await check({ jid, password, caFile: server.certs.caFile, resolver: startOnly.resolver });
    assert.equal(r.server.tls, "starttls");
    assert.equal(r.server.found, "srv");
  });

  test("a DNS server that does not answer is a connect error that says so", async (t) => {
    const server = await setup(t);
    if (!server) return;
    const [silentPort] = await freePorts(1);
    const resolver = new dnsPromises.Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([`127.0.0.1:${silentPort}`]);
    const { jid, password } = account(server);
    await rejects(
      check({ jid, password, caFile: server.certs.caFile, resolver: dnsResolver(resolver) }),
      "connect",
      /^DNS did not answer the SRV query for _xmpps?-client\._tcp\.localhost \((ECONNREFUSED|ETIMEOUT)\), so the server of localhost cannot be found\. Check your network and DNS resolver, or give the server with --host\.$/,
    );
    await rejects(
      checkFamilies({ jid, password, caFile: server.certs.caFile, resolver: dnsResolver(resolver) }),
      "connect",
      /DNS did not answer the SRV query/,
    );
  });

  test("a first target that drops packets silently gets its own connect budget; the next one answers (RFC 6120 §3.2)", async (t) => {
    const noFirewall = netnsUnavailable();
    if (noFirewall) return void t.skip(noFirewall);
    const server = await setup(t);
    if (!server) return;
    const [holePort] = await freePorts(1);
    // A black hole: an nftables rule that drops every packet to 127.0.0.1:holePort, in a table of
    // our own (removed afterwards, and at exit should the test die first). Only that port.
    const table = `xsic_blackhole_${process.pid}`;
    const removeTable = () => {
      try {
        execFileSync(NFT, ["delete", "table", "inet", table], { stdio: "ignore" });
      } catch {
        // already gone
      }
    };
    process.once("exit", removeTable);
    t.after(() => {
      removeTable();
      process.off("exit", removeTable);
    });
    await runTool(NFT, ["add", "table", "inet", table]);
    await runTool(NFT, ["add", "chain", "inet", table, "out", "{ type filter hook output priority 0; policy accept; }"]);
    await runTool(NFT, ["add", "rule", "inet", table, "out", "ip", "daddr", "127.0.0.1", "tcp", "dport", String(holePort), "drop"]);

    // The hole really is silent: no refusal, no connection.
    const probe = net.connect({ host: "127.0.0.1", port: holePort });
    const probed = await Promise.race([
      new Promise<string>((resolve) => probe.once("connect", () => resolve("connected")).once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"))),
      new Promise<string>((resolve) => setTimeout(() => resolve("silent"), 1_000)),
    ]);
    probe.destroy();
    assert.equal(probed, "silent");

    const { resolver } = await dns({
      srv: [
        { name: "_xmpp-client._tcp.localhost", target: "hole.example.test", port: holePort, priority: 1 },
        { name: "_xmpp-client._tcp.localhost", target: "xmpp.example.test", port: server.starttlsPort, priority: 2 },
      ],
      hosts: [{ name: "hole.example.test", ipv4: "127.0.0.1" }, XMPP_HOST],
    });
    const { jid, password } = account(server);
    const timeoutMs = 9_000; // each target but the last: a third of it, 3 s
    const started = performance.now();
    const r = await check({ jid, password, caFile: server.certs.caFile, resolver, timeoutMs, profiles: null });
    const elapsed = performance.now() - started;
    assert.equal(r.server.host, "xmpp.example.test");
    assert.equal(r.server.port, server.starttlsPort);
    assert.ok(elapsed >= 2_900, `the black hole was left after ${Math.round(elapsed)} ms, before its budget`);
    assert.ok(elapsed < timeoutMs - 1_000, `the check took ${Math.round(elapsed)} ms of its ${timeoutMs} ms`);

    // With the hole as the only target, its budget is the whole deadline, and the error names it.
    const alone = await dns({ srv: [{ name: "_xmpp-client._tcp.localhost", target: "hole.example.test", port: holePort }], hosts: [{ name: "hole.example.test", ipv4: "127.0.0.1" }] });
    await rejects(check({ jid, password, caFile: server.certs.caFile, resolver: alone.resolver, timeoutMs: 2_000 }), "timeout", /No answer within 2000 ms \(while connecting\)/);
  });
});
