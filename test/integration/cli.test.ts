// The xmpp-sic command as a user runs it: the built dist/cli.js against the shared Prosody.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, serverOrSkip } from "../support/servers";
import { runCli } from "../support/cli";
import type { XmppServer } from "../../scripts/testbed/types";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function checkArgs(server: XmppServer, ...more: string[]): string[] {
  return ["check", account(server).jid, "--host", "127.0.0.1", "--port", String(server.starttlsPort), "--ca", server.certs.caFile, ...more];
}

function assertNoSecret(text: string, password: string, user: string) {
  assert.ok(!text.includes(password), "password in output");
  assert.ok(!text.includes(b64(password)), "base64 password in output");
  assert.ok(!text.includes(b64(`\0${user}\0${password}`)), "base64 PLAIN payload in output");
}

describe("xmpp-sic check", () => {
  test("--json prints one object with the documented fields and exits 0", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const { password } = account(server);
    const run = await runCli(checkArgs(server, "--json"), { env: { XMPP_PASSWORD: password } });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 1);
    const out = JSON.parse(lines[0]!);
    assert.equal(out.ok, true);
    assert.equal(out.jid, "alice@localhost");
    assert.equal(out.namespace, "urn:xmpp:sic:1");
    assert.equal(out.address.ip, "127.0.0.1");
    assert.equal(out.address.family, "IPv4");
    assert.equal(out.address.range, "loopback");
    assert.equal(out.address.port, out.local.port);
    assert.equal(out.local.ip, "127.0.0.1");
    assert.equal(out.nat.verdict, "no-nat");
    assert.equal(out.nat.portPreserved, true);
    assert.equal(typeof out.nat.reason, "string");
    assert.deepEqual([out.server.host, out.server.port, out.server.tls], ["127.0.0.1", server.starttlsPort, "starttls"]);
    for (const k of ["connect", "tls", "auth", "query", "total"]) assert.equal(typeof out.timingsMs[k], "number", k);
    assertNoSecret(run.stdout + run.stderr, password, "alice");
  });

  test("text output names the external address, local address and NAT hint", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const run = await runCli(checkArgs(server), { env: { XMPP_PASSWORD: account(server).password } });
    assert.equal(run.code, 0, run.stderr);
    const port = /Local address\s+127\.0\.0\.1:(\d+)/.exec(run.stdout)?.[1];
    assert.ok(port, run.stdout);
    assert.match(run.stdout, new RegExp(`External address\\s+127\\.0\\.0\\.1:${port}\\s+\\(IPv4, loopback\\)`));
    assert.match(run.stdout, /NAT\s+no NAT — /);
  });

  test("--password-stdin reads the password from standard input", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const run = await runCli(checkArgs(server, "--json", "--password-stdin"), { stdin: account(server).password + "\n" });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(JSON.parse(run.stdout).ok, true);
  });

  test("a wrong password exits 1 with the auth code, and the password appears nowhere", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const wrong = "Wr0ng-Pässword-4-xmpp-sic";
    const run = await runCli(checkArgs(server, "--json", "--log"), { env: { XMPP_PASSWORD: wrong } });
    assert.equal(run.code, 1);
    assert.deepEqual(Object.keys(JSON.parse(run.stdout)), ["ok", "error"]);
    assert.equal(JSON.parse(run.stdout).error.code, "auth");
    assertNoSecret(run.stdout + run.stderr, wrong, "alice");
  });

  test("--log prints the redacted exchange to stderr, without the password", async (t) => {
    const server = await serverOrSkip(t, "prosody");
    if (!server) return;
    const { password } = account(server);
    const run = await runCli(checkArgs(server, "--log"), { env: { XMPP_PASSWORD: password } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /<< <stream:stream /);
    assert.match(run.stderr, />> <starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>/);
    assert.match(run.stderr, />> <auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="SCRAM-SHA-1">\[redacted\]<\/auth>/);
    assert.match(run.stderr, />> <iq type="get" id="[^"]+"><address xmlns="urn:xmpp:sic:1"\/><\/iq>/);
    assert.match(run.stderr, /<< <iq [^>]*type="result"[^>]*><address xmlns="urn:xmpp:sic:1"><ip>127\.0\.0\.1<\/ip>/);
    assertNoSecret(run.stdout + run.stderr, password, "alice");
  });

  test("usage errors exit 2: a password argument, no password without a terminal, a bad port", async () => {
    const asArg = await runCli(["check", "a@localhost", "--password", "hunter2"]);
    assert.equal(asArg.code, 2);
    assert.match(asArg.stderr, /never accepted as arguments/);
    assert.ok(!asArg.stderr.includes("hunter2"));

    const noPassword = await runCli(["check", "a@localhost", "--json"]);
    assert.equal(noPassword.code, 2);
    assert.equal(JSON.parse(noPassword.stdout).error.code, "usage");

    const badPort = await runCli(["check", "a@localhost", "--port", "99999"], { env: { XMPP_PASSWORD: "x" } });
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port must be a whole number from 1 to 65535/);
  });

  test("a refused connection exits 1 with the connect code", async () => {
    // Port 1 on loopback: nothing listens there in the test bed.
    const run = await runCli(["check", "a@localhost", "--host", "127.0.0.1", "--port", "1", "--json"], { env: { XMPP_PASSWORD: "x" } });
    assert.equal(run.code, 1);
    assert.equal(JSON.parse(run.stdout).error.code, "connect");
  });
});
