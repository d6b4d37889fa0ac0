// Properties of the XEP-0279 answer validator (sic.ts parseAnswer): for random and mutated answers
// it throws nothing but SicError("bad-reply"), and whatever it returns is a real address — the ip
// re-parses with ipaddr.js to itself, the family matches, the port is null or 1..65535 — and a
// valid answer is read as exactly the address it carries.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Parser, xml, type Element } from "@xmpp/xml";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { SicError } from "../../src/core/errors";
import { NS_SIC_0, NS_SIC_1, parseAnswer, type SicAnswer } from "../../src/core/sic";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) };

/** The contract, whatever the input. */
function holdsContract(iq: Element): SicAnswer | null {
  let answer: SicAnswer;
  try {
    answer = parseAnswer(iq);
  } catch (err) {
    assert.ok(err instanceof SicError, `threw ${String(err)}`);
    assert.equal(err.code, "bad-reply");
    assert.ok(err.message.length < 400, `message of ${err.message.length} characters`);
    return null;
  }
  assert.ok(ipaddr.isValid(answer.ip), `invalid ip ${JSON.stringify(answer.ip)}`);
  const reparsed = ipaddr.parse(answer.ip);
  assert.equal(reparsed.toString(), answer.ip, "ip is not in normal form");
  assert.equal(answer.family, reparsed.kind() === "ipv4" ? "IPv4" : "IPv6");
  assert.equal(answer.range, reparsed.range());
  if (reparsed.kind() === "ipv6") assert.ok(!(reparsed as ipaddr.IPv6).isIPv4MappedAddress(), "mapped IPv6 not unwrapped");
  assert.ok(answer.port === null || (Number.isInteger(answer.port) && answer.port >= 1 && answer.port <= 65535), `port ${answer.port}`);
  assert.ok(answer.namespace === NS_SIC_0 || answer.namespace === NS_SIC_1);
  return answer;
}

// --- Generators -----------------------------------------------------------------------------

const ipv6Forms = fc.ipV6().chain((ip) => fc.constantFrom(ip, ip.toUpperCase(), ipaddr.parse(ip).toNormalizedString()));
const validIp = fc.oneof(fc.ipV4(), ipv6Forms, fc.ipV4().map((v4) => `::ffff:${v4}`));
const validPort = fc.integer({ min: 1, max: 65535 });
const whitespace = fc.constantFrom("", " ", "\n", "\t", "  \n ");

/** Text that might be an address, a port, or neither. */
const junkText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.ipV4Extended(),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom("", "0", "65536", "-1", "1e3", "0x50", "080", "١٢٣", "127.0.0.1.", "::1::", "1.2.3", "256.1.1.1", "fe80::1%eth0", "::ffff:999.0.0.1"),
  fc.string({ maxLength: 200 }).map((s) => s.repeat(5)),
);

const namespace = fc.constantFrom(NS_SIC_1, NS_SIC_0, "urn:xmpp:sic:2", "", "jabber:client");

/**
 * What an address must be read as, computed without ipaddr.js (which takes the IPv4-compatible
 * ::a.b.c.d for mapped IPv4): the WHATWG URL parser's IPv6 form; only ::ffff:x:y is IPv4.
 */
