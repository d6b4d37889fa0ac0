import assert from "node:assert/strict";
import { test } from "node:test";
import { embeddedIpv4, natHint } from "../../src/core/nat";

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

test("a rewritten port behind NAT warns that the local port is useless as a candidate", () => {
  const h = natHint({ seen: { ip: "198.51.100.1", port: 40031 }, local: { ip: "192.0.2.10", port: 58804 }, interfaces: ["192.0.2.10"] });
  assert.equal(h.case, "address-translated");
  assert.match(h.reason, /address\/port-dependent/);
  assert.match(h.reason, /offering your local port as a candidate will fail/);
  assert.equal(h.summary, "behind NAT");
});

test("no NAT but another port: a port-rewriting proxy, not a NAT", () => {
  const h = natHint({ seen: { ip: "192.0.2.10", port: 1000 }, local: { ip: "192.0.2.10", port: 2000 }, interfaces: none });
  assert.equal(h.verdict, "no-nat");
  assert.equal(h.portPreserved, false);
  assert.match(h.reason, /port-rewriting proxy or firewall/);
});

test("no port from the server (sic:0): port behaviour null in every verdict", () => {
  for (const [seen, verdict] of [["192.0.2.10", "no-nat"], ["198.51.100.1", "nat"]] as const) {
    const h = natHint({ seen: { ip: seen, port: null }, local: { ip: "192.0.2.10", port: 40000 }, interfaces: none });
    assert.equal(h.verdict, verdict);
    assert.equal(h.portPreserved, null);
    assert.match(h.reason, /did not report a port, so whether ports are rewritten is unknown/);
    assert.doesNotMatch(h.reason, /port was kept|rewritten \(/);
  }
});

test("the family used, not just the local address, decides a family change; NAT64 named from the server's address", () => {
  const h = natHint({
    seen: { ip: "198.51.100.7", port: 3000 },
    local: { ip: "2001:db8:1::10", port: 3000 },
    interfaces: none,
    family: "IPv6",
    remote: "64:ff9b::c633:640a",
  });
  assert.equal(h.verdict, "nat");
  assert.equal(h.case, "family-changed");
  assert.equal(h.summary, "NAT: IPv6 → IPv4");
  assert.match(h.reason, /NAT64 \(64:ff9b::c633:640a is in the RFC 6052 prefix 64:ff9b::\/96 and stands for the IPv4 address 198\.51\.100\.10\)/);
  assert.equal(h.evidence.remote, "64:ff9b::c633:640a");
  assert.equal(h.evidence.family, "IPv6");
  // Same addresses, family used IPv4 (e.g. an IPv4-mapped socket): no family change.
  const same = natHint({ seen: { ip: "198.51.100.7", port: 3000 }, local: { ip: "198.51.100.7", port: 3000 }, interfaces: none, family: "IPv4" });
  assert.equal(same.case, "same-as-socket");
});

test("Teredo and 6to4 are named when the family changes, with the IPv4 address they carry", () => {
  const teredo = natHint({ seen: { ip: "2001:0:4136:e378:8000:63bf:3fff:fdd2", port: 1 }, local: { ip: "192.0.2.10", port: 1 }, interfaces: none });
  assert.equal(teredo.case, "family-changed");
  assert.match(teredo.reason, /Teredo tunnelling \(.* for the IPv4 address 192\.0\.2\.45\)/);
  const sixToFour = natHint({ seen: { ip: "192.0.2.1", port: 1 }, local: { ip: "2002:c000:201::1", port: 1 }, interfaces: none });
  assert.match(sixToFour.reason, /6to4 tunnelling \(2002:c000:201::1 is a 6to4 address, 2002::\/16, for the IPv4 address 192\.0\.2\.1\)/);
  const unnamed = natHint({ seen: { ip: "192.0.2.1", port: 1 }, local: { ip: "2001:db8::1", port: 1 }, interfaces: none });
  assert.match(unnamed.reason, /NAT64 or a proxy/);
});

test("a Teredo address seen as-is is no NAT on IPv6, but the IPv4 underneath may be NATed", () => {
  const ip = "2001:0:4136:e378:8000:63bf:3fff:fdd2";
  const h = natHint({ seen: { ip, port: 9 }, local: { ip, port: 9 }, interfaces: none });
  assert.equal(h.verdict, "no-nat");
  assert.match(h.reason, /Teredo address: this IPv6 is tunnelled over IPv4 \(192\.0\.2\.45\), and that IPv4 path may itself be NATed/);
});

test("every non-public server-seen range says the server is on a private or carrier network", () => {
  for (const [ip, words] of [
    ["192.168.1.20", /private \(RFC 1918\) address: the server is on a private network with you/],
    ["fd00::20", /unique-local IPv6 address \(fc00::\/7\): the server is on a private network with you/],
    ["169.254.3.4", /link-local address: the server is on your local link/],
    ["fe80::4", /link-local address/],
    ["100.100.1.1", /carrier-grade NAT space \(100\.64\.0\.0\/10\): the server is inside your provider's carrier network/],
    ["::1", /loopback address: the server runs on this machine/],
    ["198.51.100.1", /reserved address .*: the server is on a test or private network/],
  ] as const) {
    const h = natHint({ seen: { ip, port: 1 }, local: { ip: ip.includes(":") ? "2001:db8::10" : "192.0.2.10", port: 1 }, interfaces: none });
    assert.match(h.reason, words, ip);
    assert.match(h.reason, /not reachable from the internet, so this check cannot tell what the internet sees of you/, ip);
  }
});

test("embedded IPv4 of transition addresses", () => {
  assert.equal(embeddedIpv4("64:ff9b::c000:201", "rfc6052"), "192.0.2.1");
  assert.equal(embeddedIpv4("2002:c633:6401::1", "6to4"), "198.51.100.1");
  assert.equal(embeddedIpv4("2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"), "192.0.2.45");
});

test("an unreadable server answer is unknown, and nothing is said about ports", () => {
  const h = natHint({ seen: { ip: "not-an-ip", port: 5 }, local: { ip: "192.0.2.10", port: 5 }, interfaces: none });
  assert.equal(h.verdict, "unknown");
  assert.equal(h.portPreserved, null);
  assert.doesNotMatch(h.reason, /port/);
});
