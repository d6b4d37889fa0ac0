import assert from "node:assert/strict";
import { test } from "node:test";
import { SendHistory } from "../../src/core/console/history";

const PASSWORD = "correct horse battery staple";

test("the most recent entry comes first and a repeated one moves to the front", () => {
  const h = new SendHistory();
  assert.equal(h.add("<presence/>"), "added");
  assert.equal(h.add("<iq type='get'/>"), "added");
  assert.equal(h.add("  <presence/>\n"), "moved-to-front");
  assert.deepEqual(h.entries, ["<presence/>", "<iq type='get'/>"]);
});

test("the history keeps at most maxEntries, dropping the oldest", () => {
  const h = new SendHistory({ maxEntries: 3 });
  for (const n of [1, 2, 3, 4, 5]) h.add(`<presence id='${n}'/>`);
  assert.deepEqual(h.entries, ["<presence id='5'/>", "<presence id='4'/>", "<presence id='3'/>"]);
});

test("empty, too long and secret-bearing entries are not kept", () => {
  const h = new SendHistory({ maxChars: 50 });
  assert.equal(h.add("   "), "empty");
  assert.equal(h.add(`<message><body>${"x".repeat(60)}</body></message>`), "too-long");
  assert.equal(h.add(`<body>${PASSWORD}</body>`, [PASSWORD]), "secret");
  const b64 = Buffer.from(`\0alice\0${PASSWORD}`).toString("base64");
  assert.equal(new SendHistory().add(`<x>${b64}</x>`, [PASSWORD]), "secret");
  assert.deepEqual(h.entries, []);
});

test("entries carrying a secret can be forgotten later", () => {
  const h = new SendHistory();
  h.add("<presence/>");
  h.add(`<message><body>${PASSWORD}</body></message>`);
  assert.equal(h.forgetSecrets([PASSWORD]), 1);
  assert.deepEqual(h.entries, ["<presence/>"]);
});

test("serialise and parse give back the same history", () => {
  const h = new SendHistory();
  for (const text of ["<presence/>", `<message><body>ünïcödé "quotes" \u2028</body></message>`, "<iq type='get'/>"]) h.add(text);
  const copy = SendHistory.parse(h.serialise());
  assert.deepEqual(copy.entries, h.entries);
});

test("a stored history that is not ours, or tampered with, gives a bounded, clean history", () => {
  for (const stored of [undefined, "", "not json", "null", "[]", `{"format":"other","version":1,"entries":[]}`, `{"format":"xmpp-sic-send-history","version":2,"entries":["a"]}`]) {
    assert.deepEqual(SendHistory.parse(stored).entries, [], String(stored));
  }
  const tampered = JSON.stringify({
    format: "xmpp-sic-send-history",
    version: 1,
    entries: ["a", 42, null, "a", "b".repeat(100), `pw ${PASSWORD}`, "c", "d", "e"],
  });
  assert.deepEqual(SendHistory.parse(tampered, { maxEntries: 3, maxChars: 50 }, [PASSWORD]).entries, ["a", "c", "d"]);
  assert.deepEqual(SendHistory.parse("x".repeat(10_000_000), { maxEntries: 2, maxChars: 10 }).entries, []);
});
