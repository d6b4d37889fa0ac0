// "Your external address changed": family compared with family, the IP only, and never after the
// account's own settings changed.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CheckResult } from "../../src/core";
import { addressChanges, settingsKey, type CheckOutcome } from "../../src/vscode/outcome";

function result(family: "IPv4" | "IPv6", ip: string, port: number): CheckResult {
  return { address: { ip, port, family, range: "unicast" }, checkedAt: "2026-12-01T00:00:00.000Z" } as unknown as CheckResult;
}

const key = settingsKey({ jid: "alice@example.org", host: "127.0.0.1" });

function both(v4: string, v6: string, k = key): CheckOutcome {
  const a = result("IPv4", v4, 40000);
  const b = result("IPv6", v6, 40001);
  return { ok: true, result: a, settingsKey: k, families: [{ family: "IPv4", ok: true, result: a }, { family: "IPv6", ok: true, result: b }] };
}

test("a new IP in one family is reported for that family only; a new port is not a change", () => {
  const changes = addressChanges(both("203.0.113.7", "2001:db8::7"), both("203.0.113.8", "2001:db8::7"));
  assert.deepEqual(changes.map((c) => [c.family, c.before.address.ip, c.after.address.ip]), [["IPv4", "203.0.113.7", "203.0.113.8"]]);
  const samePortChanged: CheckOutcome = { ok: true, result: result("IPv4", "203.0.113.7", 41234), settingsKey: key };
  assert.deepEqual(addressChanges({ ok: true, result: result("IPv4", "203.0.113.7", 40000), settingsKey: key }, samePortChanged), []);
});

test("IPv4 is never compared with IPv6", () => {
  const v4: CheckOutcome = { ok: true, result: result("IPv4", "127.0.0.1", 40000), settingsKey: key };
  const v6: CheckOutcome = { ok: true, result: result("IPv6", "::1", 40000), settingsKey: key };
  assert.deepEqual(addressChanges(v4, v6), []);
});

test("no change is reported after the account's own settings changed (host 127.0.0.1 → ::1)", () => {
  const before: CheckOutcome = { ok: true, result: result("IPv4", "127.0.0.1", 40000), settingsKey: key };
  const after: CheckOutcome = { ok: true, result: result("IPv4", "127.0.0.2", 40000), settingsKey: settingsKey({ jid: "alice@example.org", host: "::1" }) };
  assert.deepEqual(addressChanges(before, after), []);
  // The same settings: the same change is news.
  assert.equal(addressChanges(before, { ...after, settingsKey: key }).length, 1);
});
