import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStanza } from "../support/xml";
import { SicError } from "../../src/core/errors";
import { NS_SIC_0, NS_SIC_1, parseAnswer, planQueries, queryError, shouldFallBack, SIC0_ADDRESS, SIC0_IP, SIC1 } from "../../src/core/sic";


const result = (payload: string) => parseStanza(`<iq type='result' id='1'>${payload}</iq>`);

function badReply(payload: string, pattern: RegExp) {
  assert.throws(
    () => parseAnswer(result(payload)),
    (err: unknown) => err instanceof SicError && err.code === "bad-reply" && pattern.test(err.message),
    payload.slice(0, 80),
  );
}

test("a sic:1 answer yields ip, port and family", () => {
  const a = parseAnswer(result(`<address xmlns='${NS_SIC_1}'><ip>203.0.113.7</ip><port>41234</port></address>`));
  assert.deepEqual(a, { ip: "203.0.113.7", family: "IPv4", range: "reserved", port: 41234, namespace: NS_SIC_1 });
});

test("port may come before ip, and may be missing", () => {
  assert.equal(parseAnswer(result(`<address xmlns='${NS_SIC_1}'><port>5</port><ip>192.0.2.1</ip></address>`)).port, 5);
  assert.equal(parseAnswer(result(`<address xmlns='${NS_SIC_1}'><ip>192.0.2.1</ip></address>`)).port, null);
});

test("the sic:0 text shape and the sic:0 address shape both parse", () => {
  const text = parseAnswer(result(`<ip xmlns='${NS_SIC_0}'>198.51.100.9</ip>`));
  assert.equal(text.ip, "198.51.100.9");
  assert.equal(text.port, null);
  assert.equal(text.namespace, NS_SIC_0);
  assert.equal(parseAnswer(result(`<address xmlns='${NS_SIC_0}'><ip>2001:db8::7</ip></address>`)).family, "IPv6");
});

test("a reply namespace other than the request's is tolerated, mapped IPv6 normalised, whitespace trimmed", () => {
  const a = parseAnswer(result(`<address xmlns='${NS_SIC_0}'><ip>\n ::ffff:192.0.2.44 </ip><port> 80 </port></address>`));
  assert.equal(a.ip, "192.0.2.44");
  assert.equal(a.family, "IPv4");
  assert.equal(a.port, 80);
});

test("malformed answers are bad replies that say what was wrong", () => {
  badReply(`<address xmlns='${NS_SIC_1}'/>`, /no <ip>/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip>not-an-ip</ip></address>`, /"not-an-ip" is not an IPv4 or IPv6/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip>1.2.3.4</ip><ip>5.6.7.8</ip></address>`, /more than one <ip>/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip>1.2.3.4</ip><port>0</port></address>`, /not a port/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip>1.2.3.4</ip><port>65536</port></address>`, /not a port/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip>1.2.3.4</ip><port>-1</port></address>`, /not a port/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip>1.2.3.4</ip><port>http</port></address>`, /not a port/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip>${"9".repeat(100000)}</ip></address>`, /100000 characters long/);
  badReply(`<address xmlns='${NS_SIC_1}'><ip><b>1.2.3.4</b></ip></address>`, /contains elements/);
  badReply(`<address xmlns='urn:example:other'><ip>1.2.3.4</ip></address>`, /instead of an XEP-0279 address/);
  badReply(``, /empty result/);
});

test("the query plan follows disco#info and probes when disco failed", () => {
  assert.deepEqual(planQueries(new Set([NS_SIC_1, NS_SIC_0])), [SIC1, SIC0_IP, SIC0_ADDRESS]);
  assert.deepEqual(planQueries(new Set([NS_SIC_0])), [SIC0_IP, SIC0_ADDRESS]);
  assert.deepEqual(planQueries(new Set(["urn:xmpp:ping"])), []);
  assert.deepEqual(planQueries(null), [SIC1, SIC0_IP, SIC0_ADDRESS]);
});

test("only 'not supported' conditions fall back; forbidden is final", () => {
  const err = (condition: string) => ({ type: "cancel", condition, text: null });
  assert.equal(shouldFallBack(SIC1, err("service-unavailable")), true);
  assert.equal(shouldFallBack(SIC1, err("feature-not-implemented")), true);
  assert.equal(shouldFallBack(SIC1, err("bad-request")), false);
  assert.equal(shouldFallBack(SIC0_IP, err("bad-request")), true);
  assert.equal(shouldFallBack(SIC1, err("forbidden")), false);
  assert.equal(queryError(err("forbidden")).code, "forbidden");
  assert.equal(queryError(err("not-allowed")).code, "forbidden");
  assert.equal(queryError(err("internal-server-error")).code, "server-error");
  assert.match(queryError({ type: "wait", condition: "item-not-found", text: "nope" }).message, /<item-not-found\/>.*"nope"/);
});
