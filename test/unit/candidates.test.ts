// Candidates (src/core/candidates): priorities from RFC 8445 §5.1.2.1 and XEP-0260 §2.2, foundations
// per RFC 8445 §5.1.1.3, the gathered list, and the Jingle XML it becomes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { foundation, icePriority, s5bPriority } from "../../src/core/candidates/priority";
import { gatherCandidates, hostAddresses } from "../../src/core/candidates/gather";
import { iceCredentials, iceUdpTransport, NS_ICE_UDP, NS_S5B, s5bTransport } from "../../src/core/candidates/jingle";
import { s5bText } from "../../src/cli/commands/candidates";
import { SicError } from "../../src/core/errors";
import { parseStanza } from "../support/xml";

test("ICE priorities: 2^24·type + 2^8·local + (256 − component)", () => {
  assert.equal(icePriority("host"), 2130706431); // the familiar host priority of single-homed agents
  assert.equal(icePriority("srflx"), 100 * 16777216 + 65535 * 256 + 255);
  assert.equal(icePriority("relay", 0, 2), 254);
  assert.throws(() => icePriority("host", 70000), RangeError);
});

test("SOCKS5 priorities: 2^16·type + local (XEP-0260's example: direct, local 100 → 8257636)", () => {
  assert.equal(s5bPriority("direct", 100), 8257636);
  assert.equal(s5bPriority("assisted"), 120 * 65536);
  assert.equal(s5bPriority("tunnel"), 110 * 65536);
  assert.equal(s5bPriority("proxy", 5), 10 * 65536 + 5);
});

test("foundations are equal exactly when type, base, server IP and protocol are", () => {
  const f = foundation("srflx", "192.0.2.10", "198.51.100.1", "udp");
  assert.equal(f, foundation("srflx", "192.0.2.10", "198.51.100.1", "udp"));
  assert.notEqual(f, foundation("srflx", "192.0.2.10", "198.51.100.2", "udp"));
  assert.notEqual(f, foundation("relay", "192.0.2.10", "198.51.100.1", "udp"));
  assert.notEqual(f, foundation("srflx", "192.0.2.10", "198.51.100.1", "tcp"));
  assert.match(f, /^[0-9]{1,32}$/);
});

test("host addresses leave out loopback and link-local unless that is all, IPv6 first", () => {
  assert.deepEqual(hostAddresses(["127.0.0.1", "192.0.2.10", "fe80::1%eth0", "2001:db8::5", "::1"]), ["2001:db8::5", "192.0.2.10"]);
  assert.deepEqual(hostAddresses(["127.0.0.1", "::1", "0.0.0.0"]), ["::1", "127.0.0.1"]);
});

const evidence = {
  interfaces: ["127.0.0.1", "192.0.2.10"],
  udp: {
    local: { ip: "192.0.2.10", port: 50000 },
    bindings: [
      { server: { ip: "198.51.100.1", port: 3478 }, mapped: { ip: "203.0.113.5", port: 50000 } },
      { server: { ip: "198.51.100.2", port: 3478 }, mapped: { ip: "203.0.113.5", port: 50000 } },
    ],
    relays: [{ server: { ip: "198.51.100.1", port: 3478 }, relayed: { ip: "198.51.100.1", port: 49200 }, mapped: { ip: "203.0.113.5", port: 50000 } }],
  },
  tcp: { local: { ip: "192.0.2.10", port: 41000 }, seen: { ip: "203.0.113.5", port: 41000 } },
  s5bPort: 8010,
  proxies: [{ jid: "proxy.example.org", host: "198.51.100.7", port: 7777 }],
};

test("gathering: one host, one srflx per distinct mapping, relays, SOCKS5 direct/assisted/proxy, by priority", () => {
  const c = gatherCandidates(evidence);
  assert.deepEqual(
    c.map((x) => `${x.protocol} ${x.type} ${x.ip}:${x.port}`),
    ["udp host 192.0.2.10:50000", "udp srflx 203.0.113.5:50000", "udp relay 198.51.100.1:49200", "tcp host 192.0.2.10:8010", "tcp srflx 203.0.113.5:8010", "tcp proxy 198.51.100.7:7777"],
  );
  assert.deepEqual(c[1]!.related, { ip: "192.0.2.10", port: 50000 });
  assert.equal(c[1]!.via, "198.51.100.1:3478");
  assert.equal(c[5]!.jid, "proxy.example.org");
  // A mapping equal to the socket's own address adds no srflx candidate (RFC 8445 §5.1.3).
  const noNat = gatherCandidates({ interfaces: [], udp: { local: { ip: "127.0.0.1", port: 9 }, bindings: [{ server: { ip: "127.0.0.1", port: 3478 }, mapped: { ip: "127.0.0.1", port: 9 } }], relays: [] } });
  assert.deepEqual(noNat.map((x) => x.type), ["host"]);
});

test("Jingle ICE-UDP XML carries every UDP candidate and parses back", () => {
  const el = parseStanza(iceUdpTransport(gatherCandidates(evidence), { ufrag: "abcd", pwd: "p".repeat(22) }).toString());
  assert.equal(el.attrs.xmlns, NS_ICE_UDP);
  const cands = el.getChildren("candidate");
  assert.deepEqual(cands.map((x) => x.attrs.type), ["host", "srflx", "relay"]);
  assert.equal(cands[0]!.attrs.priority, "2130706431");
  assert.equal(cands[1]!.attrs["rel-addr"], "192.0.2.10");
  assert.equal(cands[1]!.attrs.protocol, "udp");
  const { ufrag, pwd } = iceCredentials();
  assert.match(ufrag, /^[A-Za-z0-9+/]{4,}$/);
  assert.match(pwd, /^[A-Za-z0-9+/]{22,}$/);
});

test("Jingle SOCKS5 XML escapes what it is given and uses XEP-0260's types", () => {
  const text = s5bTransport(gatherCandidates(evidence), { sid: "s'<&\"", jid: "me@example.org/r" }).toString();
  const el = parseStanza(text);
  assert.equal(el.attrs.xmlns, NS_S5B);
  assert.equal(el.attrs.sid, "s'<&\"");
  assert.deepEqual(el.getChildren("candidate").map((x) => [x.attrs.type, x.attrs.jid, x.attrs.priority]), [
    ["direct", "me@example.org/r", String(126 * 65536 + 65535)],
    ["assisted", "me@example.org/r", String(120 * 65536 + 65535)],
    ["proxy", "proxy.example.org", String(10 * 65536 + 65535)],
  ]);
});

// `xmpp-sic candidates --format s5b` without --s5b-port: the proxies alone; none is an error that
// says what would help, not an empty <transport/> to paste.
test("the CLI's s5b transport without a port: the server's proxies only; none at all is 'unsupported' naming --s5b-port", () => {
  const { s5bPort: _port, ...withoutPort } = evidence;
  const result = { candidates: gatherCandidates(withoutPort), udp: null, boundJid: "me@example.org/r", proxyNotes: [] };
  const el = parseStanza(s5bText(result, "sid1").trim());
  assert.deepEqual(el.getChildren("candidate").map((x) => [x.attrs.type, x.attrs.host, x.attrs.port]), [["proxy", "198.51.100.7", "7777"]]);

  const { proxies: _proxies, ...nothing } = withoutPort;
  assert.throws(
    () => s5bText({ ...result, candidates: gatherCandidates(nothing) }, "sid2"),
    (err: unknown) => err instanceof SicError && err.code === "unsupported" && /no XEP-0065 proxy/.test(err.message) && /--s5b-port/.test(err.message),
  );
});
