import assert from "node:assert/strict";
import { test } from "node:test";
import { validateAccount, validateJid } from "../../src/core/account";
import { SicError } from "../../src/core/errors";

const usage = (f: () => unknown, pattern: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof SicError && e.code === "usage" && pattern.test(e.message));

test("user JIDs parse into parts, domain lower-cased", () => {
  assert.deepEqual(validateJid("Alice@Example.ORG/phone"), { local: "alice", domain: "example.org", resource: "phone", bare: "alice@example.org" });
  assert.equal(validateJid(" bob@localhost ").bare, "bob@localhost");
});

test("what is not a user JID is refused", () => {
  usage(() => validateJid(""), /No JID/);
  usage(() => validateJid("example.org"), /not a user JID/);
  usage(() => validateJid("@example.org"), /not a user JID/);
  usage(() => validateJid("a b@example.org"), /character JIDs do not allow/);
  usage(() => validateJid("a@exa mple.org"), /not a valid host name/);
  usage(() => validateJid("a@"), /JID/);
});

test("account settings are validated as a whole", () => {
  assert.deepEqual(validateAccount({ jid: "a@b.org", port: 5223, tls: "direct" }), { jid: "a@b.org", port: 5223, tls: "direct" });
  usage(() => validateAccount({ jid: "a@b.org", caFile: "/x", fingerprint: "00".repeat(32) }), /either a CA file or a certificate fingerprint/);
  usage(() => validateAccount({ jid: "a@b.org", fingerprint: "xyz" }), /not a SHA-256 fingerprint/);
  usage(() => validateAccount({ jid: "a@b.org", port: 0 }), /Port must be/);
  assert.equal(
    validateAccount({ jid: "a@b.org", fingerprint: "ab".repeat(32) }).fingerprint,
    Array(32).fill("AB").join(":"),
  );
});
