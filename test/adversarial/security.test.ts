// TLS and SASL against a hostile server: credentials never leave in clear or to an unverified
// peer, SCRAM proves the server, plaintext is an explicit loopback-only choice, and nothing here
// weakens certificate verification for the rest of the process.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import tls from "node:tls";
import { check, errorSentence, SicError } from "../../src/core";
import { expectError, expectResult, scenario } from "./helpers";
import { DOMAIN, NS_SASL, NS_TLS, PASSWORD, USER, type Script } from "./server";

const ENV_AT_START = { reject: process.env.NODE_TLS_REJECT_UNAUTHORIZED, extra: process.env.NODE_EXTRA_CA_CERTS };
const noAuth = (received: string) => assert.ok(!received.includes("<auth"), "the server received <auth>");
const WRONG_FINGERPRINT = Array(32).fill("AB").join(":");

describe("TLS before credentials", () => {
  test("no STARTTLS offered: refused with tls, credentials never sent in clear", () =>
    scenario({ transport: "plain" }, async (server) => {
      await expectError(server, "tls", /does not offer STARTTLS; refusing to send credentials unencrypted/);
      noAuth(server.received);
    }));

  test("STARTTLS answered with <failure/>: tls, no <auth>", () =>
    scenario(
      {
        onHeader: async (c, stage) => {
          if (stage !== "plain") return false;
          await c.header();
          await c.send(`<stream:features><starttls xmlns='${NS_TLS}'/><mechanisms xmlns='${NS_SASL}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`);
          await c.nextElement();
          await c.send(`<failure xmlns='${NS_TLS}'/></stream:stream>`);
          return true;
        },
      },
      async (server) => {
        await expectError(server, "tls", /answered STARTTLS with <failure\/> instead of <proceed\/>/);
        noAuth(server.received);
      },
    ));

  test("plaintext injected right after <proceed/> (CVE-2011-0411 style): tls, no <auth>", () =>
    scenario(
      {
        onHeader: async (c, stage) => {
          if (stage !== "plain") return false;
          await c.header();
          await c.send(`<stream:features><starttls xmlns='${NS_TLS}'><required/></starttls></stream:features>`);
          await c.nextElement();
          await c.send(`<proceed xmlns='${NS_TLS}'/><stream:features><mechanisms xmlns='${NS_SASL}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`);
          return true;
        },
      },
      async (server) => {
        await expectError(server, "tls", /unencrypted data after agreeing to start TLS/);
        noAuth(server.received);
      },
    ));

  test("a server that offered STARTTLS before (profiled, pipelined) and now does not: tls, no <auth> in clear", () =>
    scenario({}, async (server) => {
      await expectResult(server);
      await expectResult(server); // pipelined from the profile the first check learned
      assert.ok(!server.connections.at(-1)!.received.includes("disco#info"), "the second check was not pipelined");
      const before = server.connections.length;
      server.script.transport = "plain";
      await expectError(server, "tls", /does not offer STARTTLS; refusing to send credentials unencrypted/);
      for (const c of server.connections.slice(before)) noAuth(c.received);
    }));

  test("a profiled server whose certificate is now untrusted: tls before <auth>, pipelining or not", () =>
    scenario({}, async (server) => {
      await expectResult(server);
      const before = server.connections.length;
      await expectError(server, "tls", /not trusted/, { caFile: server.certs.otherCaFile });
      for (const c of server.connections.slice(before)) noAuth(c.received);
    }));

  for (const transport of ["starttls", "direct"] as const) {
    test(`${transport}: a certificate from an unrelated CA fails verification before <auth>`, () =>
      scenario({ transport }, async (server) => {
        const { error } = await expectError(server, "tls", /not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/, { caFile: server.certs.otherCaFile });
        // The advice is the front end's: the command line's names its options.
        assert.match(errorSentence(error, "cli"), /not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*--ca FILE.*--fingerprint/);
        // The certificate the server showed, for a front end to offer pinning it.
        assert.equal(error.reason, "untrusted-certificate");
        assert.equal(error.data?.fingerprint, server.certs.fingerprint);
        noAuth(server.received);
      }));

    test(`${transport}: system roots only (the test CA is not one): tls before <auth>`, () =>
      scenario({ transport }, async (server) => {
        await expectError(server, "tls", /not trusted/, { caFile: undefined });
        noAuth(server.received);
      }));

    test(`${transport}: a certificate for another name (JID example.net, certificate localhost): tls before <auth>`, () =>
      scenario({ transport }, async (server) => {
        await expectError(server, "tls", /not valid for example\.net/, { jid: "alice@example.net" });
        noAuth(server.received);
      }));

    test(`${transport}: a fingerprint mismatch names both fingerprints, before <auth>`, () =>
      scenario({ transport }, async (server) => {
        const { error } = await expectError(server, "tls", /does not match the pinned fingerprint/, { caFile: undefined, fingerprint: WRONG_FINGERPRINT });
        assert.ok(error.message.includes(`Pinned: ${WRONG_FINGERPRINT}`), error.message);
        assert.ok(error.message.includes(`Server sent: ${server.certs.fingerprint}`), error.message);
        noAuth(server.received);
      }));

    test(`${transport}: the right fingerprint is trusted without any CA`, () =>
      scenario({ transport }, async (server) => {
        const r = await expectResult(server, { caFile: undefined, fingerprint: server.certs.fingerprint.toLowerCase().replace(/:/g, "") });
        assert.equal(r.server.certificate, server.certs.fingerprint);
        assert.equal(r.server.tls, transport);
      }));
  }
});

