import assert from "node:assert/strict";
import { test } from "node:test";
import { SicError } from "../../src/core/errors";
import { compose, ComposeError, type ComposeOptions, type ComposeRule } from "../../src/core/console/compose";

const PASSWORD = "hunter2-is-my-password";
let counter = 0;
const opts = (more: ComposeOptions = {}): ComposeOptions => ({ newId: () => `id${++counter}`, secrets: [PASSWORD], ...more });

function refused(text: string, rule: ComposeRule, line?: number, column?: number, options: ComposeOptions = opts()): ComposeError {
  try {
    compose(text, options);
  } catch (err) {
    assert.ok(err instanceof ComposeError, `not a ComposeError: ${String(err)}`);
    assert.equal(err.rule, rule, err.message);
    if (line !== undefined) assert.deepEqual([err.position?.line, err.position?.column], [line, column], err.message);
    return err;
  }
  assert.fail(`accepted: ${text}`);
}

test("a disco#info request without a namespace is accepted in jabber:client and gets an id", () => {
  const { stanzas, notes } = compose(`<iq type='get' to='example.org'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, {
    newId: () => "fixed-1",
  });
  assert.equal(stanzas.length, 1);
  assert.equal(stanzas[0]!.name, "iq");
  assert.equal(stanzas[0]!.element.toString(), `<iq type="get" to="example.org" id="fixed-1"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
  assert.equal(stanzas[0]!.id, "fixed-1");
  assert.equal(stanzas[0]!.idAdded, true);
  assert.equal(stanzas[0]!.expectsReply, true);
  assert.match(notes.join("\n"), /added id "fixed-1" to <iq>/);
});

test("several stanzas are accepted in order, each with its own position, only iq get/set expecting replies", () => {
  const text = `<presence/>\n\n  <message to='bob@example.org' id='m1'><body>hi</body></message>\n<iq type='result' id='r1'/>`;
  const { stanzas } = compose(text, opts());
  assert.deepEqual(stanzas.map((s) => s.name), ["presence", "message", "iq"]);
  assert.deepEqual(stanzas.map((s) => [s.position.line, s.position.column]), [[1, 1], [3, 3], [4, 1]]);
  assert.deepEqual(stanzas.map((s) => s.expectsReply), [false, false, false]);
  assert.equal(stanzas[1]!.id, "m1");
  assert.equal(stanzas[1]!.idAdded, false);
  assert.equal(stanzas[0]!.idAdded, true, "presence gets an id too, so a bounced error can be matched");
});

test("any prefix bound to jabber:client, and an explicit jabber:client, are sent unprefixed in the stream's namespace", () => {
  const prefixed = compose(`<c:iq xmlns:c="jabber:client" type="get" id="a"><p:ping xmlns:p="urn:xmpp:ping"/></c:iq>`, opts());
  assert.equal(prefixed.stanzas[0]!.element.toString(), `<iq type="get" id="a"><ping xmlns="urn:xmpp:ping"/></iq>`);
  assert.match(prefixed.notes.join(), /<c:iq> is sent as <iq>/);
  const explicit = compose(`<message xmlns="jabber:client" id="b"><body>x</body></message>`, opts());
  assert.equal(explicit.stanzas[0]!.element.toString(), `<message id="b"><body>x</body></message>`);
});

test("namespaced attributes keep their prefix with its declaration, xml:lang stays as is", () => {
  const { stanzas } = compose(`<message xmlns:e='urn:example' e:flag='1' xml:lang='de' id='x'><body>Hallo</body></message>`, opts());
  assert.equal(stanzas[0]!.element.toString(), `<message e:flag="1" xmlns:e="urn:example" xml:lang="de" id="x"><body>Hallo</body></message>`);
});

test("text is decoded once and escaped again on the way out", () => {
  const { stanzas } = compose(`<message id='t'><body>a &amp; b &lt; c &#x263A; &#65;<![CDATA[<raw> & ]]></body></message>`, opts());
  assert.equal(stanzas[0]!.element.getChildText("body"), "a & b < c \u263A A<raw> & ");
  assert.equal(stanzas[0]!.element.toString(), `<message id="t"><body>a &amp; b &lt; c \u263A A&lt;raw&gt; &amp; </body></message>`);
});

test("stanzas in another namespace are refused", () => {
  for (const ns of ["jabber:server", "jabber:component:accept", ""]) {
    const err = refused(`<iq xmlns='${ns}' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>`, "not-a-stanza", 1, 1);
    assert.match(err.message, /jabber:client/);
  }
});

test("elements that are not stanzas are refused with what can be sent", () => {
  const err = refused(`<message id='1'/>\n<active xmlns='urn:xmpp:csi:0'/>`, "not-a-stanza", 2, 1);
  assert.match(err.message, /only <iq>, <message> and <presence>/);
});

test("stream-level elements are refused with the reason, whatever their spelling", () => {
  const cases: [string, RegExp][] = [
    [`<stream:stream to='example.org' version='1.0' xmlns='jabber:client'>`, /opens a stream/],
    [`</stream:stream>`, /closes the stream/],
    [`<stream:features/>`, /stream-level/],
    [`<s:error xmlns:s='http://etherx.jabber.org/streams'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></s:error>`, /stream-level/],
    [`<features xmlns='http://etherx.jabber.org/streams'/>`, /stream-level/],
  ];
  for (const [text, reason] of cases) assert.match(refused(text, "refused", 1, 1).message, reason);
});

test("TLS, SASL, SASL2, legacy auth, bind, Bind 2, session and stream management are refused at the top and inside stanzas", () => {
  const cases: [string, string, RegExp][] = [
    ["urn:ietf:params:xml:ns:xmpp-tls", "starttls", /STARTTLS/],
    ["urn:ietf:params:xml:ns:xmpp-sasl", "auth", /SASL/],
    ["urn:xmpp:sasl:2", "authenticate", /SASL2/],
    ["jabber:iq:auth", "query", /legacy authentication/],
    ["urn:ietf:params:xml:ns:xmpp-bind", "bind", /binding/],
    ["urn:xmpp:bind:0", "bind", /Bind 2/],
    ["urn:ietf:params:xml:ns:xmpp-session", "session", /session establishment/],
    ["urn:xmpp:sm:3", "enable", /stream management/],
    ["urn:xmpp:sm:3", "r", /stream management/],
  ];
  for (const [ns, name, reason] of cases) {
    assert.match(refused(`<${name} xmlns='${ns}'/>`, "refused", 1, 1).message, reason);
    assert.match(refused(`<iq type='set' id='q'>\n  <x:${name} xmlns:x='${ns.toUpperCase()}'/>\n</iq>`, "refused", 2, 3).message, reason);
    assert.match(refused(`<message id='m'><body>x</body><wrap xmlns='urn:example'><${name} xmlns=' ${ns} '/></wrap></message>`, "refused", 1, 57).message, reason);
  }
});

test("malformed XML is refused with the line and column of the mistake", () => {
  refused(`<iq type='get' id='1'>\n  <query xmlns='urn:example'>\n</iq>`, "malformed", 3, 1);
  refused(`<message id='1'>\n  <body>never closed`, "malformed", 2, 3);
  refused(`<message id=1/>`, "malformed", 1, 13);
  refused(`<message id='1' id='2'/>`, "malformed", 1, 17);
  refused(`<message to='a<b'/>`, "malformed", 1, 15);
  refused(`<foo:message id='1'/>`, "malformed", 1, 1);
  refused(`hello <message/>`, "malformed", 1, 1);
  refused(`<message/>\r\n<presence/>\r\n</iq>`, "malformed", 3, 1);
  refused(`<message><body>\u{1F600}</body></x>`, "malformed", 1, 24);
  refused(`<message><body>&amp</body></message>`, "malformed", 1, 16);
  refused(`<message><body>]]></body></message>`, "malformed", 1, 16);
  refused(`<1message/>`, "malformed", 1, 2);
});

test("what XMPP forbids is refused like the stream refuses it", () => {
  refused(`<message/><!-- note -->`, "restricted", 1, 11);
  refused(`<!DOCTYPE x [<!ENTITY a "b">]><message/>`, "restricted", 1, 1);
  refused(`<message><?pi x?></message>`, "restricted", 1, 10);
  refused(`<message><body>&nbsp;</body></message>`, "restricted", 1, 16);
  refused(`<message><body>&#0;</body></message>`, "malformed", 1, 16);
  refused(`<message><body>\u0001</body></message>`, "malformed", 1, 16);
});

test("a leading XML declaration is tolerated and dropped", () => {
  const { stanzas } = compose(`<?xml version="1.0" encoding="UTF-8"?>\n<presence id='p'/>`, opts());
  assert.equal(stanzas[0]!.element.toString(), `<presence id="p"/>`);
});

test("ids: kept when given, filled in when missing or empty", () => {
  const { stanzas } = compose(`<iq type='get' id='mine'><ping xmlns='urn:xmpp:ping'/></iq><iq type='get' id=''><ping xmlns='urn:xmpp:ping'/></iq>`, {
    newId: () => "generated",
  });
  assert.deepEqual(stanzas.map((s) => [s.id, s.idAdded]), [["mine", false], ["generated", true]]);
  const random = compose(`<presence/><presence/>`).stanzas.map((s) => s.id);
  assert.notEqual(random[0], random[1]);
  for (const id of random) assert.match(id, /^\S{8,}$/);
});

test("iq type and payload rules of RFC 6120 §8.2.3 are checked", () => {
  assert.match(refused(`<iq id='1'><ping xmlns='urn:xmpp:ping'/></iq>`, "invalid-stanza", 1, 1).message, /needs a type/);
  assert.match(refused(`<iq type='fetch' id='1'/>`, "invalid-stanza").message, /not a type of <iq>/);
  assert.match(refused(`<iq type='get' id='1'/>`, "invalid-stanza").message, /exactly one payload element.*not 0/);
  refused(`<iq type='set' id='1'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>`, "invalid-stanza");
  refused(`<message type='shout'/>`, "invalid-stanza");
  refused(`<presence type='online'/>`, "invalid-stanza");
  compose(`<iq type='result' id='1'/><iq type='error' id='2'><error type='cancel'/></iq>`, opts());
});

test("the password is refused in any form, and the refusal does not repeat it", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const charRefs = [...PASSWORD].map((c) => `&#${c.codePointAt(0)};`).join("");
  const texts = [
    `<message id='1'><body>my password is ${PASSWORD}</body></message>`,
    `<message id='1' to='${PASSWORD}@example.org'/>`,
    `<message id='1'><body>${b64(`\0alice\0${PASSWORD}`)}</body></message>`,
    `<message id='1'><body>x${b64(`ab${PASSWORD}`)}</body></message>`,
    `<message id='1'><body>${charRefs}</body></message>`,
    `<message id='1'><body><![CDATA[${PASSWORD.slice(0, 5)}]]>${PASSWORD.slice(5)}</body></message>`,
  ];
  for (const text of texts) {
    const err = refused(text, "secret");
    assert.ok(!err.message.includes(PASSWORD));
    assert.match(err.message, /password/);
  }
  compose(`<message id='1'><body>hunter2</body></message>`, opts());
});

