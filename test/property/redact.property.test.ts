// Properties of redaction: for any password (unicode included) and any place it can turn up in an
// exchange — a PLAIN payload at any offset, base64 at any alignment, text or attributes of any
// element, secret or not — nothing that leaves the recorder or scrubSecrets lets it be recovered.
// The leak detector is independent of redact.ts: it looks for the password in clear and in every
// escaping, and decodes every run of base64 characters at every alignment.
import assert from "node:assert/strict";
import { test } from "node:test";
import { xml, type Element } from "@xmpp/xml";
import fc from "fast-check";
import { NS_SASL, redactElement, REDACTED, scrubSecrets, secretForms } from "../../src/core/redact";
import { StanzaLog, StanzaRecorder } from "../../src/core/stanzaLog";
import { leakedSecret } from "../adversarial/helpers";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) };
const b64 = (s: string | Buffer) => Buffer.from(s as string).toString("base64");

/** Well-formed strings (no lone surrogates) of full unicode. */
const unicode = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: "binary", ...constraints }).filter((s) => Buffer.from(s, "utf8").toString("utf8") === s);

/**
 * Passwords as people have them: printable ASCII, unicode, XML's special characters, emoji. Redaction
 * promises nothing for secrets under 4 UTF-8 bytes (their base64 is a couple of characters that
 * occur everywhere), so those are not generated.
 */
const password = fc
  .oneof(
    fc.string({ unit: "grapheme-ascii", minLength: 4, maxLength: 40 }),
    unicode({ minLength: 2, maxLength: 24 }),
    fc
      .array(fc.constantFrom("a", "Z", "9", "&", "<", ">", '"', "'", "é", "ß", "🔑", "\u0000", " ", "=", "+", "/", "ｐ"), { minLength: 4, maxLength: 20 })
      .map((a) => a.join("")),
  )
  .filter((p) => Buffer.byteLength(p) >= 4 && p.trim() === p && p.length > 0);

const noLeak = (text: string, secret: string, what: string) => {
  const how = leakedSecret(text, secret);
  assert.equal(how, null, `${what}: password ${JSON.stringify(secret)} recoverable (${how}) from ${JSON.stringify(text.slice(0, 300))}`);
};

test("scrubSecrets: base64 of the password inside any payload, at any offset, is removed", () => {
  fc.assert(
    fc.property(password, fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 12 }), fc.string({ maxLength: 8 }), (pw, before, after, around) => {
      const payload = Buffer.concat([Buffer.from(before), Buffer.from(pw, "utf8"), Buffer.from(after)]);
      const text = `${around}<auth>${payload.toString("base64")}</auth>${around}`;
      noLeak(scrubSecrets(text, [pw]), pw, "base64 payload");
    }),
    RUNS,
  );
});

test("scrubSecrets: the PLAIN payload \\0user\\0password, for any user, is removed", () => {
  fc.assert(
    fc.property(password, unicode({ maxLength: 12 }), fc.option(unicode({ maxLength: 6 })), (pw, user, authzid) => {
      const text = `>> <auth mechanism="PLAIN">${b64(`${authzid ?? ""}\0${user}\0${pw}`)}</auth>`;
      const scrubbed = scrubSecrets(text, [pw]);
      noLeak(scrubbed, pw, "PLAIN payload");
      assert.ok(scrubbed.includes(REDACTED));
    }),
    RUNS,
  );
});

test("scrubSecrets: the password in clear, anywhere in any text, any number of times", () => {
  fc.assert(
    fc.property(password, fc.array(unicode({ maxLength: 10 }), { minLength: 1, maxLength: 5 }), (pw, parts) => {
      noLeak(scrubSecrets(parts.join(pw), [pw]), pw, "clear text");
    }),
    RUNS,
  );
});

test("secretForms: every form really is a form of the secret (no over-redaction of unrelated text)", () => {
  fc.assert(
    fc.property(password, (pw) => {
      const escaped = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      for (const form of secretForms(pw)) {
        if (form === pw || form === escaped(pw) || form === escaped(pw).replace(/"/g, "&quot;")) continue;
        assert.ok(form.length >= 4, `base64 form ${JSON.stringify(form)} too short`);
        const inBase64 = [0, 1, 2].some((shift) => Buffer.concat([Buffer.alloc(shift), Buffer.from(pw)]).toString("base64").includes(form));
        assert.ok(inBase64, `form ${JSON.stringify(form)} unrelated to the secret`);
      }
    }),
    RUNS,
  );
});

/** Random stanzas with the password planted in text, attributes, secret and non-secret elements. */
function stanzaWith(pw: string): fc.Arbitrary<Element> {
  const plant = fc.oneof(
    fc.constant(pw),
    fc.constant(`my password is ${pw}!`),
    fc.constant(b64(`\0alice\0${pw}`)),
    fc.constant(b64(`x${pw}yz`)),
    unicode({ maxLength: 8 }),
  );
  const names = fc.constantFrom("iq", "message", "body", "error", "text", "auth", "response", "challenge", "success", "failure", "x");
  const namespaces = fc.constantFrom(undefined, NS_SASL, "jabber:client", "urn:ietf:params:xml:ns:xmpp-stanzas", "urn:xmpp:sasl:2");
  const { node } = fc.letrec<{ node: Element }>((tie) => ({
    node: fc
      .tuple(
        names,
        namespaces,
        fc.option(plant),
        fc.array(fc.oneof({ depthSize: "small" }, plant, tie("node")), { maxLength: 3 }),
      )
      .map(([name, xmlns, attr, children]) => xml(name, { ...(xmlns ? { xmlns } : {}), ...(attr ? { id: attr } : {}) }, ...children)),
  }));
  return node;
}

test("redactElement + scrubSecrets (what the stanza log stores) never lets the password through", () => {
  fc.assert(
    fc.property(
      password.chain((pw) => fc.tuple(fc.constant(pw), stanzaWith(pw))),
      ([pw, el]) => {
        noLeak(scrubSecrets(redactElement(el), [pw]), pw, "redacted element");
      },
    ),
    RUNS,
  );
});

test("the stanza recorder stores no form of the password, in the XML or the summary", () => {
  fc.assert(
    fc.property(
      password.chain((pw) => fc.tuple(fc.constant(pw), fc.array(stanzaWith(pw), { minLength: 1, maxLength: 4 }))),
      ([pw, elements]) => {
        const log = new StanzaLog();
        const recorder = new StanzaRecorder(log, "c", [pw]);
        for (const el of elements) {
          recorder.element("in", el);
          recorder.element("out", el);
        }
        recorder.note("out", "other", `note mentioning ${pw}`);
        for (const entry of log.list()) {
          noLeak(entry.xml, pw, "log xml");
          noLeak(entry.summary, pw, "log summary");
        }
      },
    ),
    RUNS,
  );
});

test("SASL payloads are redacted whatever the secret list (even an empty one)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("auth", "response", "challenge", "success"),
      fc.base64String({ minLength: 4, maxLength: 200 }),
      (name, payload) => {
        const out = redactElement(xml("iq", {}, xml(name, { xmlns: NS_SASL, mechanism: "PLAIN" }, payload)));
        assert.equal(out, `<iq><${name} xmlns="${NS_SASL}" mechanism="PLAIN">${REDACTED}</${name}></iq>`);
      },
    ),
    RUNS,
  );
});
