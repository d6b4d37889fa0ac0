// The Stanza Log's console-like rows: short summaries built from the core's own summaries of real
// elements (StanzaRecorder), 24-hour times, failures, and hostile text neutralised.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Parser, type Element } from "@xmpp/xml";
import { kindOf, summarise } from "../../src/core/stanzaLog";
import { clockTime, displayText, isFailure, shortNamespace, shortSummary, stanzaContext } from "../../src/vscode/stanzaSummary";

function parse(xml: string): Element {
  let root: Element | undefined;
  const parser = new Parser();
  parser.on("element", (el: Element) => (root ??= el));
  parser.write(`<w>${xml}</w>`);
  assert.ok(root, `not parsed: ${xml}`);
  return root;
}

/** What a row shows for an element, through the core's recorder functions. */
const row = (xml: string) => {
  const el = parse(xml);
  return shortSummary({ kind: kindOf(el), summary: summarise(el), xml });
};

test("iq payloads are named by their short namespace; answers show what they carry", () => {
  assert.equal(row(`<iq type="set" id="1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>r</resource></bind></iq>`), "bind");
  assert.equal(row(`<iq type="result" id="1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>a@example.org/r</jid></bind></iq>`), "bind → a@example.org/r");
  assert.equal(row(`<iq type="get" id="2" to="example.org"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`), "disco#info");
  assert.equal(
    row(`<iq type="result" id="2"><query xmlns="http://jabber.org/protocol/disco#info"><identity category="server"/><feature var="a"/><feature var="b"/></query></iq>`),
    "disco#info → 2 features",
  );
  assert.equal(row(`<iq type="get" id="3"><address xmlns="urn:xmpp:sic:1"/></iq>`), "sic:1");
  assert.equal(row(`<iq type="result" id="3"><address xmlns="urn:xmpp:sic:1"><ip>192.0.2.7</ip><port>42814</port></address></iq>`), "sic:1 → 192.0.2.7:42814");
  assert.equal(row(`<iq type="result" id="3"><address xmlns="urn:xmpp:sic:1"><ip>2001:db8::7</ip><port>5</port></address></iq>`), "sic:1 → [2001:db8::7]:5");
  assert.equal(row(`<iq type="result" id="4"><ip xmlns="urn:xmpp:sic:0">198.51.100.2</ip></iq>`), "sic:0 → 198.51.100.2");
  assert.equal(row(`<iq type="result" id="5"/>`), "result");
});

test("error replies name the payload and the condition, and count as failures", () => {
  const xml = `<iq type="error" id="3"><address xmlns="urn:xmpp:sic:1"/><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`;
  const el = parse(xml);
  const entry = { kind: kindOf(el), summary: summarise(el), xml };
  assert.equal(shortSummary(entry), "sic:1 ✗ service-unavailable");
  assert.equal(isFailure(entry), true);
  assert.equal(isFailure({ kind: "iq", summary: "iq result → urn:xmpp:sic:1" }), false);
  assert.equal(isFailure({ kind: "stream", summary: "stream error: host-unknown" }), true);
  assert.equal(isFailure({ kind: "sasl", summary: "sasl failure" }), true);
  assert.equal(isFailure({ kind: "sasl", summary: "sasl success" }), false);
});

test("stream and SASL rows drop the words the kind already says", () => {
  assert.equal(shortSummary({ kind: "stream", summary: "stream open from example.org", xml: "" }), "stream open");
  assert.equal(shortSummary({ kind: "stream", summary: "stream features: starttls, mechanisms", xml: "" }), "features: starttls, mechanisms");
  assert.equal(shortSummary({ kind: "sasl", summary: "sasl auth SCRAM-SHA-256", xml: "" }), "auth SCRAM-SHA-256");
  assert.equal(shortSummary({ kind: "sasl", summary: "sasl2 authenticate SCRAM-SHA-1", xml: "" }), "authenticate SCRAM-SHA-1");
});