function canonical(ip: string): string {
  if (!ip.includes(":")) return ip;
  const v6 = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** A valid answer in one of the three shapes, with what it must be read as. */
const validAnswer = fc
  .tuple(fc.constantFrom("sic1", "sic0-address", "sic0-ip"), validIp, validPort, fc.boolean(), whitespace, fc.boolean())
  .map(([shape, ip, port, withPort, ws, portFirst]) => {
    const expected = { ip: canonical(ip), port: shape === "sic1" && withPort ? port : null };
    if (shape === "sic0-ip") return { el: xml("iq", { type: "result" }, xml("ip", { xmlns: NS_SIC_0 }, ws + ip + ws)), expected };
    const children = [xml("ip", {}, ws + ip + ws), ...(expected.port !== null ? [xml("port", {}, `${ws}${port}${ws}`)] : [])];
    if (portFirst) children.reverse();
    return { el: xml("iq", { type: "result" }, xml("address", { xmlns: shape === "sic1" ? NS_SIC_1 : NS_SIC_0 }, ...children)), expected };
  });

/** Random trees of the names that matter, with random namespaces and text. */
const randomTree = fc.letrec<{ node: Element }>((tie) => ({
  node: fc
    .tuple(
      fc.constantFrom("address", "ip", "port", "iq", "query", "x"),
      fc.option(namespace),
      fc.array(fc.oneof({ depthSize: "small", withCrossShrink: true }, junkText, validIp, tie("node")), { maxLength: 4 }),
    )
    .map(([name, ns, children]) => xml(name, ns === null ? {} : { xmlns: ns }, ...children)),
})).node.map((payload) => xml("iq", { type: "result" }, payload));

/** One mutation of a valid answer's tree. */
type Mutation = (el: Element, rnd: { text: string; ns: string; pick: number }) => void;
const MUTATIONS: Mutation[] = [
  (el, r) => setText(pickNode(el, r.pick), r.text),
  (el, r) => (pickNode(el, r.pick).attrs.xmlns = r.ns),
  (el, r) => {
    const node = pickNode(el, r.pick);
    node.parent?.children.splice(node.parent.children.indexOf(node), 1);
  },
  (el, r) => {
    const node = pickNode(el, r.pick);
    node.parent?.children.push(xml(node.name, { ...node.attrs }, r.text));
  },
  (el, r) => pickNode(el, r.pick).children.push(xml("b", {}, r.text)),
  (el, r) => pickNode(el, r.pick).children.unshift(r.text),
  (el, r) => (pickNode(el, r.pick).name = ["ip", "port", "address", "IP"][r.pick % 4]!),
  (el) => el.children.reverse(),
];

function nodes(el: Element): Element[] {
  return [el, ...el.getChildElements().flatMap(nodes)];
}
function pickNode(el: Element, pick: number): Element {
  const all = nodes(el);
  return all[pick % all.length]!;
}
function setText(el: Element, text: string): void {
  el.children = el.children.filter((c) => typeof c !== "string");
  el.children.push(text);
}

const mutatedAnswer = fc
  .tuple(validAnswer, fc.array(fc.tuple(fc.nat(MUTATIONS.length - 1), junkText, namespace, fc.nat(20)), { minLength: 1, maxLength: 4 }))
  .map(([{ el }, mutations]) => {
    for (const [which, text, ns, pick] of mutations) MUTATIONS[which]!(el, { text, ns, pick });
    return el;
  });

// --- Properties -----------------------------------------------------------------------------

test("a valid answer in any shape is read as exactly the address it carries", () => {
  fc.assert(
    fc.property(validAnswer, ({ el, expected }) => {
      const answer = holdsContract(el);
      assert.ok(answer, `refused a valid answer: ${el.toString()}`);
      assert.equal(answer.ip, expected.ip);
      assert.equal(answer.port, expected.port);
    }),
    RUNS,
  );
});

test("random answer trees: only bad-reply, never an invalid address", () => {
  fc.assert(fc.property(randomTree, (el) => void holdsContract(el)), RUNS);
});

test("mutated valid answers: only bad-reply, never an invalid address", () => {
  fc.assert(fc.property(mutatedAnswer, (el) => void holdsContract(el)), RUNS);
});

test("answers that came through the XML parser, from random text: only bad-reply, never an invalid address", () => {
  const fragment = fc.oneof(
    fc.constantFrom("<address xmlns='urn:xmpp:sic:1'>", "</address>", "<ip>", "</ip>", "<port>", "</port>", "<ip xmlns='urn:xmpp:sic:0'>", "&amp;", "&#x31;", "&lt;"),
    junkText.map((t) => t.replace(/[<&]/g, "")),
    validIp,
    validPort.map(String),
  );
  fc.assert(
    fc.property(fc.array(fragment, { maxLength: 12 }), (parts) => {
      const parser = new Parser();
      let iq: Element | undefined;
      parser.on("start", () => {});
      parser.on("element", (el) => (iq = el));
      parser.on("error", () => {});
      try {
        parser.write(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><iq type='result' id='1'>${parts.join("")}</iq>`);
      } catch {
        return; // not XML: the stream refuses it before parseAnswer sees anything
      }
      if (iq) holdsContract(iq);
    }),
    RUNS,
  );
});
