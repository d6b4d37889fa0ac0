// XEP-0215 replies (src/core/extdisco.ts) in the shapes both test-bed servers send (see
// shared/facts/stun-turn.md): ejabberd restricted='true', Prosody restricted='1', extdisco:1 ttl.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isSicError } from "../../src/core/errors";
import { MAX_SERVICES, NS_EXTDISCO_1, parseExtdisco } from "../../src/core/extdisco";
import { parseStanza } from "../support/xml";

const iq = (inner: string) => parseStanza(`<iq type='result' id='x' from='localhost'>${inner}</iq>`);

const EJABBERD = iq(`<services xmlns='urn:xmpp:extdisco:2'>
  <service type='stun' transport='udp' host='127.0.0.1' port='3478' restricted='false'/>
  <service type='turn' transport='udp' host='127.0.0.1' port='3478' restricted='true'
    username='1764620000' password='c2VjcmV0LXBhc3N3b3Jk' expires='2026-12-01T22:00:00.000000Z'/>
</services>`);

const PROSODY = iq(`<services xmlns='urn:xmpp:extdisco:2'>
  <service type='stun' transport='udp' host='127.0.0.1' port='3478'/>
  <service type='turn' transport='tcp' host='127.0.0.1' port='3478' restricted='1'
    username='1764620000:alice' password='QmFzZTY0SE1BQw==' expires='2026-12-01T22:00:00Z'/>
</services>`);

test("ejabberd's and Prosody's shapes give the same services; credentials stay out of the list", () => {
  for (const reply of [parseExtdisco(EJABBERD, "127.0.0.1"), parseExtdisco(PROSODY, "127.0.0.1")]) {
    assert.equal(reply.services.length, 2);
    const [stun, turn] = reply.services;
    assert.deepEqual([stun!.type, stun!.host, stun!.port, stun!.restricted, stun!.hasCredentials], ["stun", "127.0.0.1", 3478, false, false]);
    assert.equal(turn!.restricted, true);
    assert.equal(turn!.hasCredentials, true);
    assert.ok(turn!.expires);
    const creds = reply.credentialsFor(turn!);
    assert.ok(creds && creds.password.length > 0);
    const shown = JSON.stringify(reply) + JSON.stringify(reply.services) + String(turn);
    assert.ok(!shown.includes(creds.password) && !shown.includes(creds.username), shown);
    assert.deepEqual(reply.secrets(), [creds.username, creds.password]);
    // On a loopback server, loopback services are not flagged.
    assert.deepEqual(stun!.flags, []);
  }
  assert.equal(parseExtdisco(PROSODY).services[1]!.transport, "tcp");
});

test("extdisco:1 gives ttl instead of expires", () => {
  const r = parseExtdisco(iq(`<services xmlns='urn:xmpp:extdisco:1'><service type='stun' host='stun.example.org' port='3478' transport='udp' ttl='86400'/></services>`));
  assert.equal(r.namespace, NS_EXTDISCO_1);
  assert.equal(r.services[0]!.ttlSeconds, 86400);
  assert.equal(r.services[0]!.expires, undefined);
});

test("addresses peers cannot reach are flagged unless the XMPP server is on that network", () => {
  const reply = iq(`<services xmlns='urn:xmpp:extdisco:2'>
    <service type='turn' host='0.0.0.0' port='3478'/>
    <service type='stun' host='127.0.0.1' port='3478'/>
    <service type='stun' host='192.168.1.5' port='3478'/>
    <service type='stun' host='100.64.1.1' port='3478'/>
    <service type='stun' host='fe80::1' port='3478'/>
    <service type='stun' host='198.51.100.9' port='3478'/>
  </services>`);
  const kinds = parseExtdisco(reply, "203.0.113.1").services.map((s) => s.flags.map((f) => f.kind).join(","));
  assert.deepEqual(kinds, ["unspecified", "loopback", "private", "carrier-grade-nat", "link-local", ""]);
  const onLan = parseExtdisco(reply, "192.168.1.1").services.map((s) => s.flags.length);
  assert.deepEqual(onLan, [1, 1, 0, 1, 1, 0]);
});

test("bad entries are skipped with a reason; the list is bounded", () => {
  const r = parseExtdisco(iq(`<services xmlns='urn:xmpp:extdisco:2'>
    <service type='ftp' host='a.example' port='21'/>
    <service type='stun' host='bad host' port='3478'/>
    <service type='stun' host='a.example' port='70000'/>
    <service type='stun' host='a.example' port='3478' transport='sctp'/>
    <service type='turn' host='a.example' port='3478' username='${"u".repeat(600)}' password='p'/>
    <service type='stun' host='a.example' port='3478' name='x&#x202e;gpj.exe'/>
  </services>`));
  assert.equal(r.services.length, 1);
  assert.equal(r.services[0]!.name, "x\\u202egpj.exe");
  assert.equal(r.skipped.length, 5);
  assert.match(r.skipped.join("\n"), /ftp.*\n.*bad host.*\n.*70000.*\n.*sctp.*\n.*longer than 512/);
  const many = parseExtdisco(iq(`<services xmlns='urn:xmpp:extdisco:2'>${"<service type='stun' host='a.example' port='1'/>".repeat(100)}</services>`));
  assert.equal(many.services.length, MAX_SERVICES);
  assert.ok(many.skipped.length <= MAX_SERVICES);
});

test("an answer without <services/> in a known namespace is a bad reply", () => {
  assert.throws(() => parseExtdisco(iq(`<services xmlns='urn:example'/>`)), (e: unknown) => isSicError(e) && e.code === "bad-reply");
});
