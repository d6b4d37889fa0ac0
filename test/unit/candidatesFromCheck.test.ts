// Candidates from a stored CheckResult (src/core/candidates/fromCheck.ts): what the VS Code
// extension offers to copy after a check, from what the check recorded and nothing else.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CheckResult } from "../../src/core/check";
import { candidateJson, candidatesOfCheck } from "../../src/core/candidates/fromCheck";
import { icePriority, s5bPriority } from "../../src/core/candidates/priority";

const local = { ip: "192.0.2.10", port: 50000 };
const result = {
  local: { ip: "192.0.2.10", port: 41000 },
  address: { ip: "203.0.113.5", port: 41000, family: "IPv4", range: "documentation" },
  udp: {
    services: [],
    bindings: [
      { server: { host: "stun1.example.org", ip: "198.51.100.1", port: 3478 }, local, mapped: { ip: "203.0.113.5", port: 50000 }, rttMs: 12 },
      { server: { host: "stun2.example.org", ip: "198.51.100.2", port: 3478 }, error: { code: "timeout", message: "No answer." } },
      { server: { host: "stun3.example.org", ip: "198.51.100.3", port: 3478 }, local, mapped: { ip: "203.0.113.9", port: 50001 }, rttMs: 20 },
    ],
    mapping: { behaviour: "destination-dependent", portPreserved: false, sameNatAsTcp: false, verdict: "needs a relay", reason: "…" },
  },
} as unknown as CheckResult;

test("a check's UDP picture gives the socket's host candidate and one srflx per answered Binding, no relay", () => {
  const c = candidatesOfCheck(result);
  assert.deepEqual(c.map((x) => `${x.protocol} ${x.type} ${x.ip}:${x.port}`), ["udp host 192.0.2.10:50000", "udp srflx 203.0.113.5:50000", "udp srflx 203.0.113.9:50001"]);
  assert.equal(c[0]!.priority, icePriority("host"));
  assert.deepEqual(c[2]!.related, local);
  assert.equal(c[2]!.via, "198.51.100.3:3478");
});

test("with a SOCKS5 port: direct candidates on the interfaces and assisted on what XEP-0279 saw", () => {
  const c = candidatesOfCheck(result, { interfaces: ["127.0.0.1", "192.0.2.10"], s5bPort: 8010 }).filter((x) => x.protocol === "tcp");
  assert.deepEqual(c.map((x) => [x.s5bType, `${x.ip}:${x.port}`, x.priority]), [
    ["direct", "192.0.2.10:8010", s5bPriority("direct", 65535)],
    ["assisted", "203.0.113.5:8010", s5bPriority("assisted", 65535)],
  ]);
});

test("no UDP picture, or no STUN answer: no UDP candidate (the socket's port was never recorded)", () => {
  assert.deepEqual(candidatesOfCheck({ ...result, udp: undefined } as CheckResult), []);
  const silent = { ...result, udp: { ...result.udp!, bindings: [result.udp!.bindings[1]!] } } as CheckResult;
  assert.deepEqual(candidatesOfCheck(silent), []);
});

test("candidateJson has the CLI's fields, via null when absent", () => {
  const [host, srflx] = candidatesOfCheck(result);
  assert.deepEqual(Object.keys(candidateJson(host!)), ["type", "protocol", "ip", "port", "priority", "foundation", "via"]);
  assert.equal((candidateJson(host!) as { via: unknown }).via, null);
  assert.equal((candidateJson(srflx!) as { via: unknown }).via, "198.51.100.1:3478");
});
