// Parsing by namespace, not by name: the answer is the XEP-0279 payload of the namespace asked,
// stanzas are jabber:client elements, and prefixed but correct XML is accepted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SicError } from "../../src/core/errors";
import { isIq, stanzaError } from "../../src/core/iq";
import { parseIp } from "../../src/core/ip";
import { NS_SIC_0, NS_SIC_1, parseAnswer } from "../../src/core/sic";
import { parseStanza } from "../support/xml";

const result = (payload: string) => parseStanza(`<iq type='result' id='1'>${payload}</iq>`);
const badReply = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof SicError && err.code === "bad-reply" && pattern.test(err.message));

test("prefixed but correct XML is an answer", () => {
  const a = parseAnswer(result(`<s:address xmlns:s='${NS_SIC_1}'><s:ip>192.0.2.5</s:ip><s:port>7</s:port></s:address>`), NS_SIC_1);
  assert.deepEqual([a.ip, a.port, a.namespace], ["192.0.2.5", 7, NS_SIC_1]);
});

test("an <ip> or <port> in a foreign namespace inside a correct <address> is never taken", () => {
  const a = parseAnswer(result(`<address xmlns='${NS_SIC_1}'><ip xmlns='urn:evil'>203.0.113.66</ip><ip>192.0.2.5</ip><port xmlns='urn:evil'>1</port></address>`), NS_SIC_1);
  assert.deepEqual([a.ip, a.port], ["192.0.2.5", null]);
  badReply(() => parseAnswer(result(`<address xmlns='${NS_SIC_1}'><ip xmlns='urn:evil'>203.0.113.66</ip></address>`), NS_SIC_1), /holds no <ip>/);
});

test("a payload of another version than asked, or two payloads, is a bad reply; a foreign element is ignored", () => {
  badReply(() => parseAnswer(result(`<address xmlns='${NS_SIC_0}'><ip>192.0.2.5</ip></address>`), NS_SIC_1), /instead of an XEP-0279 address in urn:xmpp:sic:1/);
  badReply(
    () => parseAnswer(result(`<address xmlns='${NS_SIC_0}'><ip>203.0.113.66</ip></address><address xmlns='${NS_SIC_1}'><ip>192.0.2.5</ip></address>`), NS_SIC_1),
    /2 XEP-0279 payloads/,
  );
  const a = parseAnswer(result(`<address xmlns='urn:evil'><ip>203.0.113.66</ip></address><address xmlns='${NS_SIC_1}'><ip>192.0.2.5</ip></address>`), NS_SIC_1);
  assert.equal(a.ip, "192.0.2.5");
});

test("an element named iq in a foreign namespace is not a stanza; a prefixed jabber:client iq is", () => {
  assert.equal(isIq(parseStanza(`<iq xmlns='urn:evil' type='result' id='1'/>`)), false);
  assert.equal(isIq(parseStanza(`<c:iq xmlns:c='jabber:client' type='result' id='1'/>`)), true);
  assert.equal(isIq(parseStanza(`<iq type='result' id='1'/>`)), true);
});

test("a stanza error's condition and text count only in the stanzas namespace, quoted", () => {
  const e = stanzaError(
    parseStanza(`<iq type='error' id='1'><error type='cancel'><forbidden xmlns='urn:evil'/><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>a&#13;b\u009b</text></error></iq>`),
  );
  assert.deepEqual(e, { type: "cancel", condition: "item-not-found", text: "a\\rb\\u009b" });
});

test("IP text only in canonical forms, also inside ::ffff:; ::a.b.c.d stays IPv6; a zone id is removed", () => {
  for (const bad of ["::ffff:01.2.3.4", "::ffff:0x7f.0.0.1", "::ffff:127.1", "::ffff:1.2.3.04", "1:2:3:4:5:6:7:8:9", "fe80::1%\u009b", "fe80::1%"]) {
    assert.equal(parseIp(bad), null, JSON.stringify(bad));
  }
  assert.deepEqual(parseIp("::ffff:192.0.2.1"), { ip: "192.0.2.1", family: "IPv4", range: "reserved" });
  assert.equal(parseIp("::1.2.3.4")?.ip, "::102:304");
  assert.equal(parseIp("::1.2.3.4")?.family, "IPv6");
  assert.equal(parseIp("64:ff9b::192.0.2.33")?.ip, "64:ff9b::c000:221");
  assert.deepEqual(parseIp("fe80::1%eth0"), { ip: "fe80::1", family: "IPv6", range: "linkLocal" });
});
