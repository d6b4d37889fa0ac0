// Properties of the NAT hint (nat.ts natHint): for any evidence — addresses valid or not, of any
// family and range (transition ranges included), any ports and interface lists — it returns one of
// the named cases with a consistent verdict and port flag and sentences without holes, never throws.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { natHint, type NatEvidence } from "../../src/core/nat";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) };

const CASES = new Set(["unknown-address", "family-changed", "same-as-socket", "same-as-interface", "address-translated"]);

const transition = fc.oneof(
  fc.ipV4().map((v4) => `64:ff9b::${v4}`),
  fc.ipV4().map((v4) => `::ffff:${v4}`),
  fc.tuple(fc.nat(0xffff), fc.nat(0xffff), fc.nat(0xffff)).map(([a, b, c]) => `2001:0:${a.toString(16)}:${b.toString(16)}::${c.toString(16)}`),
  fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([a, b]) => `2002:${a.toString(16)}:${b.toString(16)}::1`),
);
const address = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  transition,
  fc.constantFrom("127.0.0.1", "::1", "10.0.0.1", "192.168.1.2", "100.64.0.1", "fe80::1%eth0", "fe80::1", "fd00::1", "0.0.0.0", "::"),
  fc.string({ maxLength: 20 }),
  fc.constantFrom("", "unknown", "localhost", "1.2.3", "::ffff:999.1.1.1"),
);
const port = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, -1, 70000, Number.NaN));

const evidence: fc.Arbitrary<NatEvidence> = fc
  .record({
    seen: fc.record({ ip: address, port: fc.option(port) }),
    local: fc.record({ ip: address, port }),
    interfaces: fc.array(address, { maxLength: 6 }),
    family: fc.option(fc.constantFrom("IPv4" as const, "IPv6" as const), { nil: undefined }),
    remote: fc.option(address, { nil: undefined }),
  })
  .chain((e) =>
    // Often make the interesting coincidences happen: seen = local, seen among the interfaces.
    fc.constantFrom(
      e,
      { ...e, seen: { ...e.seen, ip: e.local.ip } },
      { ...e, interfaces: [...e.interfaces, e.seen.ip] },
      { ...e, seen: { ...e.seen, port: e.local.port } },
    ),
  );

test("natHint: any evidence gives a named case, a consistent verdict and port flag, whole sentences", () => {
  fc.assert(
    fc.property(evidence, (e) => {
      const hint = natHint(e);
      assert.ok(CASES.has(hint.case), hint.case);
      assert.ok(["no-nat", "nat", "unknown"].includes(hint.verdict));
      assert.equal(hint.verdict === "unknown", hint.case === "unknown-address");
      if (hint.verdict === "unknown" || e.seen.port === null) assert.equal(hint.portPreserved, null);
      else assert.equal(hint.portPreserved, e.seen.port === e.local.port);
      for (const text of [hint.summary, hint.reason]) {
        assert.ok(typeof text === "string" && text.trim().length > 0);
        assert.doesNotMatch(text, /\bundefined\b|\[object |\bnull\b/, text);
      }
      assert.equal(hint.evidence.seen, e.seen);
      assert.equal(hint.evidence.local, e.local);
    }),
    RUNS,
  );
});

test("natHint: the verdict does not depend on how an address is written", () => {
  fc.assert(
    fc.property(fc.ipV6(), fc.ipV4(), fc.integer({ min: 1, max: 65535 }), (v6, v4, p) => {
      const upper = natHint({ seen: { ip: v6.toUpperCase(), port: p }, local: { ip: v6, port: p }, interfaces: [] });
      assert.equal(upper.case, "same-as-socket");
      const mapped = natHint({ seen: { ip: `::ffff:${v4}`, port: p }, local: { ip: v4, port: p }, interfaces: [] });
      assert.equal(mapped.case, "same-as-socket");
      assert.equal(mapped.verdict, "no-nat");
    }),
    RUNS,
  );
});
