// Properties of the mapping behaviour (candidates/mapping.ts): any evidence gives a named case
// whose behaviour and verdict agree, never throws, and the verdict follows from the facts.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { mappingBehaviour } from "../../src/core/candidates/mapping";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) };

const ip = fc.oneof(fc.constantFrom("198.51.100.1", "198.51.100.2", "203.0.113.1", "2001:db8::1", "::ffff:198.51.100.1"), fc.ipV4(), fc.string({ maxLength: 8 }));
const port = fc.constantFrom(1, 3478, 3479, 50000, 65535);
const endpoint = fc.record({ ip, port });
const evidence = fc.record({
  local: endpoint,
  bindings: fc.array(fc.record({ server: endpoint, mapped: fc.option(endpoint) }), { maxLength: 6 }),
  tcpSeen: fc.option(fc.record({ ip, port: fc.option(port) })),
});

const VERDICT: Record<string, string[]> = {
  "endpoint-independent": ["peer-to-peer UDP likely works"],
  "address-dependent": ["needs a relay"],
  "address-and-port-dependent": ["needs a relay"],
  "destination-dependent": ["needs a relay"],
  unknown: ["cannot tell (only one STUN server)", "cannot tell (no STUN answer)"],
};

test("mappingBehaviour: any evidence gives a consistent behaviour, verdict and whole sentences", () => {
  fc.assert(
    fc.property(evidence, (e) => {
      const r = mappingBehaviour(e);
      assert.ok(VERDICT[r.behaviour]!.includes(r.verdict), `${r.behaviour} / ${r.verdict}`);
      assert.ok(r.reason.length > 0 && !/undefined|null|NaN/.test(r.reason), r.reason);
      const answered = e.bindings.some((b) => b.mapped !== null);
      if (!answered) assert.equal(r.behaviour, "unknown");
      // Identical answers everywhere can never be called destination-dependent.
      const maps = new Set(e.bindings.filter((b) => b.mapped).map((b) => `${b.mapped!.ip}|${b.mapped!.port}`));
      if (maps.size <= 1) assert.ok(r.verdict !== "needs a relay");
    }),
    RUNS,
  );
});
