// Properties of compose(): whatever the prefix, namespace spelling or depth, an element of a
// refused namespace (stream, TLS, SASL, bind, session, stream management) is never accepted; a
// password is never accepted in any encoding; arbitrary input ends in a result or a ComposeError,
// nothing else; and what is accepted is canonical (composing it again changes nothing). The
// namespace list and the leak detector are written here independently of the code under test.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Parser, type Element } from "@xmpp/xml";
import fc from "fast-check";
import { compose, ComposeError } from "../../src/core/console/compose";
import { leakedSecret } from "../adversarial/helpers";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };

const REFUSED = [
  "http://etherx.jabber.org/streams",
  "urn:ietf:params:xml:ns:xmpp-streams",
  "urn:ietf:params:xml:ns:xmpp-tls",
  "urn:ietf:params:xml:ns:xmpp-sasl",
  "urn:xmpp:sasl:2",
  "urn:ietf:params:xml:ns:xmpp-bind",
  "urn:xmpp:bind:0",
  "urn:ietf:params:xml:ns:xmpp-session",
  "urn:xmpp:sm:3",
];
const isRefused = (ns: string | undefined) => ns !== undefined && REFUSED.includes(ns.trim().toLowerCase());

const ncname = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/).filter((s) => !s.startsWith("xml"));
/** A namespace as someone might spell it: any case per character, optional surrounding spaces. */
const spelled = (ns: string) =>
  fc
    .tuple(fc.array(fc.boolean(), { minLength: ns.length, maxLength: ns.length }), fc.constantFrom("", " ", "\t"), fc.constantFrom("", " "))
    .map(([upper, before, after]) => before + [...ns].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("") + after);
const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const attrValue = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&apos;");

/** An element of a refused namespace, declared as default or with any prefix, or as stream:… undeclared. */
const refusedElement = fc.oneof(
  fc.tuple(fc.constantFrom(...REFUSED).chain(spelled), ncname, fc.option(ncname, { nil: undefined })).map(([ns, name, prefix]) =>
    prefix ? `<${prefix}:${name} xmlns:${prefix}='${attrValue(ns)}'/>` : `<${name} xmlns='${attrValue(ns)}'/>`,
  ),
  ncname.map((name) => `<stream:${name}/>`),
);

/** Puts an element at the top, as an iq's payload, or deep inside a message or presence, among other stanzas. */
const placed = (inner: fc.Arbitrary<string>) =>
  fc
    .tuple(inner, fc.integer({ min: 0, max: 3 }), fc.constantFrom("top", "iq", "message", "presence"), fc.constantFrom("", "<presence/>", "<message id='a'><body>x</body></message>"))
    .map(([el, depth, where, sibling]) => {
      const wrapped = "<w xmlns='urn:example:wrap'>".repeat(depth) + el + "</w>".repeat(depth);
      const stanza =
        where === "top" ? el : where === "iq" ? `<iq type='set' id='q'>${depth ? wrapped : el}</iq>` : `<${where} id='s'>${wrapped}</${where}>`;
      return sibling + stanza + sibling;
    });

test("an element of a refused namespace is never accepted, whatever its prefix, spelling or depth", () => {
  fc.assert(
    fc.property(placed(refusedElement), (text) => {
      try {
        compose(text);
      } catch (err) {
        assert.ok(err instanceof ComposeError, String(err));
        assert.ok(err.rule === "refused" || err.rule === "not-a-stanza", `${err.rule}: ${err.message}`);
        return;
      }
      assert.fail(`accepted: ${text}`);
    }),
    RUNS,
  );
});

/** Random stanza-like XML from a small vocabulary, refused namespaces included, sometimes malformed. */
const token = fc.constantFrom(
  "<iq type='get' id='1'>", "<iq type='set'>", "</iq>", "<message>", "</message>", "<presence/>", "<body>", "</body>", "text", " ",
  "<query xmlns='jabber:iq:roster'/>", "<x:y xmlns:x='urn:x'/>", "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>",
  "<r xmlns='URN:XMPP:SM:3'/>", "<stream:features>", "</stream:stream>", "&amp;", "&", "<!--", "-->", "<![CDATA[", "]]>", "'", "\"", "=",
  "<", ">", "/>", "xmlns=''", "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>", "</auth>", "<?xml version='1.0'?>", "\n", "\u00e9", "\u{1F600}",
);
const xmlish = fc.oneof(fc.array(token, { maxLength: 30 }).map((t) => t.join("")), fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 100 }));

