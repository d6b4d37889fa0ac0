// The UDP picture's choice of destinations: the XMPP server names them, so one at an unspecified
// address (which reaches this machine) is reported and never asked. A real socket on loopback.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { probeUdp } from "../../src/core/udpPicture";

test("a STUN service announced at 0.0.0.0 is not asked: an error entry, no datagram, verdict from nothing", async () => {
  // A listener on loopback that would see any Binding sent to 0.0.0.0 (Linux delivers it locally).
  const listener = createSocket("udp4");
  await new Promise<void>((resolve) => listener.bind(0, "127.0.0.1", resolve));
  let received = 0;
  listener.on("message", () => received++);
  const port = listener.address().port;
  try {
    const { picture, socket } = await probeUdp({
      services: [{ type: "stun", host: "0.0.0.0", port, transport: "udp" }],
      localIp: "127.0.0.1",
      family: "IPv4",
      tcpSeen: null,
      deadline: Date.now() + 1000,
    });
    socket.close();
    assert.equal(picture.bindings.length, 1);
    const [b] = picture.bindings;
    assert.ok(b && "error" in b, JSON.stringify(b));
    assert.equal(b.error.code, "bad-reply");
    assert.match(b.error.message, /unspecified address; it was not asked/);
    assert.equal(picture.mapping.verdict, "cannot tell (no STUN answer)");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received, 0);
  } finally {
    listener.close();
  }
});
