import assert from "node:assert/strict";
import { test } from "node:test";
import { SicError } from "../../src/core/errors";
import { DEFAULT_STREAM_LIMITS, InputGuard } from "../../src/core/streamLimits";

test("whitespace between stanzas never reaches the parser; inside a tag or a value it does", () => {
  const guard = new InputGuard(DEFAULT_STREAM_LIMITS);
  assert.equal(guard.admit("   \n ", true, "testing"), "");
  assert.equal(guard.admit("  <iq type='a", true, "testing"), "<iq type='a");
  assert.equal(guard.admit("  b' ", true, "testing"), "  b' ", "the rest of an attribute value");
  assert.equal(guard.admit(" id='x'>", true, "testing"), " id='x'>");
  assert.equal(guard.admit(" \n", true, "testing"), "", "after the tag, between stanzas again");
  assert.equal(guard.admit(" x", false, "testing"), " x", "inside an element");
});

test("a CDATA section split across writes is followed, quotes and all", () => {
  const guard = new InputGuard(DEFAULT_STREAM_LIMITS);
  guard.admit("<a><![CD", false, "testing");
  guard.admit("ATA[it's > ]]></a>", false, "testing");
  assert.equal(guard.admit("  ", true, "testing"), "");
});

test("a long run of text between stanzas is a bad reply that says so; 200 000 keepalives are not", () => {
  const guard = new InputGuard({ ...DEFAULT_STREAM_LIMITS, maxElementChars: 1_000 });
  for (let i = 0; i < 200_000; i++) guard.admit(" ", true, "testing");
  assert.throws(
    () => {
      for (let i = 0; i < 20; i++) guard.admit("x".repeat(100), true, "testing");
    },
    (err: unknown) => err instanceof SicError && err.code === "bad-reply" && /text between stanzas/.test(err.message),
  );
});
