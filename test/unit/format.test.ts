// The CLI's output for several families: the single-result JSON shape stays at the top level,
// `families` lists each family tried, and the text shows a block per family.
import assert from "node:assert/strict";
import { test } from "node:test";
import { errorJson, errorText, toJson, toText } from "../../src/cli/format";
import { natHint, SicError, type CheckResult, type FamilyOutcome } from "../../src/core";

function result(family: "IPv4" | "IPv6", seen: string, local: string, port: number, seenPort = port): CheckResult {
  return {
    jid: "alice@example.org",
    boundJid: "alice@example.org/r",
    namespace: "urn:xmpp:sic:1",
    query: "<address xmlns='urn:xmpp:sic:1'/>",
    address: { ip: seen, port: seenPort, family, range: "reserved" },
    local: { ip: local, port },
    server: {
      host: "xmpp.example.org",
      port: 5222,
      ip: family === "IPv4" ? "198.51.100.10" : "2001:db8:2::10",
      family,
      found: "srv",
      srv: "_xmpp-client._tcp.example.org",
      tls: "starttls",
      tlsProtocol: "TLSv1.3",
      certificate: null,
      mechanism: "SCRAM-SHA-1",
    },
    features: [],
    nat: natHint({ seen: { ip: seen, port: seenPort }, local: { ip: local, port }, interfaces: [local], family }),
    timingsMs: { connect: 1, tls: 2, auth: 3, query: 4, total: 10 },
    checkedAt: "2025-01-01T00:00:00.000Z",
    checkId: family,
  };
}

const v4 = result("IPv4", "198.51.100.1", "192.0.2.10", 50000, 40001);
const v6 = result("IPv6", "2001:db8:1::10", "2001:db8:1::10", 50001);
const both: FamilyOutcome[] = [
  { family: "IPv4", ok: true, result: v4 },
  { family: "IPv6", ok: true, result: v6 },
];

test("JSON: the primary result keeps the single-check shape, plus one `families` entry per family", () => {
  const json = JSON.parse(JSON.stringify(toJson(v4, both)));
  assert.deepEqual(Object.keys(json), ["ok", "jid", "namespace", "address", "local", "nat", "server", "timingsMs", "checkedAt", "families"]);
  assert.equal(json.ok, true);
  assert.equal(json.address.ip, "198.51.100.1");
  assert.deepEqual([json.server.family, json.server.found, json.server.srv], ["IPv4", "srv", "_xmpp-client._tcp.example.org"]);
  assert.deepEqual(
    json.families.map((f: { family: string; ok: boolean; nat: { verdict: string; portPreserved: boolean } }) => [f.family, f.ok, f.nat.verdict, f.nat.portPreserved]),
    [["IPv4", true, "nat", false], ["IPv6", true, "no-nat", true]],
  );
  assert.deepEqual(Object.keys(json.families[0]), ["family", "ok", "address", "local", "nat", "server"]);
  assert.equal(json.families[1].address.ip, "2001:db8:1::10");
});

test("JSON: a failed family has the same keys, nulls and an error", () => {
  const failed = new SicError("connect", "xmpp.example.org has no IPv6 address (only 198.51.100.10).");
  const json = JSON.parse(JSON.stringify(toJson(v4, [both[0]!, { family: "IPv6", ok: false, error: failed }])));
  assert.deepEqual(json.families[1], {
    family: "IPv6",
    ok: false,
    address: null,
    local: null,
    nat: null,
    server: null,
    error: { code: "connect", message: failed.message },
  });
});

test("JSON errors: `families` only when more than one family was tried", () => {
  const e4 = new SicError("auth", "wrong JID or password");
  const e6 = new SicError("connect", "refused");
  assert.deepEqual(Object.keys(errorJson(e4, [{ family: "IPv4", ok: false, error: e4 }])), ["ok", "error"]);
  const two = errorJson(e4, [
    { family: "IPv4", ok: false, error: e4 },
    { family: "IPv6", ok: false, error: e6 },
  ]) as { families: { family: string; error: { code: string } }[] };
  assert.deepEqual(two.families.map((f) => [f.family, f.error.code]), [["IPv4", "auth"], ["IPv6", "connect"]]);
  const text = errorText(e4, [
    { family: "IPv4", ok: false, error: e4 },
    { family: "IPv6", ok: false, error: e6 },
  ]);
  assert.match(text, /^xmpp-sic: IPv4: auth: wrong JID or password\n  IPv6: connect: refused\n/);
});

test("text: one block per family, the primary marked, then the shared rows", () => {
  const text = toText(v4, both);
  assert.match(text, /^IPv4 \(primary\):\n  External address  198\.51\.100\.1:40001  \(IPv4, reserved\)\n  Local address     192\.0\.2\.10:50000\n  NAT               behind NAT — /m);
  assert.match(text, /^IPv6:\n  External address  \[2001:db8:1::10\]:50001  \(IPv6, reserved\)\n/m);
  assert.match(text, /^  NAT               no NAT — /m);
  assert.match(text, /^Server  +xmpp\.example\.org:5222 \(198\.51\.100\.10, found through SRV _xmpp-client\._tcp\.example\.org\), STARTTLS TLSv1\.3, SCRAM-SHA-1$/m);
  // One family: the single-check layout, unchanged.
  assert.match(toText(v4, [both[0]!]), /^External address  198\.51\.100\.1:40001/);
});
