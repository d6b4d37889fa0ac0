// The XEP-0215 question's start (what it writes, to whom, when) and what it trusts of a saved
// profile; its answers from real servers are test/integration/udp-check.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Element } from "@xmpp/xml";
import { extdiscoQuestion, recallServices } from "../../src/core/questions/extdisco";
import type { StartContext } from "../../src/core/session/question";

function started(features: string[] | null, memory?: unknown, options: Parameters<typeof extdiscoQuestion>[0] = {}) {
  const written: { type: string; payload: Element; to: string | undefined }[] = [];
  const ctx: StartContext = {
    domain: "example.org",
    features,
    memory,
    request: (type, payload, to) => {
      written.push({ type, payload, to });
      return `id${written.length}`;
    },
  };
  extdiscoQuestion(options).start(ctx);
  return written;
}

const STUN = { type: "stun", host: "192.0.2.5", port: 3478, transport: "udp" };

test("asked only when disco#info lists it: :2 preferred, :1 otherwise, addressed to the domain, type stun", () => {
  assert.deepEqual(started(["urn:xmpp:sic:1"]), []);
  assert.deepEqual(started(null), [], "disco#info refused: not asked");
  const two = started(["urn:xmpp:extdisco:1", "urn:xmpp:extdisco:2"]);
  assert.equal(two.length, 1);
  assert.deepEqual([two[0]!.type, two[0]!.to, two[0]!.payload.name, two[0]!.payload.attrs], ["get", "example.org", "services", { xmlns: "urn:xmpp:extdisco:2", type: "stun" }]);
  const one = started(["urn:xmpp:extdisco:1"]);
  assert.equal(one[0]!.payload.attrs.xmlns, "urn:xmpp:extdisco:1");
});

test("TURN credentials are asked only when TURN is requested", () => {
  assert.deepEqual(started(["urn:xmpp:extdisco:2"]).map((w) => w.payload.attrs.type), ["stun"]);
  assert.deepEqual(started(["urn:xmpp:extdisco:2"], undefined, { turn: true }).map((w) => w.payload.attrs.type), ["stun", "turn"]);
});

test("a known server's remembered services are handed over at start, checked and stripped to four fields", () => {
  const seen: unknown[] = [];
  started(["urn:xmpp:extdisco:2"], { namespace: "urn:xmpp:extdisco:2", services: [{ ...STUN, password: "x" }] }, { onRemembered: (s) => seen.push(s) });
  assert.deepEqual(seen, [[STUN]]);
  const none: unknown[] = [];
  started(["urn:xmpp:extdisco:2"], undefined, { onRemembered: (s) => none.push(s) });
  started(["urn:xmpp:extdisco:2"], { services: [] }, { onRemembered: (s) => none.push(s) });
  assert.deepEqual(none, [], "first contact or nothing remembered: no early probe");
});

test("recallServices refuses anything that is not exactly a list of STUN services", () => {
  assert.deepEqual(recallServices({ services: [STUN] }), [STUN]);
  for (const bad of [null, 3, { services: "x" }, { services: [{ ...STUN, type: "turn" }] }, { services: [{ ...STUN, port: 0 }] }, { services: [{ ...STUN, port: 70000 }] },
    { services: [{ ...STUN, transport: "sctp" }] }, { services: [{ ...STUN, host: "h".repeat(300) }] }, { services: Array(17).fill(STUN) }]) {
    assert.equal(recallServices(bad), undefined, JSON.stringify(bad).slice(0, 80));
  }
});
