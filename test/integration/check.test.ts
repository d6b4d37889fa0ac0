// The core against real servers: Prosody with mod_ipcheck and ejabberd with mod_sic, on loopback,
// over IPv4 and IPv6, STARTTLS and direct TLS, both protocol versions, and the ways a check fails.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { startProsody } from "../../scripts/testbed";
import { check, errorSentence, NS_SIC_0, NS_SIC_1, SicError, StanzaLog, type ErrorCode } from "../../src/core";
import { account, authAttempts, HOSTS, KINDS, serverOrSkip } from "../support/servers";
import { prosodyUnavailable } from "../../scripts/testbed/prosody";

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<SicError> {
  const err = await promise.then(
    () => assert.fail(`expected a ${code} error, but the check succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SicError, `not a SicError: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return err;
}

for (const kind of KINDS) {
  describe(`${kind}`, () => {
    for (const host of HOSTS) {
      test(`sic:1 over STARTTLS from ${host}: the server sees this socket's address and port`, async (t) => {
        const server = await serverOrSkip(t, kind);
        if (!server) return;
        const log = new StanzaLog();
        const { jid, password } = account(server);
        const r = await check({ jid, password, host, port: server.starttlsPort, caFile: server.certs.caFile, log });
        assert.equal(r.local.ip, host);
        assert.equal(r.address.ip, host);
        assert.equal(r.address.port, r.local.port);
        assert.equal(r.address.family, host === "::1" ? "IPv6" : "IPv4");
        assert.equal(r.address.range, "loopback");
        assert.equal(r.namespace, NS_SIC_1);
        assert.equal(r.server.tls, "starttls");
        assert.match(r.server.mechanism, /^SCRAM-SHA-(1|256)$/);
        assert.equal(r.nat.verdict, "no-nat");
        assert.equal(r.nat.portPreserved, true);
        assert.ok(r.features.includes(NS_SIC_1), `features: ${r.features.join(" ")}`);
        const entries = log.list();
        assert.ok(entries.some((e) => e.direction === "out" && e.summary === `iq get → ${NS_SIC_1}`));
        assert.ok(!JSON.stringify(entries).includes(password), "password in the stanza log");
      });

      test(`direct TLS (XEP-0368) from ${host}`, async (t) => {
        const server = await serverOrSkip(t, kind);
        if (!server) return;
        const { jid, password } = account(server);
        const r = await check({ jid, password, host, port: server.directTlsPort, tls: "direct", caFile: server.certs.caFile });
        assert.equal(r.address.ip, host);
        assert.equal(r.address.port, r.local.port);
        assert.equal(r.server.tls, "direct");
        assert.equal(r.server.tlsProtocol, "TLSv1.3");
      });

      test(`sic:0 from ${host}`, async (t) => {
        const server = await serverOrSkip(t, kind);
        if (!server) return;
        const { jid, password } = account(server);
        const r = await check({ jid, password, host, port: server.starttlsPort, caFile: server.certs.caFile, protocol: "sic:0" });
        assert.equal(r.namespace, NS_SIC_0);
        assert.equal(r.address.ip, host);
        // Prosody answers the spec-0.1 <ip/> query; ejabberd only the <address/> shape.
        assert.equal(r.query, kind === "prosody" ? `<ip xmlns='${NS_SIC_0}'/>` : `<address xmlns='${NS_SIC_0}'/>`);
      });
    }

    test("a pinned certificate fingerprint is trusted without any CA", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const { jid, password } = account(server);
      const r = await check({ jid, password, host: "127.0.0.1", port: server.starttlsPort, fingerprint: server.certs.fingerprint });
      assert.equal(r.server.certificate, server.certs.fingerprint);
    });

    test("a wrong fingerprint is a tls error naming both, and the server never receives <auth>", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const { jid, password } = account(server);
      const wrong = Array(32).fill("AB").join(":");
      const before = await authAttempts(server);
      const log = new StanzaLog();
      const err = await rejectsWith(
        check({ jid, password, host: "127.0.0.1", port: server.starttlsPort, fingerprint: wrong, log }),
        "tls",
      );
      assert.ok(err.message.includes(wrong), err.message);
      assert.ok(err.message.includes(server.certs.fingerprint), err.message);
      assert.equal(await authAttempts(server), before);
      assert.ok(!log.list().some((e) => e.kind === "sasl"), "a SASL element was sent");
    });

    test("STARTTLS against the direct-TLS port: says the port may expect direct TLS, not only ECONNRESET", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const { jid, password } = account(server);
      const err = await rejectsWith(
        check({ jid, password, host: "127.0.0.1", port: server.directTlsPort, tls: "starttls", caFile: server.certs.caFile, timeoutMs: 10_000 }),
        "connect",
        /while opening the stream, before a word of XMPP/,
      );
      assert.equal(err.reason, "reset-at-stream-start");
      assert.match(errorSentence(err, "cli"), new RegExp(`Port ${server.directTlsPort} may expect direct TLS.*--tls direct`));
      assert.match(errorSentence(err, "vscode"), /Direct TLS.*Edit Account/);
    });

    for (const [label, caFile] of [
      ["a CA that did not sign the server's certificate", (s: { certs: { otherCaFile: string } }) => s.certs.otherCaFile],
      ["no extra CA (system roots only)", () => undefined],
    ] as const) {
      test(`${label}: tls error before <auth>`, async (t) => {
        const server = await serverOrSkip(t, kind);
        if (!server) return;
        const { jid, password } = account(server);
        const before = await authAttempts(server);
        const ca = caFile(server);
        const err = await rejectsWith(
          check({ jid, password, host: "127.0.0.1", port: server.starttlsPort, ...(ca ? { caFile: ca } : {}) }),
          "tls",
          /not trusted/,
        );
        // The advice is the front end's: the command line's names its options.
        assert.match(errorSentence(err, "cli"), /not trusted.*--ca FILE.*--fingerprint/);
        assert.match(err.data?.fingerprint ?? "", /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
        assert.equal(await authAttempts(server), before);
      });
    }

    test("the certificate is checked against the JID's domain, not the host dialled", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const { password } = account(server);
      // The certificate is for "localhost"; a JID on another domain must not accept it. Direct TLS,
      // because over STARTTLS the server already refuses the unknown domain in the stream header.
      const before = await authAttempts(server);
      await rejectsWith(
        check({ jid: "alice@example.net", password, host: "127.0.0.1", port: server.directTlsPort, tls: "direct", caFile: server.certs.caFile }),
        "tls",
        // ejabberd presents its localhost certificate and we refuse it; Prosody refuses the name itself.
        /not valid for example\.net|no certificate for example\.net/,
      );
      assert.equal(await authAttempts(server), before);
    });

    test("a wrong password is an auth error", async (t) => {
      const server = await serverOrSkip(t, kind);
      if (!server) return;
      const { jid } = account(server);
      await rejectsWith(
        check({ jid, password: "definitely-wrong", host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile }),
        "auth",
        /wrong JID or password/,
      );
    });
  });
}

describe("prosody instances of the test's own", () => {
  test("a stopped server is a connect error", async (t) => {
    const reason = prosodyUnavailable();
    if (reason) return t.skip(reason);
    const server = await startProsody();
    const { jid, password } = account(server);
    const caPem = readFileSync(server.certs.caFile, "utf8");
    await server.stop();
    await rejectsWith(
      check({ jid, password, host: "127.0.0.1", port: server.starttlsPort, caPem }),
      "connect",
      /connection refused/,
    );
  });

  test("a server without mod_ipcheck is unsupported", async (t) => {
    const reason = prosodyUnavailable(false);
    if (reason) return t.skip(reason);
    const server = await startProsody({ ipcheck: false });
    try {
      const { jid, password } = account(server);
      await rejectsWith(
        check({ jid, password, host: "127.0.0.1", port: server.starttlsPort, caFile: server.certs.caFile }),
        "unsupported",
        /mod_ipcheck/,
      );
    } finally {
      await server.stop();
    }
  });
});
