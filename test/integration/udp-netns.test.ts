// The whole check through real NATs: Prosody (mod_ipcheck + mod_turn_external) and coturn (two
// addresses, RFC 5780) in a server namespace, a router namespace that masquerades with nftables,
// and the built CLI in the client namespace: `xmpp-sic check --json` must report the UDP mapping
// behaviour and verdict for each NAT kind, and UDP leaving through the same NAT as TCP.
//
//   client 192.0.2.10 ── router 192.0.2.1 | 198.51.100.1 (nft) ── server 198.51.100.10 + .20: Prosody 5222, coturn 3478/3479
//
// Needs root, iproute2, nftables, Prosody and coturn; otherwise each test is skipped with the reason.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { coturnUnavailable, startCoturn, type Coturn } from "../../scripts/testbed/coturn";
import { IP, Lab, netnsUnavailable } from "../../scripts/testbed/netns";
import { prosodyUnavailable, startProsody } from "../../scripts/testbed/prosody";
import type { OwnedXmppServer } from "../../scripts/testbed/types";
import { runCli } from "../support/cli";
import { CLIENT, natLab, natRules, ROUTER_OUTER, SERVER_IPS } from "../support/natLab";
import { account } from "../support/servers";

const STUN_PORT = 3478;

const skip = netnsUnavailable() ?? prosodyUnavailable() ?? coturnUnavailable();

describe("check's UDP picture through real NATs (network namespaces)", { skip }, () => {
  let lab: Lab | undefined;
  let coturn: Coturn | undefined;
  let server: OwnedXmppServer | undefined;
  let client = "";
  let router = "";
  let outer = "";
  const killAll = () => {
    server?.kill();
    coturn?.kill();
    lab?.destroySync();
  };

  before(async () => {
    process.once("exit", killAll);
    lab = Lab.create();
    let serverNs = "";
    ({ client, router, serverNs, outer } = await natLab(lab));
    const secret = randomBytes(16).toString("hex");
    coturn = await startCoturn({ ips: SERVER_IPS, netns: serverNs, secret, port: STUN_PORT });
    server = await startProsody({
      netns: serverNs,
      interfaces: [SERVER_IPS[0], "127.0.0.1"],
      ports: { starttls: 5222, directTls: 5223 },
      turn: { secret, host: SERVER_IPS[0], port: STUN_PORT },
    });
  });

  after(async () => {
    try {
      await server?.stop();
      await coturn?.stop();
    } finally {
      await lab?.destroy();
      process.off("exit", killAll);
    }
  });

  const nat = (how: string) => natRules(outer, how);

  async function checkJson() {
    const args = ["check", account(server!).jid, "--ca", server!.certs.caFile, "--host", SERVER_IPS[0], "--json", "--udp", "on", "--step-by-step"];
    const run = await runCli(args, { via: [IP, "netns", "exec", client], env: { XMPP_PASSWORD: account(server!).password } });
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    return JSON.parse(run.stdout);
  }

  test("masquerade: endpoint-independent, port kept, the same NAT as TCP, peer-to-peer likely", async () => {
    await lab!.nftables(router, nat("masquerade"));
    const out = await checkJson();
    assert.equal(out.address.ip, ROUTER_OUTER);
    const ok = out.udp.bindings.filter((b: { mapped?: unknown }) => b.mapped);
    assert.equal(ok.length, 3, JSON.stringify(out.udp.bindings));
    for (const b of ok) {
      assert.equal(b.local.ip, CLIENT, "the UDP socket is bound to the TCP connection's local address");
      assert.deepEqual(b.mapped, { ip: ROUTER_OUTER, port: b.local.port });
    }
    assert.equal(out.udp.mapping.behaviour, "endpoint-independent");
    assert.equal(out.udp.mapping.portPreserved, true);
    assert.equal(out.udp.mapping.sameNatAsTcp, true);
    assert.equal(out.udp.mapping.verdict, "peer-to-peer UDP likely works");
  });

  test("masquerade fully-random: a new outer port per destination, needs a relay", async () => {
    await lab!.nftables(router, nat("masquerade fully-random"));
    const out = await checkJson();
    const ok = out.udp.bindings.filter((b: { mapped?: unknown }) => b.mapped);
    assert.equal(ok.length, 3, JSON.stringify(out.udp.bindings));
    assert.equal(new Set(ok.map((b: { mapped: { port: number } }) => b.mapped.port)).size, 3);
    assert.equal(out.udp.mapping.behaviour, "address-and-port-dependent");
    assert.equal(out.udp.mapping.portPreserved, false);
    assert.equal(out.udp.mapping.sameNatAsTcp, true);
    assert.equal(out.udp.mapping.verdict, "needs a relay");
  });

  test("candidates --turn through masquerade: srflx at the router, a relay on the server's side, released", async () => {
    await lab!.nftables(router, nat("masquerade"));
    const args = ["candidates", account(server!).jid, "--ca", server!.certs.caFile, "--host", SERVER_IPS[0], "--turn", "--step-by-step"];
    const run = await runCli(args, { via: [IP, "netns", "exec", client], env: { XMPP_PASSWORD: account(server!).password } });
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    const out = JSON.parse(run.stdout);
    const of = (type: string) => out.candidates.filter((c: { type: string }) => c.type === type);
    assert.deepEqual(of("host").map((c: { ip: string }) => c.ip), [CLIENT]);
    assert.ok(of("srflx").length >= 1 && of("srflx").every((c: { ip: string }) => c.ip === ROUTER_OUTER), run.stdout);
    assert.equal(of("relay").length, 1, run.stdout);
    assert.ok(SERVER_IPS.includes(of("relay")[0].ip), run.stdout);
    // Released before exit: coturn logs the deletion of the allocation (refresh with lifetime 0).
    assert.match(coturn!.logText(), /refreshed[^\n]*lifetime=0/);
  });
});
