// The UDP picture wired into check(): XEP-0215's STUN services asked with the XEP-0279 query,
// Bindings from one socket bound to the TCP connection's local address, the mapping verdict; the
// real ejabberd (ejabberd_stun + mod_stun_disco) announces STUN, the shared Prosody does not.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { check, discoPlanner, exportLogXml, extdiscoQuestion, ProfileCache, runSession, sicQuestion, StanzaLog } from "../../src/core";
import type { XmppServer } from "../../scripts/testbed/types";
import { runCli } from "../support/cli";
import { index, waits } from "../support/flights";
import { account, serverOrSkip } from "../support/servers";

function checkArgs(server: XmppServer, ...more: string[]): string[] {
  return ["check", account(server).jid, "--host", "127.0.0.1", "--port", String(server.starttlsPort), "--ca", server.certs.caFile, ...more];
}

describe("xmpp-sic check: the UDP picture", () => {
  test("ejabberd with STUN: --json has udp; each Binding mapped the socket's own loopback address", async (t) => {
    const server = await serverOrSkip(t, "ejabberd");
    if (!server) return;
    const info = server.describe();
    const stunPort = info.kind === "ejabberd" ? info.stunPort! : 0;
    const run = await runCli(checkArgs(server, "--json", "--family", "ipv4"), { env: { XMPP_PASSWORD: account(server).password } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const out = JSON.parse(run.stdout);
    assert.ok(
      out.udp.services.some((s: Record<string, unknown>) => s.type === "stun" && s.transport === "udp" && s.host === "127.0.0.1" && s.port === stunPort),
      JSON.stringify(out.udp.services),
    );
    for (const s of out.udp.services) assert.deepEqual(Object.keys(s).sort(), ["host", "port", "transport", "type"]);
    assert.ok(out.udp.bindings.length >= 1);
    for (const b of out.udp.bindings) {
      assert.equal(b.error, undefined, JSON.stringify(b));
      assert.deepEqual(b.server, { host: "127.0.0.1", ip: "127.0.0.1", port: stunPort });
      // Bound to the TCP connection's local address; on loopback nothing translates.
      assert.equal(b.local.ip, out.local.ip);
      assert.notEqual(b.local.port, 0);
      assert.deepEqual(b.mapped, b.local);
      assert.equal(typeof b.rttMs, "number");
    }
    assert.deepEqual(Object.keys(out.udp.mapping).sort(), ["behaviour", "portPreserved", "reason", "sameNatAsTcp", "verdict"]);
    // ejabberd is one STUN destination without RFC 5780: the finer kind cannot be told.
    assert.equal(out.udp.mapping.behaviour, "unknown");
    assert.equal(out.udp.mapping.verdict, "cannot tell (only one STUN server)");
    assert.equal(out.udp.mapping.portPreserved, true);
    assert.equal(out.udp.mapping.sameNatAsTcp, true);

    const text = await runCli(checkArgs(server, "--family", "ipv4"), { env: { XMPP_PASSWORD: account(server).password } });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`UDP via STUN +127\\.0\\.0\\.1:${stunPort} saw 127\\.0\\.0\\.1:\\d+`));
    assert.match(text.stdout, /UDP mapping +unknown — cannot tell/);

    const off = await runCli(checkArgs(server, "--json", "--family", "ipv4", "--udp", "off"), { env: { XMPP_PASSWORD: account(server).password } });
    assert.equal(off.code, 0, off.stderr);
    assert.equal(JSON.parse(off.stdout).udp, undefined);
  });

  test("Prosody without STUN: auto leaves udp out, --udp on fails with unsupported", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const env = { XMPP_PASSWORD: account(server).password };
    const auto = await runCli(checkArgs(server, "--json", "--family", "ipv4"), { env });
    assert.equal(auto.code, 0, auto.stderr);
    assert.equal(JSON.parse(auto.stdout).udp, undefined);
    const on = await runCli(checkArgs(server, "--json", "--family", "ipv4", "--udp", "on"), { env });
    assert.equal(on.code, 1, on.stdout);
    const err = JSON.parse(on.stdout);
    assert.equal(err.ok, false);
    assert.equal(err.error.code, "unsupported");
    assert.match(err.error.message, /no STUN service/);
    const bad = await runCli(checkArgs(server, "--udp", "sometimes"), { env });
    assert.equal(bad.code, 2);
  });

  test("ejabberd, known server: the XEP-0215 query rides behind bind; no wait beyond a check without UDP", async (t) => {
    const server = await serverOrSkip(t, "ejabberd");
    if (!server) return;
    const { jid, password } = account(server);
    const run = async (profiles: ProfileCache, udp: "auto" | "off") => {
      const log = new StanzaLog();
      const result = await check({ jid, password, host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile, family: "IPv4", log, profiles, udp });
      return { result, entries: log.list() };
    };
    const withUdp = new ProfileCache();
    const first = await run(withUdp, "auto");
    assert.ok(first.result.udp, "first contact has the UDP picture");
    const profile = Object.values(withUdp.toJSON())[0]!;
    const remembered = profile.answers.extdisco as { services: Record<string, unknown>[] };
    assert.ok(remembered.services.length > 0 && remembered.services.every((s) => Object.keys(s).sort().join() === "host,port,transport,type"));
    const withoutUdp = new ProfileCache();
    await run(withoutUdp, "off");

    const known = await run(withUdp, "auto");
    const knownOff = await run(withoutUdp, "off");
    const e = known.entries;
    const bindResult = index(e, "in", /iq result → .*xmpp-bind/);
    assert.ok(index(e, "out", /iq get → urn:xmpp:extdisco:2/) >= 0 && index(e, "out", /iq get → urn:xmpp:extdisco:2/) < bindResult, "extdisco waited for bind");
    assert.equal(waits(e), waits(knownOff.entries));
    // The first Binding leaves before the XEP-0215 answer arrives: the profile remembered the services.
    const firstBinding = (entries: typeof e) => index(entries, "out", /^STUN Binding → 127\.0\.0\.1:/);
    const servicesAnswer = (entries: typeof e) => index(entries, "in", /iq result → urn:xmpp:extdisco/);
    assert.ok(servicesAnswer(e) >= 0 && firstBinding(e) >= 0, e.map((x) => x.summary).join("\n"));
    assert.ok(firstBinding(e) < servicesAnswer(e), "the known server's Binding waited for the XEP-0215 answer");
    assert.ok(firstBinding(first.entries) > servicesAnswer(first.entries), "first contact cannot know the services before the answer");
    assert.ok(index(e, "in", /^STUN Binding ← 127\.0\.0\.1:\d+: saw 127\.0\.0\.1:\d+/) >= 0, "a line per STUN answer");
    assert.ok(known.result.udp?.bindings.every((b) => "mapped" in b));
    // Result fields other than udp unchanged in shape.
    assert.deepEqual(Object.keys(known.result).filter((k) => k !== "udp").sort(), Object.keys(knownOff.result).sort());
  });

  test("TURN credentials asked for a run never reach the stanza log or its export", async (t) => {
    const server = await serverOrSkip(t, "ejabberd");
    if (!server) return;
    const { jid, password } = account(server);
    const log = new StanzaLog();
    const options = { jid, password, host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile, log };
    const questions = { planner: discoPlanner, questions: [sicQuestion("auto"), extdiscoQuestion({ turn: true })] as const };
    const [, found] = await runSession(options, questions, (r) => r.answers);
    const secrets = found.turn?.secrets() ?? [];
    assert.ok(secrets.length >= 2, "ejabberd handed out TURN credentials");
    const texts = [...log.list().map((e) => e.xml + e.summary), exportLogXml(log.list())];
    for (const text of texts) for (const secret of secrets) assert.ok(!text.includes(secret), "a TURN credential in the log");
    assert.ok(log.list().some((e) => /<service [^>]*password="\[redacted\]"/.test(e.xml)), "the redacted TURN entry is logged");
  });
});
