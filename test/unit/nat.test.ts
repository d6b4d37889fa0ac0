import assert from "node:assert/strict";
import { test } from "node:test";
import { natHint } from "../../src/core/nat";

const none: string[] = [];

test("the socket's own address means no NAT, and the port is compared", () => {
  const h = natHint({ seen: { ip: "198.51.100.20", port: 40000 }, local: { ip: "198.51.100.20", port: 40000 }, interfaces: none });
  assert.equal(h.verdict, "no-nat");
  assert.equal(h.case, "same-as-socket");
  assert.equal(h.portPreserved, true);
});

test("another interface address of this machine still means no NAT", () => {
  const h = natHint({ seen: { ip: "2001:db8::5", port: 1 }, local: { ip: "2001:db8::9", port: 1 }, interfaces: ["2001:db8::5", "127.0.0.1"] });
  assert.equal(h.verdict, "no-nat");
  assert.equal(h.case, "same-as-interface");
});

test("a different address is NAT; a rewritten port is called out", () => {
  const h = natHint({ seen: { ip: "198.51.100.1", port: 61000 }, local: { ip: "192.0.2.10", port: 40000 }, interfaces: ["192.0.2.10"] });
  assert.equal(h.verdict, "nat");
  assert.equal(h.portPreserved, false);
  assert.match(h.reason, /rewritten \(40000 → 61000\)/);
  const kept = natHint({ seen: { ip: "198.51.100.1", port: 40000 }, local: { ip: "192.0.2.10", port: 40000 }, interfaces: none });
  assert.equal(kept.portPreserved, true);
});

test("no port in the answer leaves port behaviour unknown, never guessed", () => {
  const h = natHint({ seen: { ip: "198.51.100.1", port: null }, local: { ip: "192.0.2.10", port: 40000 }, interfaces: none });
  assert.equal(h.verdict, "nat");
  assert.equal(h.portPreserved, null);
  assert.match(h.reason, /unknown/);
});

test("a family change names the translator", () => {
  const h = natHint({ seen: { ip: "192.0.2.1", port: 5 }, local: { ip: "64:ff9b::c000:201", port: 5 }, interfaces: none });
  assert.equal(h.verdict, "nat");
  assert.equal(h.case, "family-changed");
  assert.match(h.reason, /NAT64/);
});

test("private, carrier-grade and loopback addresses are said to be unreachable from the internet", () => {
  for (const [ip, words] of [
    ["10.1.2.3", /private/],
    ["100.64.0.9", /carrier-grade/],
    ["127.0.0.1", /loopback/],
    ["fd12::1", /unique-local/],
  ] as const) {
    const h = natHint({ seen: { ip, port: 1 }, local: { ip: "192.0.2.10", port: 1 }, interfaces: none });
    assert.match(h.reason, words, ip);
    assert.match(h.reason, /not reachable from the internet/, ip);
  }
  const pub = natHint({ seen: { ip: "8.8.4.4", port: 1 }, local: { ip: "192.0.2.10", port: 1 }, interfaces: none });
  assert.doesNotMatch(pub.reason, /not reachable/);
});

test("an unreadable local address gives an unknown verdict", () => {
  const h = natHint({ seen: { ip: "192.0.2.1", port: 1 }, local: { ip: "unknown", port: 0 }, interfaces: none });
  assert.equal(h.verdict, "unknown");
  assert.equal(h.portPreserved, null);
});
