// XEP-0215 services announced where peers elsewhere cannot reach them: flagged in the UDP picture
// against the XMPP server's own address (core udpPicture.ts), and shown in check/candidates JSON
// and in the text table (cli/udpFormat.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { udpJson, udpRows } from "../../src/cli/udpFormat";
import { serviceFlags } from "../../src/core/extdisco";
import { probeUdp, type UdpPicture } from "../../src/core/udpPicture";

test("serviceFlags: each kind of unreachable range, unless the XMPP server is in the same kind", () => {
  const kinds = (host: string, server?: string) => serviceFlags(host, server).map((f) => f.kind);
  assert.deepEqual(kinds("0.0.0.0", "198.51.100.1"), ["unspecified"]);
  assert.deepEqual(kinds("::", "127.0.0.1"), ["unspecified"], "unspecified is flagged even on loopback");
  assert.deepEqual(kinds("127.0.0.1", "198.51.100.1"), ["loopback"]);
  assert.deepEqual(kinds("127.0.0.1", "127.0.0.1"), []);
  assert.deepEqual(kinds("10.1.2.3", "203.0.113.5"), ["private"]);
  assert.deepEqual(kinds("fd00::5", "2001:db8::1"), ["private"]);
  assert.deepEqual(kinds("10.1.2.3", "192.168.0.2"), []);
  assert.deepEqual(kinds("100.64.0.1", "203.0.113.5"), ["carrier-grade-nat"]);
  assert.deepEqual(kinds("100.127.255.254", "100.100.0.1"), []);
  assert.deepEqual(kinds("198.51.100.9", "203.0.113.5"), []);
  assert.deepEqual(kinds("stun.example.org", "203.0.113.5"), [], "a host name is not judged by its text");
  assert.deepEqual(kinds("127.0.0.1", undefined), ["loopback"], "server address unknown: flagged");
});

test("the picture flags its services against the server's address; JSON and text carry flag and note", async () => {
  const services = [
    { type: "stun" as const, host: "0.0.0.0", port: 3478, transport: "udp" as const },
    { type: "stun" as const, host: "10.0.0.7", port: 3478, transport: "tcp" as const },
    { type: "stun" as const, host: "127.0.0.1", port: 1, transport: "tcp" as const },
  ];
  const run = (serverIp: string) => probeUdp({ services, localIp: "127.0.0.1", family: "IPv4", tcpSeen: null, deadline: Date.now() + 500, serverIp });
  const { picture, socket } = await run("127.0.0.1");
  socket.close();
  assert.deepEqual(picture.services.map((s) => s.flag ?? null), ["unspecified", "private", null]);
  const { picture: far, socket: s2 } = await run("203.0.113.5");
  s2.close();
  assert.deepEqual(far.services.map((s) => s.flag ?? null), ["unspecified", "private", "loopback"]);

  const json = udpJson(far) as { services: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(json.services[1]!), ["type", "host", "port", "transport", "flag", "note"]);
  assert.equal(json.services[1]!.flag, "private");
  assert.match(String(json.services[1]!.note), /private \(RFC 1918\) address: peers outside that network cannot reach it/);
  assert.deepEqual(Object.keys((udpJson(picture) as { services: object[] }).services[2]!), ["type", "host", "port", "transport"], "no flag, no keys");

  const rows = udpRows(far as UdpPicture);
  const flagged = rows.filter(([label]) => label === "STUN service");
  assert.equal(flagged.length, 3);
  assert.match(flagged[2]![1], /^stun 127\.0\.0\.1:1\/tcp announced at a loopback address/);
  assert.equal(rows.indexOf(flagged[0]!), 0, "flags come before the bindings");
});
