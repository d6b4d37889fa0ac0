// Properties of XEP-0065 parsing (src/core/streamhosts.ts): any attributes give a bounded list of
// valid streamhosts, and every note is displayable (no control, separator or bidi character).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { xml } from "@xmpp/xml";
import { validHost } from "../../src/core/extdisco";
import { discoItems, MAX_ITEMS, MAX_STREAMHOSTS, NS_BYTESTREAMS, NS_DISCO_ITEMS, parseStreamhosts, usableJid } from "../../src/core/streamhosts";
import { hasUnsafeChar } from "../../src/core/text";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) };

const hostile = fc.constantFrom("\u0085", "\u009b", "\u202e", "\u2028", "\u0000", "\u001b", "'", "<", " ");
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 10 }), hostile, fc.string({ maxLength: 10 })).map((p) => p.join("")),
  fc.constantFrom("proxy.localhost", "192.0.2.1", "::1", "0.0.0.0", "7777", "0", "65536", "a.example", ""),
);
const entry = fc.record({ jid: text, host: text, port: text }, { requiredKeys: [] });

test("parseStreamhosts: bounded, valid streamhosts; displayable notes", () => {
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 30 }), text, (entries, proxy) => {
      const iq = xml("iq", { type: "result" }, xml("query", { xmlns: NS_BYTESTREAMS }, ...entries.map((e) => xml("streamhost", e))));
      const { hosts, notes } = parseStreamhosts(iq, proxy);
      assert.ok(hosts.length <= MAX_STREAMHOSTS && notes.length <= 7, `${hosts.length} hosts, ${notes.length} notes`);
      for (const h of hosts) {
        assert.ok(usableJid(h.jid) && validHost(h.host) && Number.isInteger(h.port) && h.port >= 1 && h.port <= 65535, JSON.stringify(h));
      }
      for (const n of notes) assert.equal(hasUnsafeChar(n), false, n);
    }),
    RUNS,
  );
});

test("discoItems: at most MAX_ITEMS usable JIDs, whatever the items", () => {
  fc.assert(
    fc.property(fc.array(fc.record({ jid: text, node: text }, { requiredKeys: [] }), { maxLength: 40 }), (items) => {
      const iq = xml("iq", { type: "result" }, xml("query", { xmlns: NS_DISCO_ITEMS }, ...items.map((i) => xml("item", i))));
      const { jids, notes } = discoItems(iq);
      assert.ok(jids.length <= MAX_ITEMS && new Set(jids).size === jids.length);
      assert.ok(jids.every((j) => usableJid(j) && !hasUnsafeChar(j)));
      for (const n of notes) assert.equal(hasUnsafeChar(n), false, n);
    }),
    RUNS,
  );
});