/** Every element of a serialised stanza, with its namespace as the stream would resolve it. */
function allElements(serialised: string): Element[] {
  const found: Element[] = [];
  const parser = new Parser();
  parser.on("element", (el) => {
    const walk = (e: Element) => (found.push(e), e.getChildElements().forEach(walk));
    walk(el);
  });
  parser.write(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>${serialised}`);
  return found;
}

/** Well-formed stanzas built as trees: any prefix, namespaces from a pool that includes refused ones. */
const NAMESPACES = ["jabber:client", "urn:example:a", "urn:xmpp:ping", ...REFUSED.slice(0, 3), "URN:XMPP:SM:3"];
const tree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc
    .tuple(
      ncname,
      fc.option(fc.tuple(fc.option(ncname, { nil: undefined }), fc.constantFrom(...NAMESPACES)), { nil: undefined }),
      fc.array(fc.oneof(fc.string({ maxLength: 8 }).map(escapeText), tie("node")), { maxLength: 3, depthIdentifier: "tree" }),
    )
    .map(([name, ns, children]) => {
      const [prefix, uri] = ns ?? [undefined, undefined];
      const qname = prefix ? `${prefix}:${name}` : name;
      const decl = uri === undefined ? "" : prefix ? ` xmlns:${prefix}='${uri}'` : ` xmlns='${uri}'`;
      return children.length ? `<${qname}${decl}>${children.join("")}</${qname}>` : `<${qname}${decl}/>`;
    }),
})).node;
const TYPES = { iq: ["get", "set", "result"], message: ["chat", ""], presence: ["", "unavailable"] } as const;
const stanza = fc
  .constantFrom("iq", "message", "presence" as const)
  .chain((name) =>
    fc.tuple(
      fc.constant(name),
      fc.option(ncname, { nil: undefined }),
      fc.constantFrom(...TYPES[name]),
      name === "iq" ? fc.array(tree, { minLength: 1, maxLength: 1 }) : fc.array(tree, { maxLength: 2 }),
    ),
  )
  .map(([name, prefix, type, children]) => {
    const qname = prefix ? `${prefix}:${name}` : name;
    const decl = prefix ? ` xmlns:${prefix}='jabber:client'` : "";
    return `<${qname}${decl}${type ? ` type='${type}'` : ""}>${children.join("")}</${qname}>`;
  });

test("arbitrary input ends in stanzas or a ComposeError, and what is accepted is clean and canonical", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(xmlish, stanza, fc.array(stanza, { minLength: 2, maxLength: 4 }).map((a) => a.join("\n"))), (text) => {
      let stanzas;
      try {
        ({ stanzas } = compose(text, { newId: () => "n" }));
      } catch (err) {
        assert.ok(err instanceof ComposeError, `threw ${String(err)} for ${JSON.stringify(text)}`);
        assert.ok(err.message.length > 0 && err.message.length < 400);
        return;
      }
      accepted++;
      for (const s of stanzas) {
        const out = s.element.toString();
        const elements = allElements(out);
        assert.ok(elements.length > 0 && ["iq", "message", "presence"].includes(elements[0]!.name), out);
        assert.equal(elements[0]!.getNS(), "jabber:client");
        for (const el of elements) assert.ok(!isRefused(el.getNS()), `a refused element went out: ${out}`);
        assert.equal(compose(out).stanzas[0]!.element.toString(), out, "composing the output again changes it");
      }
    }),
    RUNS,
  );
  assert.ok(accepted > RUNS.numRuns / 20, `only ${accepted} inputs were accepted: the generators test little`);
});

const password = fc
  .string({ unit: "grapheme", minLength: 4, maxLength: 24 })
  .filter((p) => Buffer.byteLength(p) >= 4 && !/[\u0000-\u001f\u007f\uFFFE\uFFFF]/.test(p) && p.trim() === p);
const charRefs = (s: string) => [...s].map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join("");
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

test("a password is never accepted, in clear, escaped, as character references or in base64 at any offset", () => {
  const encodings = fc.constantFrom("text", "refs", "attr", "b64", "cdata");
  fc.assert(
    fc.property(password, encodings, fc.string({ maxLength: 3 }).map(escapeText), fc.constantFrom("", "\0alice\0", "a", "ab"), (secret, how, around, prefix) => {
      const body =
        how === "text" ? escapeText(secret) : how === "refs" ? charRefs(secret) : how === "b64" ? b64(prefix + secret + "z") : how === "cdata" && !secret.includes("]]>") ? `<![CDATA[${secret}]]>` : escapeText(secret);
      const text = how === "attr" ? `<message id='1' to='${attrValue(secret)}'/>` : `<message id='1'><body>${around}${body}${around}</body></message>`;
      try {
        compose(text, { secrets: [secret] });
      } catch (err) {
        assert.ok(err instanceof ComposeError);
        assert.equal(err.rule, "secret", err.message);
        assert.equal(leakedSecret(err.message, secret), null, "the refusal repeats the password");
        return;
      }
      assert.fail(`accepted a stanza with the password (${how}): ${text}`);
    }),
    RUNS,
  );
});
