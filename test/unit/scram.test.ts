import assert from "node:assert/strict";
import { test } from "node:test";
import { ScramClient, ScramProtocolError } from "../../src/core/scram";

// RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3 (SCRAM-SHA-256) worked examples.
test("SCRAM-SHA-1 reproduces the RFC 5802 example exchange", () => {
  const c = new ScramClient("sha1", "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
  assert.equal(c.clientFirst(), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  const final = c.clientFinal("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
  assert.equal(final, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
  assert.equal(c.verifyServerFinal("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), true);
  assert.equal(c.verifyServerFinal("v=AAAApqV8S7suAoZWja4dJRkFsKQ="), false);
});

test("SCRAM-SHA-256 reproduces the RFC 7677 example exchange", () => {
  const c = new ScramClient("sha256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
  assert.equal(c.clientFirst(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  const final = c.clientFinal(
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  );
  assert.equal(final, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  assert.equal(c.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), true);
});

test("SCRAM escapes = and , in the username", () => {
  const c = new ScramClient("sha1", "a=b,c", "x", "nonce");
  assert.equal(c.clientFirst(), "n,,n=a=3Db=2Cc,r=nonce");
});

test("SCRAM refuses a server nonce that does not extend the client's", () => {
  const c = new ScramClient("sha1", "user", "pencil", "abc");
  c.clientFirst();
  assert.throws(() => c.clientFinal("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096"), ScramProtocolError);
  assert.throws(() => c.clientFinal("r=abc,s=QSXCR+Q6sek8bf92,i=4096"), ScramProtocolError);
});

test("SCRAM refuses iteration counts that are weak or would exhaust the CPU", () => {
  for (const i of ["1", "100", "2000000", "99999999", "-5", "4096x"]) {
    const c = new ScramClient("sha1", "user", "pencil", "abc");
    c.clientFirst();
    assert.throws(() => c.clientFinal(`r=abcdef,s=QSXCR+Q6sek8bf92,i=${i}`), ScramProtocolError, `i=${i}`);
  }
});

test("SCRAM rejects a server-final before client-final and a server error attribute", () => {
  const c = new ScramClient("sha1", "user", "pencil", "abc");
  assert.equal(c.verifyServerFinal("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), false);
  c.clientFirst();
  c.clientFinal("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096");
  assert.throws(() => c.verifyServerFinal("e=invalid-proof"), ScramProtocolError);
});
