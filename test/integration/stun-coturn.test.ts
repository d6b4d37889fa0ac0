// The STUN/TURN client (src/core/stun) against a real coturn on loopback with two listening IPs
// (127.0.0.1 and 127.0.0.2), so RFC 5780's OTHER-ADDRESS is there; TURN with the time-limited
// credentials Prosody's mod_turn_external hands out (HMAC-SHA1 of the shared secret).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { coturnUnavailable, startCoturn, turnRestCredentials, type Coturn } from "../../scripts/testbed/coturn";
import { isSicError } from "../../src/core/errors";
import { stunBinding } from "../../src/core/stun/binding";
import { openUdpSocket, type BoundSocket } from "../../src/core/stun/socket";
import { turnAllocate } from "../../src/core/stun/turn";
import { mappingBehaviour } from "../../src/core/candidates/mapping";
import { probeMapping, rfc5780Destinations } from "../../src/core/stun/probe";

const skip = coturnUnavailable();
const within = (ms: number) => ({ deadline: Date.now() + ms });

async function until(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("STUN and TURN against coturn", { skip }, () => {
  let coturn: Coturn;
  const sockets: BoundSocket[] = [];
  const open = async (ip = "127.0.0.1") => {
    const s = await openUdpSocket(ip);
    sockets.push(s);
    return s;
  };

  before(async () => {
    coturn = await startCoturn();
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await coturn?.stop();
  });

  test("a Binding maps to the socket's own address on loopback, with RFC 5780's addresses", async () => {
    const { socket, local } = await open();
    const r = await stunBinding(socket, { ip: "127.0.0.1", port: coturn.port }, within(5000));
    assert.deepEqual({ ip: r.mapped.ip, port: r.mapped.port }, local);
    assert.equal(r.mappedFrom, "xor-mapped-address");
    assert.deepEqual(r.responseOrigin && { ip: r.responseOrigin.ip, port: r.responseOrigin.port }, { ip: "127.0.0.1", port: coturn.port });
    assert.deepEqual(r.otherAddress && { ip: r.otherAddress.ip, port: r.otherAddress.port }, { ip: "127.0.0.2", port: coturn.port + 1 });
    assert.equal(r.sent, 1);
  });

  test("RFC 5780 destinations from OTHER-ADDRESS give an endpoint-independent, port-keeping picture", async () => {
    const { socket, local } = await open();
    const primary = { ip: "127.0.0.1", port: coturn.port };
    const first = await stunBinding(socket, primary, within(5000));
    const more = rfc5780Destinations(primary, first.otherAddress);
    assert.deepEqual(more, [{ ip: "127.0.0.2", port: coturn.port }, { ip: "127.0.0.2", port: coturn.port + 1 }]);
    const rest = await Promise.all(more.map((server) => stunBinding(socket, server, within(5000))));
    const report = mappingBehaviour({ local, bindings: [first, ...rest].map((b) => ({ server: b.server, mapped: b.mapped })) });
    assert.equal(report.behaviour, "endpoint-independent");
    assert.equal(report.case, "no-nat");
    assert.equal(report.portPreserved, true);
    // coturn's quirk: asked at its second address, OTHER-ADDRESS names that same address again.
    assert.deepEqual(rfc5780Destinations(more[0]!, rest[0]!.otherAddress), []);
  });

  test("one socket probes every server and RFC 5780's extra destinations; a silent one fails alone", async () => {
    const { socket, local } = await open();
    const silent = { ip: "127.0.0.1", port: coturn.port + 7 };
    const outcomes = await probeMapping(socket, [{ ip: "127.0.0.1", port: coturn.port }, silent], { deadline: Date.now() + 800 });
    assert.deepEqual(
      outcomes.map((o) => `${o.server.ip}:${o.server.port} ${o.ok ? "ok" : o.error.code}`),
      [`127.0.0.1:${coturn.port} ok`, `127.0.0.2:${coturn.port} ok`, `127.0.0.2:${coturn.port + 1} ok`, `127.0.0.1:${silent.port} timeout`],
    );
    for (const o of outcomes) if (o.ok) assert.deepEqual({ ip: o.mapped.ip, port: o.mapped.port }, local);
  });

  test("TURN Allocate with REST credentials gives a relayed address; refresh 0 deletes it", async () => {
    const { socket } = await open();
    const server = { ip: "127.0.0.1", port: coturn.port };
    const credentials = coturn.credentials(600, `alloc${Date.now()}`);
    const allocation = await turnAllocate(socket, server, credentials, within(5000));
    assert.ok(["127.0.0.1", "127.0.0.2"].includes(allocation.relayed.ip), allocation.relayed.ip);
    assert.ok(allocation.relayed.port > 0 && allocation.relayed.port !== coturn.port);
    assert.ok(allocation.lifetime > 0);
    assert.equal(allocation.mapped?.port, socket.address().port);
    // While it exists, this 5-tuple cannot allocate again (437 Allocation Mismatch) …
    await assert.rejects(turnAllocate(socket, server, coturn.credentials(), within(5000)), /error 437/);
    assert.deepEqual(await allocation.release(within(5000)), { ok: true });
    // … and coturn's own log records the deletion of this very session.
    const username = credentials.username.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await until(() => new RegExp(`refreshed, realm=<localhost>, username=<${username}>, lifetime=0`).test(coturn.logText()), 3000);
  });

  test("TURN with a wrong password is refused as auth, and the password appears in no message", async () => {
    const { socket } = await open();
    const good = coturn.credentials();
    const wrong = { username: good.username, password: turnRestCredentials("not-the-secret", 600).password };
    await assert.rejects(turnAllocate(socket, { ip: "127.0.0.1", port: coturn.port }, wrong, within(5000)), (e: unknown) => {
      assert.ok(isSicError(e) && e.code === "auth", String(e));
      assert.ok(!e.message.includes(wrong.password) && !e.message.includes(good.username));
      return true;
    });
  });

  test("silence from a closed port ends in a timeout within the deadline", async () => {
    const { socket } = await open();
    const started = Date.now();
    await assert.rejects(
      stunBinding(socket, { ip: "127.0.0.1", port: coturn.port + 7 }, { deadline: Date.now() + 700 }),
      (e: unknown) => isSicError(e) && (e.code === "timeout" || e.code === "connect"),
    );
    assert.ok(Date.now() - started < 1500);
  });
});