test("a password with XML's special characters is found however it was escaped", () => {
  const secret = `p&ss<w"rd'1`;
  for (const typed of [`p&amp;ss&lt;w"rd'1`, `p&#38;ss&#60;w&quot;rd&apos;1`]) {
    refused(`<message id='1'><body>${typed}</body></message>`, "secret", undefined, undefined, opts({ secrets: [secret] }));
  }
  refused(`<message id='1' to="p&amp;ss&lt;w&quot;rd'1"/>`, "secret", undefined, undefined, opts({ secrets: [secret] }));
});

test("input size, element count, nesting and stanza count are bounded", () => {
  refused(`<message><body>${"x".repeat(300)}</body></message>`, "too-large", undefined, undefined, opts({ limits: { maxChars: 200 } }));
  refused(`<message>${"<a/>".repeat(20)}</message>`, "too-large", undefined, undefined, opts({ limits: { maxElements: 10 } }));
  refused(`<message>${"<a>".repeat(40)}${"</a>".repeat(40)}</message>`, "too-large", 1, 1 + 9 + 3 * 31, opts());
  refused(`${"<presence/>".repeat(5)}`, "too-large", 1, 34, opts({ limits: { maxStanzas: 3 } }));
});

test("empty input is refused, and every refusal is a usage error", () => {
  for (const text of ["", "   \n\t"]) {
    const err = refused(text, "empty");
    assert.ok(err instanceof SicError);
    assert.equal(err.code, "usage");
  }
});

test("input that stops part-way is unfinished (a console waits for more lines); a wrong character is not", () => {
  for (const text of [
    "<iq type='get'>",
    "<iq type='get'><query xmlns='jabber:iq:version'/>",
    "<iq type='get",
    "<iq type='get'",
    "<iq type='get'><",
    "<iq type",
    "<iq type=",
    "<message><body><![CDATA[half",
    "<?xml version='1.0'",
  ]) {
    assert.equal(refused(text, "malformed").unfinished, true, text);
  }
  for (const text of ["<iq type='get'></message>", "<iq type='get'>>x</iq> y", "<iq type=get/>", "<iq a='1' a='2'/>"]) {
    assert.equal(refused(text, "malformed").unfinished, false, text);
  }
});
