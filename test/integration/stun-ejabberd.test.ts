// The STUN client (src/core/stun) against ejabberd's own STUN listener (ejabberd_stun), the one
// its mod_stun_disco announces through XEP-0215: a plain RFC 8489 server without RFC 5780.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isSicError } from "../../src/core/errors";
import { stunBinding } from "../../src/core/stun/binding";
import { openUdpSocket } from "../../src/core/stun/socket";
import type { XmppServer } from "../../scripts/testbed/types";
import { serverOrSkip } from "../support/servers";

const within = (ms: number) => ({ deadline: Date.now() + ms });

function stunPortOf(server: XmppServer): number {
  const info = server.describe();
  const port = info.kind === "ejabberd" ? info.stunPort : undefined;
  assert.ok(port, "the ejabberd test bed has a STUN listener");
  return port;
}

test("ejabberd's STUN maps a loopback socket to its own address and port", async (t) => {
  const server = await serverOrSkip(t, "ejabberd");
  if (!server) return;
  const stunPort = stunPortOf(server);
  const { socket, local, close } = await openUdpSocket("127.0.0.1");
  try {
    const r = await stunBinding(socket, { ip: "127.0.0.1", port: stunPort }, within(5000));
    assert.deepEqual({ ip: r.mapped.ip, port: r.mapped.port }, local);
    assert.equal(r.mappedFrom, "xor-mapped-address");
    assert.equal(r.otherAddress, undefined, "ejabberd has no RFC 5780");
    assert.ok(r.rttMs >= 0 && r.rttMs < 5000);
  } finally {
    close();
  }
});

test("ejabberd's STUN refuses RFC 5780's CHANGE-REQUEST with 420, and the error names it", async (t) => {
  const server = await serverOrSkip(t, "ejabberd");
  if (!server) return;
  const stunPort = stunPortOf(server);
  const { socket, close } = await openUdpSocket("127.0.0.1");
  try {
    await assert.rejects(
      stunBinding(socket, { ip: "127.0.0.1", port: stunPort }, { ...within(5000), changeRequest: { changeIp: true, changePort: false } }),
      (e: unknown) => isSicError(e) && e.code === "server-error" && /error 420/.test(e.message) && /CHANGE-REQUEST \(0x0003\)/.test(e.message),
    );
  } finally {
    close();
  }
});
