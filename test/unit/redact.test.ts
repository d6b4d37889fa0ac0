import assert from "node:assert/strict";
import { test } from "node:test";
import { xml } from "@xmpp/xml";
import { NS_SASL, REDACTED, redactElement, scrubSecrets, secretForms } from "../../src/core/redact";
import { StanzaLog, StanzaRecorder, summarise } from "../../src/core/stanzaLog";

const PASSWORD = "correct horse battery staple";
const b64 = (s: string) => Buffer.from(s).toString("base64");

test("SASL payloads are replaced, attributes kept", () => {
  const auth = xml("auth", { xmlns: NS_SASL, mechanism: "PLAIN" }, b64(`\0alice\0${PASSWORD}`));
  assert.equal(redactElement(auth), `<auth xmlns="${NS_SASL}" mechanism="PLAIN">${REDACTED}</auth>`);
  for (const name of ["challenge", "response", "success"]) {
    assert.equal(redactElement(xml(name, { xmlns: NS_SASL }, "c2VjcmV0")), `<${name} xmlns="${NS_SASL}">${REDACTED}</${name}>`);
  }
});

test("non-secret elements serialise unchanged, escaped", () => {
  const iq = xml("iq", { type: "get", id: "a&b" }, xml("address", { xmlns: "urn:xmpp:sic:1" }), "x<y");
  assert.equal(redactElement(iq), `<iq type="get" id="a&amp;b"><address xmlns="urn:xmpp:sic:1"/>x&lt;y</iq>`);
});

test("a password is found in clear and in base64 at every offset inside a larger payload", () => {
  for (const prefix of ["", "a", "ab", "\0alice\0", "\0bob\0x"]) {
    for (const suffix of ["", "z", "zz"]) {
      const encoded = b64(prefix + PASSWORD + suffix);
      assert.ok(!scrubSecrets(encoded, [PASSWORD]).includes(encoded), `prefix ${JSON.stringify(prefix)}`);
      assert.ok(secretForms(PASSWORD).some((f) => encoded.includes(f)));
    }
  }
  assert.equal(scrubSecrets(`pw=${PASSWORD}!`, [PASSWORD]), `pw=${REDACTED}!`);
});

test("the recorder stores no secret even outside SASL elements", () => {
  const log = new StanzaLog();
  const rec = new StanzaRecorder(log, "c1", [PASSWORD]);
  rec.element("out", xml("message", {}, xml("body", {}, `my password is ${PASSWORD}`)));
  rec.element("out", xml("auth", { xmlns: NS_SASL, mechanism: "PLAIN" }, b64(`\0alice\0${PASSWORD}`)));
  const all = JSON.stringify(log.list());
  assert.ok(!all.includes(PASSWORD));
  assert.ok(!all.includes(b64(`\0alice\0${PASSWORD}`)));
  assert.ok(!all.includes(b64(PASSWORD)));
});

test("the stanza log is bounded by count and by bytes, oldest first out", () => {
  const byCount = new StanzaLog({ maxEntries: 3, maxBytes: 1e9 });
  const rec = new StanzaRecorder(byCount, "c", []);
  for (let i = 0; i < 10; i++) rec.element("in", xml("presence", { id: String(i) }));
  assert.deepEqual(byCount.list().map((e) => e.seq), [8, 9, 10]);

  const byBytes = new StanzaLog({ maxEntries: 1000, maxBytes: 100 });
  const rec2 = new StanzaRecorder(byBytes, "c", []);
  for (let i = 0; i < 50; i++) rec2.element("in", xml("presence", { id: String(i).padStart(20, "0") }));
  assert.ok(byBytes.size.bytes <= 100, `bytes ${byBytes.size.bytes}`);
  assert.equal(byBytes.list().at(-1)!.seq, 50);
});

test("summaries read like an XML console's", () => {
  assert.equal(summarise(xml("iq", { type: "get" }, xml("address", { xmlns: "urn:xmpp:sic:1" }))), "iq get → urn:xmpp:sic:1");
  assert.equal(
    summarise(xml("iq", { type: "error" }, xml("error", { type: "auth" }, xml("forbidden", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })))),
    "iq error (forbidden)",
  );
  assert.equal(summarise(xml("auth", { xmlns: NS_SASL, mechanism: "SCRAM-SHA-1" })), "sasl auth SCRAM-SHA-1");
  assert.equal(summarise(xml("stream:features", {}, xml("starttls"), xml("mechanisms"))), "stream features: starttls, mechanisms");
});

test("XEP-0215 TURN credentials (service username/password attributes) are redacted at any depth, both namespaces", () => {
  for (const ns of ["urn:xmpp:extdisco:2", "urn:xmpp:extdisco:1"]) {
    const user = "1700000000:alice";
    const pass = "c2VjcmV0LXR1cm4tcGFzc3dvcmQ=";
    const iq = xml(
      "iq",
      { type: "result", id: "x" },
      xml("services", { xmlns: ns }, xml("service", { type: "turn", host: "192.0.2.1", port: "3478", username: user, password: pass, restricted: "1" })),
    );
    const text = redactElement(iq);
    assert.ok(!text.includes(user) && !text.includes(pass), text);
    assert.match(text, new RegExp(`<service type="turn" host="192.0.2.1" port="3478" username="\\${REDACTED}" password="\\${REDACTED}" restricted="1"/>`));
  }
  // The same attribute names elsewhere are not credentials of ours and stay.
  assert.equal(redactElement(xml("service", { xmlns: "urn:example", username: "u" })), `<service xmlns="urn:example" username="u"/>`);
});
