// XEP-0065 replies (src/core/streamhosts.ts, questions/proxy65.ts): which disco items are asked,
// which are proxies, and the streamhosts read by namespace, validated and bounded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_PROXY_KEPT_MS, recallProxies } from "../../src/core/questions/proxy65";
import { discoItems, isProxy, MAX_ITEMS, MAX_STREAMHOSTS, parseStreamhosts, usableJid } from "../../src/core/streamhosts";
import { hasUnsafeChar } from "../../src/core/text";
import { parseStanza } from "../support/xml";

const iq = (inner: string, from = "localhost") => parseStanza(`<iq type='result' id='x' from='${from}'>${inner}</iq>`);
const ITEMS = "http://jabber.org/protocol/disco#items";
const BS = "http://jabber.org/protocol/bytestreams";

test("disco#items: entities only (no node), distinct, usable JIDs, at most MAX_ITEMS", () => {
  const some = iq(`<query xmlns='${ITEMS}'><item jid='proxy.localhost'/><item jid='pubsub.localhost' node='n'/><item jid='proxy.localhost'/><item jid='bad jid'/><item/></query>`);
  const read = discoItems(some);
  assert.deepEqual(read.jids, ["proxy.localhost"]);
  assert.deepEqual(read.notes, ["2 disco item(s) with an unusable JID were not asked"]);
  const many = iq(`<query xmlns='${ITEMS}'>${Array.from({ length: 50 }, (_, i) => `<item jid='c${i}.localhost'/>`).join("")}</query>`);
  const bounded = discoItems(many);
  assert.equal(bounded.jids.length, MAX_ITEMS);
  assert.deepEqual(bounded.jids.slice(0, 2), ["c0.localhost", "c1.localhost"]);
  assert.match(bounded.notes.join(), /only the first 10 disco items/);
  // Items in another namespace are not items.
  assert.deepEqual(discoItems(iq(`<query xmlns='${ITEMS}'><item xmlns='urn:example' jid='x.localhost'/></query>`)).jids, []);
});

test("a proxy: identity proxy/bytestreams or the bytestreams feature, in the disco#info namespace", () => {
  const info = (inner: string) => iq(`<query xmlns='http://jabber.org/protocol/disco#info'>${inner}</query>`, "proxy.localhost");
  assert.equal(isProxy(info(`<identity category='proxy' type='bytestreams' name='SOCKS5'/>`)), true);
  assert.equal(isProxy(info(`<identity category='pubsub' type='service'/><feature var='${BS}'/>`)), true);
  assert.equal(isProxy(info(`<identity category='conference' type='text'/>`)), false);
  assert.equal(isProxy(iq(`<query xmlns='urn:example'><identity category='proxy' type='bytestreams'/></query>`)), false);
});

test("streamhosts: both servers' shapes; bad entries left out with a quoted note", () => {
  const prosody = parseStreamhosts(iq(`<query xmlns='${BS}'><streamhost jid='proxy.localhost' host='127.0.0.1' port='5000'/></query>`, "proxy.localhost"), "proxy.localhost");
  assert.deepEqual(prosody, { hosts: [{ jid: "proxy.localhost", host: "127.0.0.1", port: 5000 }], notes: [] });
  const ejabberd = parseStreamhosts(iq(`<query xmlns='${BS}'><streamhost jid='proxy.localhost/123' host='::FFFF:192.0.2.1' port='7777'/><streamhost jid='proxy.localhost/123' host='Proxy.Example.ORG' port='7777'/></query>`), "proxy.localhost");
  assert.deepEqual(ejabberd.hosts, [
    { jid: "proxy.localhost/123", host: "192.0.2.1", port: 7777 },
    { jid: "proxy.localhost/123", host: "proxy.example.org", port: 7777 },
  ]);
  const bad = parseStreamhosts(
    iq(`<query xmlns='${BS}'><streamhost jid='p' host='a&#x85;b' port='1'/><streamhost jid='p' host='192.0.2.1' port='-1'/><streamhost host='192.0.2.1' port='1'/><streamhost jid='p' host='::' port='1'/><streamhost xmlns='urn:example' jid='p' host='192.0.2.9' port='9'/></query>`),
    "p\u202e",
  );
  assert.deepEqual(bad.hosts, []);
  // Four bad entries, four notes; the one in another namespace is no streamhost at all.
  assert.equal(bad.notes.length, 4, bad.notes.join("\n"));
  assert.ok(bad.notes.every((n) => !hasUnsafeChar(n)), bad.notes.join("\n"));
  assert.match(bad.notes.join("\n"), /p\\u202e: streamhost 1 left out: host "a\\u0085b"/);
  assert.match(bad.notes.at(-1)!, /streamhost 4 left out: host :: is an unspecified address/);
  const worse = parseStreamhosts(iq(`<query xmlns='${BS}'>${"<streamhost jid='p' host='192.0.2.1' port='0'/>".repeat(7)}</query>`), "p");
  assert.equal(worse.notes.length, 5);
  assert.equal(worse.notes.at(-1), "p: 3 more bad streamhost(s) left out");
  assert.deepEqual(parseStreamhosts(iq(`<query xmlns='urn:example'/>`), "p").hosts, []);
  const many = parseStreamhosts(iq(`<query xmlns='${BS}'>${Array.from({ length: 100 }, (_, i) => `<streamhost jid='p' host='192.0.2.1' port='${i + 1}'/>`).join("")}</query>`), "p");
  assert.equal(many.hosts.length, MAX_STREAMHOSTS);
  assert.deepEqual(many.notes, [`p: ${100 - MAX_STREAMHOSTS} more streamhost(s) than ${MAX_STREAMHOSTS} ignored`]);
});

test("usable JIDs and remembered proxies: a saved profile is untrusted", () => {
  assert.equal(usableJid("proxy.example.org"), true);
  for (const bad of ["", "a b", "a\u0085b", "a\u202eb", "a'b", "x".repeat(1024), undefined]) assert.equal(usableJid(bad), false, JSON.stringify(bad));
  assert.deepEqual(recallProxies({ proxies: ["proxy.localhost"] }), ["proxy.localhost"]);
  // "No proxy" is believed for a day after the search that found none; then, or without a date
  // (a profile from before), or with one in the future, the server is searched again.
  const now = Date.parse("2026-12-02T12:00:00Z");
  assert.deepEqual(recallProxies({ proxies: [], searchedAt: now - 3600_000 }, now), []);
  assert.equal(recallProxies({ proxies: [], searchedAt: now - NO_PROXY_KEPT_MS }, now), undefined);
  assert.equal(recallProxies({ proxies: [] }, now), undefined);
  assert.equal(recallProxies({ proxies: [], searchedAt: now + 3600_000 }, now), undefined);
  assert.equal(recallProxies({ proxies: [], searchedAt: "yesterday" }, now), undefined);
  assert.equal(recallProxies({ proxies: ["a b"] }), undefined);
  assert.equal(recallProxies({ proxies: Array.from({ length: 11 }, (_, i) => `p${i}`) }), undefined);
  assert.equal(recallProxies(null), undefined);
  assert.equal(recallProxies({ proxies: "proxy.localhost" }), undefined);
});