test("server-controlled text cannot break a row: control and bidi characters are replaced, length is clipped", () => {
  const hostile = row(`<iq type="result" id="1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>a\u202eb&#10;c${"x".repeat(300)}</jid></bind></iq>`);
  assert.doesNotMatch(hostile, /[\u202e\n]/);
  assert.ok(hostile.length <= 72, `not clipped: ${hostile.length}`);
  assert.equal(displayText("a\u0007b"), "a\ufffdb");
  assert.equal(shortNamespace("urn:example:other"), "urn:example:other");
});

test("times read 24-hour with milliseconds", () => {
  const t = new Date(2026, 11, 1, 20, 2, 39, 489).getTime();
  assert.equal(clockTime(t), "20:02:39.489");
  assert.equal(clockTime(new Date(2026, 0, 1, 0, 0, 0, 5).getTime()), "00:00:00.005");
});

// The Stanza Log's row menus, as the manifest's `when` clauses decide them: each entry's
// `viewItem =~ /…/` evaluated against the contextValue stanzaContext() gives each kind of row.
test("row menus: Edit and Resend only on a sent iq, message or presence; Copy as Template only on a received stanza; Go to Paired only when paired", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8"));
  const menus: { command: string; when: string }[] = pkg.contributes.menus["view/item/context"].filter((m: { when: string }) => m.when.includes("view == xmppSic.stanzaLog"));
  const shows = (command: string, contextValue: string) =>
    menus.some((m) => {
      if (m.command !== command) return false;
      const re = /viewItem =~ \/(.+)\/$/.exec(m.when)?.[1];
      const eq = /viewItem == (\S+)$/.exec(m.when)?.[1];
      return re !== undefined ? new RegExp(re).test(contextValue) : eq === contextValue;
    });
  const rows = {
    sentIq: stanzaContext({ direction: "out", kind: "iq", xml: `<iq type="get" id="a"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>` }, true),
    sentMessage: stanzaContext({ direction: "out", kind: "message", xml: `<message to="bob@example.org"><body>hi</body></message>` }, false),
    sentSasl: stanzaContext({ direction: "out", kind: "sasl", xml: `<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>` }, false),
    // The login's own iq: the console refuses to send a bind, so the menu does not offer it.
    sentBind: stanzaContext({ direction: "out", kind: "iq", xml: `<iq type="set" id="b"><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>` }, true),
    receivedIq: stanzaContext({ direction: "in", kind: "iq", xml: `<iq type="result" id="a"/>` }, true),
    receivedStream: stanzaContext({ direction: "in", kind: "stream", xml: `<stream:features/>` }, false),
  };
  assert.ok(shows("xmppSic.console.editAndResend", rows.sentIq) && shows("xmppSic.console.editAndResend", rows.sentMessage));
  for (const row of [rows.sentSasl, rows.sentBind, rows.receivedIq, rows.receivedStream]) assert.ok(!shows("xmppSic.console.editAndResend", row), `Edit and Resend on ${row}`);
  assert.ok(shows("xmppSic.console.copyAsTemplate", rows.receivedIq) && shows("xmppSic.console.copyAsTemplate", rows.receivedStream));
  for (const row of [rows.sentIq, rows.sentMessage, rows.sentSasl]) assert.ok(!shows("xmppSic.console.copyAsTemplate", row), `Copy as Template on ${row}`);
  assert.ok(shows("xmppSic.stanzaLog.goToPaired", rows.sentIq) && shows("xmppSic.stanzaLog.goToPaired", rows.receivedIq));
  assert.ok(!shows("xmppSic.stanzaLog.goToPaired", rows.sentMessage), "Go to Paired on an unpaired row");
  // Every row keeps Open, Copy XML and Export This Check; a check's group row gets none of the row entries.
  for (const row of Object.values(rows)) {
    for (const command of ["xmppSic.stanzaLog.open", "xmppSic.stanzaLog.copyXml", "xmppSic.stanzaLog.exportCheck"]) assert.ok(shows(command, row), `${command} missing on ${row}`);
  }
  for (const group of ["stanzaCheck", "stanzaConsole"]) assert.ok(!shows("xmppSic.stanzaLog.open", group) && !shows("xmppSic.console.editAndResend", group), `row entries on ${group}`);
});
