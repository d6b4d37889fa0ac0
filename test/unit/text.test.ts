import assert from "node:assert/strict";
import { test } from "node:test";
import { SicError } from "../../src/core/errors";
import { clip, jsonSafe, neutralise, quoted, quotedName } from "../../src/core/text";

test("control characters become visible escapes; TAB and LF stay only where lines are kept", () => {
  assert.equal(neutralise("a\u001b[2Kb\rc\u007fd\u009be\u202ef\u2066g\u2028h\u0000"), "a\\x1b[2Kb\\rc\\x7fd\\u009be\\u202ef\\u2066g\\u2028h\\x00");
  assert.equal(neutralise("line\tone\nline two\r\n"), "line\\tone\\nline two\\r\\n");
  assert.equal(neutralise("line\tone\nline two\r\n", { keepLines: true }), "line\tone\nline two\\r\n");
  assert.equal(neutralise("naïve ☃ 𝄞 — ordinary text"), "naïve ☃ 𝄞 — ordinary text");
});

test("a quoted text is one line of at most its length, with an ellipsis, never half an escape or surrogate pair", () => {
  assert.equal(quoted("short"), "short");
  const long = quoted("x".repeat(100_000));
  assert.equal(long.length, 300);
  assert.ok(long.endsWith("…"));
  const escapes = quoted("\u009b".repeat(1_000), 40);
  assert.ok(escapes.length <= 40, escapes);
  assert.match(escapes, /^(\\u009b)+…$/);
  assert.equal(clip("ab𝄞", 3), "ab…");
  assert.equal(clip("a𝄞b", 3), "a…");
  assert.equal(quotedName("n".repeat(1_000)).length, 64);
});

test("JSON keeps its value but carries no raw DEL, C1 or bidi control", () => {
  const value = { m: "a\u007fb\u009bc\u202ed\u2028e" };
  const json = jsonSafe(JSON.stringify(value));
  assert.doesNotMatch(json, /[\u007f-\u009f\u2028\u202e]/);
  assert.deepEqual(JSON.parse(json), value);
});

test("every SicError message is one displayable line of at most 2 000 characters", () => {
  const err = new SicError("bad-reply", `said: ${"\u009b31m".repeat(5_000)}\r\nfake line`);
  assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f-\u009f]/);
  assert.ok(err.message.length <= 2_000);
});
