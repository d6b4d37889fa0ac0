import assert from "node:assert/strict";
import { test } from "node:test";
import { parseIp } from "../../src/core/ip";

test("IPv4 dotted quads parse with their ipaddr.js range", () => {
  assert.deepEqual(parseIp("203.0.113.7"), { ip: "203.0.113.7", family: "IPv4", range: "reserved" });
  assert.deepEqual(parseIp("127.0.0.1"), { ip: "127.0.0.1", family: "IPv4", range: "loopback" });
  assert.deepEqual(parseIp("100.64.1.2"), { ip: "100.64.1.2", family: "IPv4", range: "carrierGradeNat" });
  assert.deepEqual(parseIp("192.168.1.10"), { ip: "192.168.1.10", family: "IPv4", range: "private" });
  assert.deepEqual(parseIp("8.8.8.8"), { ip: "8.8.8.8", family: "IPv4", range: "unicast" });
});

test("IPv4-mapped IPv6 is reported as the IPv4 address it carries", () => {
  assert.deepEqual(parseIp("::ffff:198.51.100.4"), { ip: "198.51.100.4", family: "IPv4", range: "reserved" });
  assert.deepEqual(parseIp("::FFFF:127.0.0.1"), { ip: "127.0.0.1", family: "IPv4", range: "loopback" });
});

test("IPv6 is normalised to its compressed form", () => {
  assert.deepEqual(parseIp("2001:0db8:0000:0000:0000:0000:0000:0001"), { ip: "2001:db8::1", family: "IPv6", range: "reserved" });
  assert.equal(parseIp("::1")?.range, "loopback");
  assert.equal(parseIp("fd00::5")?.range, "uniqueLocal");
  assert.equal(parseIp("64:ff9b::c000:221")?.range, "rfc6052");
});

test("anything that is not exactly one address is refused", () => {
  for (const bad of ["", " ", "localhost", "1.2.3", "127.1", "0x7f.0.0.1", "01.2.3.4", "256.1.1.1", "1.2.3.4 ", "1.2.3.4.5", ":::", "1.2.3.4/24", "x".repeat(65), "::1::2"]) {
    assert.equal(parseIp(bad), null, JSON.stringify(bad));
  }
});
