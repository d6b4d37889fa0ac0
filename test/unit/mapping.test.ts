// The UDP mapping behaviour (candidates/mapping.ts): each named case from evidence a real NAT gives.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mappingBehaviour } from "../../src/core/candidates/mapping";

const local = { ip: "192.0.2.10", port: 50000 };
const A = { ip: "198.51.100.10", port: 3478 };
const A2 = { ip: "198.51.100.10", port: 3479 };
const B = { ip: "198.51.100.20", port: 3478 };
const B2 = { ip: "198.51.100.20", port: 3479 };
const out = (port: number) => ({ ip: "203.0.113.1", port });

test("no answer and one destination cannot tell", () => {
  const none = mappingBehaviour({ local, bindings: [{ server: A, mapped: null }] });
  assert.equal(none.case, "no-answer");
  assert.equal(none.verdict, "cannot tell (no STUN answer)");
  assert.equal(none.portPreserved, null);
  const one = mappingBehaviour({ local, bindings: [{ server: A, mapped: local }, { server: A, mapped: local }] });
  assert.equal(one.behaviour, "unknown");
  assert.equal(one.verdict, "cannot tell (only one STUN server)");
  assert.match(one.reason, /no address translation was seen/);
});

test("the socket's own address at two server IPs is no NAT, endpoint-independent", () => {
  const r = mappingBehaviour({ local, bindings: [{ server: A, mapped: local }, { server: B, mapped: local }] });
  assert.equal(r.case, "no-nat");
  assert.equal(r.behaviour, "endpoint-independent");
  assert.equal(r.verdict, "peer-to-peer UDP likely works");
  assert.equal(r.portPreserved, true);
});

test("one outer mapping for every destination is endpoint-independent (masquerade)", () => {
  const r = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(50000) }, { server: B, mapped: out(50000) }, { server: B2, mapped: out(50000) }], tcpSeen: { ip: "203.0.113.1", port: 41000 } });
  assert.equal(r.behaviour, "endpoint-independent");
  assert.equal(r.case, "same-mapping-everywhere");
  assert.equal(r.portPreserved, true);
  assert.equal(r.sameNatAsTcp, true);
  assert.match(r.reason, /same outer address as the XMPP \(TCP\) connection/);
});

test("a new port per destination IP, without two ports of one IP, is destination-dependent (fully-random)", () => {
  const r = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(1234) }, { server: B, mapped: out(5678) }] });
  assert.equal(r.behaviour, "destination-dependent");
  assert.equal(r.verdict, "needs a relay");
  assert.equal(r.portPreserved, false);
  assert.match(r.reason, /50000 → 1234, 5678/);
});

test("RFC 5780's two ports of one IP tell address-dependent from address-and-port-dependent", () => {
  const ad = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(1) }, { server: B, mapped: out(2) }, { server: B2, mapped: out(2) }] });
  assert.equal(ad.behaviour, "address-dependent");
  assert.equal(ad.verdict, "needs a relay");
  const apd = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(1) }, { server: B, mapped: out(2) }, { server: B2, mapped: out(3) }] });
  assert.equal(apd.behaviour, "address-and-port-dependent");
  const portsOnly = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(1) }, { server: A2, mapped: out(2) }] });
  assert.equal(portsOnly.behaviour, "address-and-port-dependent");
});

test("two ports of one IP with the same mapping cannot tell about other addresses", () => {
  const r = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(9) }, { server: A2, mapped: out(9) }] });
  assert.equal(r.case, "same-ip-only");
  assert.equal(r.behaviour, "unknown");
});

test("UDP and TCP seen from different outer addresses is a different NAT; other families are not compared", () => {
  const r = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(1) }, { server: B, mapped: out(1) }], tcpSeen: { ip: "203.0.113.99", port: null } });
  assert.equal(r.sameNatAsTcp, false);
  assert.match(r.reason, /different NAT/);
  const v6 = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(1) }], tcpSeen: { ip: "2001:db8::1", port: 1 } });
  assert.equal(v6.sameNatAsTcp, null);
  const mapped = mappingBehaviour({ local, bindings: [{ server: A, mapped: out(1) }], tcpSeen: { ip: "::ffff:203.0.113.1", port: 1 } });
  assert.equal(mapped.sameNatAsTcp, true);
});
