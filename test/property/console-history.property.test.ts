// Properties of the send history: under any sequence of additions (repeats, long texts, texts
// with the password in clear or base64) it stays within its limits, holds each text once, most
// recent first, never a password, and survives a round trip through its stored form. Any stored
// string, however tampered, parses to a history within the limits.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SendHistory } from "../../src/core/console/history";
import { leakedSecret } from "../adversarial/helpers";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };
const PASSWORD = "Tr0ub4dor&3-horse";
const b64 = (s: string) => Buffer.from(s).toString("base64");

const text = fc.oneof(
  fc.constantFrom("<presence/>", " <presence/> ", "<iq type='get'/>", ""),
  fc.string({ maxLength: 60 }),
  fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })).map(([a, b]) => `${a}${PASSWORD}${b}`),
  fc.tuple(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })).map(([a, b]) => `<x>${b64(a + PASSWORD + b)}</x>`),
);

test("the history stays bounded, unique, most recent first, without the password, and round-trips", () => {
  fc.assert(
    fc.property(fc.array(text, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 5, max: 40 }), (texts, maxEntries, maxChars) => {
      const history = new SendHistory({ maxEntries, maxChars });
      for (const t of texts) {
        const outcome = history.add(t, [PASSWORD]);
        const e = history.entries;
        assert.ok(e.length <= maxEntries);
        assert.equal(new Set(e).size, e.length, "an entry is repeated");
        for (const entry of e) {
          assert.ok(entry.length > 0 && entry.length <= maxChars);
          assert.equal(leakedSecret(entry, PASSWORD), null, `the password is in ${JSON.stringify(entry)}`);
        }
        if (outcome === "added" || outcome === "moved-to-front") assert.equal(e[0], t.trim(), "the newest entry is not first");
      }
      assert.deepEqual(SendHistory.parse(history.serialise(), { maxEntries, maxChars }, [PASSWORD]).entries, history.entries);
    }),
    RUNS,
  );
});

test("any stored string parses to a history within the limits", () => {
  const stored = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.oneof(text, fc.integer(), fc.constant(null)), { maxLength: 30 }).map((entries) => JSON.stringify({ format: "xmpp-sic-send-history", version: 1, entries })),
  );
  fc.assert(
    fc.property(stored, fc.integer({ min: 1, max: 5 }), (s, maxEntries) => {
      const h = SendHistory.parse(s, { maxEntries, maxChars: 20 }, [PASSWORD]);
      assert.ok(h.entries.length <= maxEntries);
      assert.equal(new Set(h.entries).size, h.entries.length);
      for (const entry of h.entries) assert.ok(entry.length <= 20 && leakedSecret(entry, PASSWORD) === null);
    }),
    RUNS,
  );
});