describe("SASL", () => {
  test("PLAIN inside TLS: the check succeeds", () =>
    scenario({}, async (server) => {
      const r = await expectResult(server);
      assert.equal(r.server.mechanism, "PLAIN");
      assert.equal(r.server.tlsProtocol, "TLSv1.3");
    }));

  for (const [offered, chosen] of [
    [["PLAIN", "SCRAM-SHA-1"], "SCRAM-SHA-1"],
    [["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], "SCRAM-SHA-256"],
  ] as const) {
    test(`SCRAM against a real SCRAM server: offered ${offered.join(", ")}, ${chosen} runs and proves the server`, () =>
      scenario({ mechanisms: [...offered] }, async (server) => {
        const r = await expectResult(server);
        assert.equal(r.server.mechanism, chosen);
        assert.match(server.received, new RegExp(`<auth [^>]*mechanism="${chosen}"`));
        assert.doesNotMatch(server.received, /mechanism="PLAIN"/);
      }));
  }

  test("SCRAM with a unicode password (NFKC-prepared on both sides)", () =>
    scenario({ mechanisms: ["SCRAM-SHA-256"], users: { [USER]: "ｐäßwörd-Ⅻ-🔑" } }, async (server) => {
      const r = await expectResult(server, { password: "ｐäßwörd-Ⅻ-🔑" });
      assert.equal(r.server.mechanism, "SCRAM-SHA-256");
    }));

  test("SASL failure (wrong password): auth", () =>
    scenario({ users: { [USER]: "another password" } }, async (server) => {
      await expectError(server, "auth", /wrong JID or password/);
    }));

  test("SCRAM failure (wrong password): auth", () =>
    scenario({ mechanisms: ["SCRAM-SHA-1"], users: { [USER]: "another password" } }, async (server) => {
      await expectError(server, "auth", /wrong JID or password/);
    }));

  // RFC 5802 §7: only invalid-proof and unknown-user are about the credentials; any other e= is
  // the server's own failure, which a password change cannot fix (so no Change Password offered).
  for (const [serverError, reason] of [
    ["invalid-proof", undefined],
    ["unknown-user", undefined],
    ["other-error", "login-invalid"],
    ["no-resources", "login-invalid"],
  ] as const) {
    test(`SCRAM server-final e=${serverError}: auth${reason ? `, reason ${reason}` : ", about the credentials"}`, () =>
      scenario({ mechanisms: ["SCRAM-SHA-1"], scram: { serverError } }, async (server) => {
        const { error } = await expectError(server, "auth", new RegExp(`server error "${serverError}"`));
        assert.equal(error.reason, reason);
      }));
  }

  test("SCRAM with a wrong server signature (an impostor): auth, and no query is sent", () =>
    scenario({ mechanisms: ["SCRAM-SHA-256"], scram: { wrongServerSignature: true } }, async (server) => {
      const { error } = await expectError(server, "auth", /could not prove it knows the password \(SCRAM server signature mismatch\)/);
      assert.equal(error.reason, "login-invalid", "a new password cannot fix an impostor");
      assert.equal(server.queries.length, 0);
    }));

  for (const iterations of ["4294967296", "99999999999999999999", "5000000", "0", "-4096", "1e9", "4096.5", ""]) {
    test(`SCRAM with an absurd iteration count (${JSON.stringify(iterations)}): auth, at once`, () =>
      scenario({ mechanisms: ["SCRAM-SHA-1"], scram: { iterations } }, async (server) => {
        const { elapsedMs, error } = await expectError(server, "auth", /SCRAM messages were invalid: (iteration count|server-first-message lacks)/);
        assert.equal(error.reason, "login-invalid");
        assert.ok(elapsedMs < 1_500, `took ${elapsedMs} ms`);
      }));
  }

  test("only mechanisms we do not support: auth naming them", () =>
    scenario({ mechanisms: ["DIGEST-MD5", "X-OAUTH2"] }, async (server) => {
      await expectError(server, "auth", /offers only DIGEST-MD5, X-OAUTH2/);
      noAuth(server.received);
    }));

  test("no mechanism at all: auth", () =>
    scenario({ mechanisms: [] }, async (server) => {
      await expectError(server, "auth", /offers no SASL mechanism/);
    }));

  test("an unexpected SASL element during PLAIN: bad-reply", () =>
    scenario({ onAuth: async (c) => (await c.send(`<challenge xmlns='${NS_SASL}'>AAAA</challenge>`), true) }, async (server) => {
      await expectError(server, "bad-reply", /unexpected SASL <challenge\/>/);
    }));
});

describe("plaintext only by explicit choice, only to loopback", () => {
  const plainScript: Script = { transport: "plain" };

  test("tls none to a loopback server that offers no TLS: works, by explicit choice", () =>
    scenario(plainScript, async (server) => {
      const r = await expectResult(server, { tls: "none", caFile: undefined });
      assert.equal(r.server.tls, "none");
      assert.equal(r.server.tlsProtocol, null);
      assert.equal(r.server.mechanism, "PLAIN");
    }));

  test("tls none to 'localhost' (a name for loopback) works", () =>
    scenario(plainScript, async (server) => {
      const r = await expectResult(server, { tls: "none", caFile: undefined, host: "localhost" });
      assert.equal(r.server.tls, "none");
    }));

  test("tls none against a server that requires TLS: tls, no <auth>", () =>
    scenario({}, async (server) => {
      await expectError(server, "tls", /requires TLS/, { tls: "none", caFile: undefined });
      noAuth(server.received);
    }));

  test("tls none with a CA or a fingerprint is a usage error", async () => {
    for (const extra of [{ caFile: "/nonexistent.pem" }, { fingerprint: WRONG_FINGERPRINT }]) {
      await assert.rejects(
        check({ jid: `${USER}@${DOMAIN}`, password: PASSWORD, host: "127.0.0.1", port: 1, tls: "none", ...extra }),
        (e: unknown) => e instanceof SicError && e.code === "usage" && /only makes sense with TLS/.test(e.message),
      );
    }
  });

  describe("a non-loopback address with tls none is a usage error before any connection", () => {
    // Guard: no connection may be attempted at all (and none must reach a non-loopback address).
    const attempts: unknown[] = [];
    const realNet = net.connect;
    const realTls = tls.connect;
    const refuse = (args: unknown[]) => {
      attempts.push(args[0]);
      throw new Error("a connection was attempted");
    };
    before(() => {
      (net as { connect: unknown }).connect = (...args: unknown[]) => refuse(args);
      (tls as { connect: unknown }).connect = (...args: unknown[]) => refuse(args);
    });
    after(() => {
      (net as { connect: unknown }).connect = realNet;
      (tls as { connect: unknown }).connect = realTls;
    });

    for (const host of ["192.0.2.1", "10.1.2.3", "2001:db8::1", "[2001:db8::1]", "::ffff:192.0.2.1", "0.0.0.0"]) {
      test(`--tls none --host ${host}`, async () => {
        const before = attempts.length;
        await assert.rejects(
          check({ jid: `${USER}@${DOMAIN}`, password: PASSWORD, host, port: 5222, tls: "none", timeoutMs: 2_000 }),
          (e: unknown) => e instanceof SicError && e.code === "usage" && /only allowed to a loopback address/.test(e.message),
        );
        assert.equal(attempts.length, before, `connection attempted: ${JSON.stringify(attempts.slice(before))}`);
      });
    }
  });
});

describe("certificate verification is never disabled process-wide", () => {
  test("after pinned, untrusted and plaintext checks in this process, defaults still verify", () =>
    scenario({ transport: "direct" }, async (server) => {
      // A pinned check (which replaces the chain check for its own connection only) succeeds...
      await expectResult(server, { caFile: undefined, fingerprint: server.certs.fingerprint });
      // ...and leaves nothing behind: an unpinned check without the CA is still refused,
      await expectError(server, "tls", /not trusted/, { caFile: undefined });
      // the environment is untouched,
      assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, ENV_AT_START.reject);
      assert.notEqual(process.env.NODE_TLS_REJECT_UNAUTHORIZED, "0");
      assert.equal(process.env.NODE_EXTRA_CA_CERTS, ENV_AT_START.extra);
      assert.equal(tls.checkServerIdentity.name, "checkServerIdentity");
      assert.ok(!tls.rootCertificates.includes(readFileSync(server.certs.caFile, "utf8").trim()), "the test CA became a root");
      // and a plain tls.connect with Node's defaults still rejects the untrusted certificate.
      const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        const socket = tls.connect({ host: server.host, port: server.port, servername: "localhost" });
        socket.once("secureConnect", () => (socket.destroy(), resolve(null)));
        socket.once("error", (e) => (socket.destroy(), resolve(e)));
      });
      assert.equal(err?.code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    }));

  test("no source turns verification off outside the pinned path", () => {
    const source = (file: string) => readFileSync(join(__dirname, "..", "..", "..", "src", "core", file), "utf8");
    // Every file that opens, negotiates or configures a connection (the negotiation's stages live in session/).
    for (const file of ["tls.ts", "check.ts", "session/negotiate.ts", "session/stages/dial.ts", "session/stages/tls.ts", "session/stages/login.ts"]) {
      assert.doesNotMatch(source(file), /rejectUnauthorized:\s*false/, file);
      assert.doesNotMatch(source(file), /process\.env\.NODE_TLS/, file);
    }
    assert.match(source("tls.ts"), /rejectUnauthorized: pinned === null/);
  });
});
