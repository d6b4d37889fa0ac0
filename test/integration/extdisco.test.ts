// XEP-0215 end to end with real servers: each server's own reply parsed by the core
// (src/core/extdisco.ts), then its TURN credentials used for a real allocation: ejabberd's own
// TURN (mod_stun_disco + ejabberd_stun), and coturn announced by Prosody's mod_turn_external.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { randomBytes } from "node:crypto";
import { coturnUnavailable, startCoturn, type Coturn } from "../../scripts/testbed/coturn";
import { prosodyUnavailable, startProsody } from "../../scripts/testbed/prosody";
import type { OwnedXmppServer } from "../../scripts/testbed/types";
import { freeUdpPorts } from "../../scripts/testbed/udpPorts";
import { parseExtdisco, type ExtdiscoReply } from "../../src/core/extdisco";
import { openUdpSocket } from "../../src/core/stun/socket";
import { turnAllocate } from "../../src/core/stun/turn";
import { stunBinding } from "../../src/core/stun/binding";
import { askOneIq, type RawServer } from "../support/rawXmpp";
import { account, serverOrSkip } from "../support/servers";
import { parseStanza } from "../support/xml";

const SERVICES = (type?: string) =>
  `<iq type='get' id='q1' to='localhost'><services xmlns='urn:xmpp:extdisco:2'${type ? ` type='${type}'` : ""}/></iq>`;

async function services(server: RawServer & { users: { user: string; password: string }[] }, type?: string): Promise<ExtdiscoReply> {
  const { jid, password } = account(server as never);
  const text = await askOneIq(server, jid.split("@")[0]!, password, SERVICES(type));
  return parseExtdisco(parseStanza(text), "127.0.0.1");
}

async function allocateAndRelease(reply: ExtdiscoReply, host: string, port: number) {
  const turn = reply.services.find((s) => s.type === "turn" && s.transport === "udp" && s.host === host && s.port === port);
  assert.ok(turn, `a udp TURN entry for ${host}:${port} in ${JSON.stringify(reply.services)}`);
  const credentials = reply.credentialsFor(turn);
  assert.ok(credentials, "TURN entry with credentials");
  const { socket, close } = await openUdpSocket("127.0.0.1");
  try {
    const allocation = await turnAllocate(socket, { ip: host, port }, credentials, { deadline: Date.now() + 5000 });
    assert.equal(allocation.relayed.ip, "127.0.0.1");
    assert.deepEqual(await allocation.release({ deadline: Date.now() + 5000 }), { ok: true });
  } finally {
    close();
  }
}

test("ejabberd: its XEP-0215 reply names its STUN/TURN listener, and its TURN credentials allocate", async (t) => {
  const server = await serverOrSkip(t, "ejabberd");
  if (!server) return;
  const info = server.describe();
  const stunPort = info.kind === "ejabberd" ? info.stunPort! : 0;
  const stunOnly = await services(server, "stun");
  assert.ok(stunOnly.services.length > 0 && stunOnly.services.every((s) => s.type === "stun" && !s.hasCredentials), JSON.stringify(stunOnly.services));
  const stun = stunOnly.services.find((s) => s.transport === "udp")!;
  assert.deepEqual([stun.host, stun.port, stun.flags], ["127.0.0.1", stunPort, []]);
  const { socket, local, close } = await openUdpSocket("127.0.0.1");
  try {
    const binding = await stunBinding(socket, { ip: stun.host, port: stun.port }, { deadline: Date.now() + 5000 });
    assert.deepEqual({ ip: binding.mapped.ip, port: binding.mapped.port }, local);
  } finally {
    close();
  }
  const all = await services(server);
  assert.ok(all.services.some((s) => s.type === "turn" && s.restricted), "TURN is announced restricted");
  await allocateAndRelease(all, "127.0.0.1", stunPort);
});

describe("Prosody with mod_turn_external pointing at coturn", { skip: prosodyUnavailable() ?? coturnUnavailable() }, () => {
  let coturn: Coturn | undefined;
  let prosody: OwnedXmppServer | undefined;
  after(async () => {
    await prosody?.stop();
    await coturn?.stop();
  });

  test("its XEP-0215 reply carries coturn with REST credentials that coturn accepts", async () => {
    const secret = randomBytes(16).toString("hex");
    const port = await freeUdpPorts(["127.0.0.1", "127.0.0.2"], 2);
    coturn = await startCoturn({ secret, port });
    prosody = await startProsody({ turn: { secret, host: "127.0.0.1", port }, users: [{ user: "alice", password: randomBytes(9).toString("hex") }] });
    const all = await services(prosody);
    assert.deepEqual(
      all.services.map((s) => `${s.type}/${s.transport} ${s.host}:${s.port}${s.hasCredentials ? " creds" : ""}${s.restricted ? " restricted" : ""}`).sort(),
      [`stun/tcp 127.0.0.1:${port}`, `stun/udp 127.0.0.1:${port}`, `turn/tcp 127.0.0.1:${port} creds restricted`, `turn/udp 127.0.0.1:${port} creds restricted`],
    );
    assert.ok(all.services.find((s) => s.type === "turn")!.expires, "extdisco:2 expires");
    await allocateAndRelease(all, "127.0.0.1", port);
    const stunOnly = await services(prosody, "stun");
    assert.ok(stunOnly.services.every((s) => s.type === "stun" && !s.hasCredentials));
  });
});
