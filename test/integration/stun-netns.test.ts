// UDP mapping behaviour through real NATs: the STUN client in a client namespace, a router
// namespace that masquerades with nftables, and a real coturn with two addresses in the server
// namespace (so RFC 5780's OTHER-ADDRESS gives three destinations: two IPs, two ports).
//
//   client 192.0.2.10 ── router 192.0.2.1 | 198.51.100.1 (nft masquerade) ── server 198.51.100.10 + .20: coturn 3478/3479
//
// The probe runs inside the client namespace as this same file, re-executed with XSIC_STUN_PROBE
// set; it prints what the servers saw as JSON, and the mapping function is judged here.
// Needs root, iproute2, nftables and coturn; otherwise each test is skipped with the reason.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { coturnUnavailable, startCoturn, type Coturn } from "../../scripts/testbed/coturn";
import { IP, Lab, netnsUnavailable } from "../../scripts/testbed/netns";
import { mappingBehaviour, type MappingEvidence } from "../../src/core/candidates/mapping";
import { probeMapping } from "../../src/core/stun/probe";
import { openUdpSocket } from "../../src/core/stun/socket";
import { turnAllocate } from "../../src/core/stun/turn";
import { CLIENT, natLab, natRules, ROUTER_OUTER, SERVER_IPS } from "../support/natLab";

const PROBE_ENV = "XSIC_STUN_PROBE";

interface ProbeInput {
  primary: { ip: string; port: number };
  turn?: { username: string; password: string };
}
interface ProbeOutput {
  local: { ip: string; port: number };
  bindings: MappingEvidence["bindings"];
  relay?: { relayed: { ip: string; port: number }; mapped?: { ip: string; port: number }; released: boolean };
}

/** Inside the client namespace: one fresh socket, Bindings to every RFC 5780 destination, TURN if asked. */
async function probe(input: ProbeInput): Promise<ProbeOutput> {
  const { socket, local, close } = await openUdpSocket(CLIENT);
  const options = () => ({ deadline: Date.now() + 5000 });
  try {
    const outcomes = await probeMapping(socket, [input.primary], options());
    const bindings = outcomes.map((b) => ({ server: b.server, mapped: b.ok ? { ip: b.mapped.ip, port: b.mapped.port } : null }));
    const out: ProbeOutput = { local, bindings };
    if (input.turn) {
      const allocation = await turnAllocate(socket, input.primary, input.turn, options());
      const released = await allocation.release(options());
      out.relay = { relayed: allocation.relayed, ...(allocation.mapped && { mapped: allocation.mapped }), released: released.ok };
    }
    return out;
  } finally {
    close();
  }
}

if (process.env[PROBE_ENV]) {
  probe(JSON.parse(process.env[PROBE_ENV]!) as ProbeInput).then(
    (out) => process.stdout.write(JSON.stringify(out)),
    (e: unknown) => {
      process.stderr.write(String(e));
      process.exitCode = 1;
    },
  );
} else {
  const skip = netnsUnavailable() ?? coturnUnavailable();

  describe("UDP mapping behaviour through real NATs (network namespaces)", { skip }, () => {
    let lab: Lab | undefined;
    let coturn: Coturn | undefined;
    let client = "";
    let router = "";
    let outer = "";
    const killAll = () => {
      coturn?.kill();
      lab?.destroySync();
    };

    before(async () => {
      process.once("exit", killAll);
      let serverNs = "";
      lab = Lab.create();
      ({ client, router, serverNs, outer } = await natLab(lab));
      coturn = await startCoturn({ ips: SERVER_IPS, netns: serverNs });
    });

    after(async () => {
      try {
        await coturn?.stop();
      } finally {
        await lab?.destroy();
        process.off("exit", killAll);
      }
    });

    const nat = (how: string) => natRules(outer, how);

    function runProbe(input: Omit<ProbeInput, "primary">): Promise<ProbeOutput> {
      const env = { ...process.env, [PROBE_ENV]: JSON.stringify({ primary: { ip: SERVER_IPS[0], port: coturn!.port }, ...input }) };
      return new Promise((resolve, reject) => {
        execFile(IP, ["netns", "exec", client, process.execPath, __filename], { env, timeout: 30_000 }, (error, stdout, stderr) => {
          if (error) reject(new Error(`probe failed: ${error.message}\n${stderr}`));
          else resolve(JSON.parse(stdout) as ProbeOutput);
        });
      });
    }

    test("masquerade: endpoint-independent towards three destinations, port kept, peer-to-peer likely", async () => {
      await lab!.nftables(router, nat("masquerade"));
      const out = await runProbe({});
      assert.equal(out.bindings.length, 3, "OTHER-ADDRESS gave the second IP and the other port");
      for (const b of out.bindings) assert.deepEqual(b.mapped, { ip: ROUTER_OUTER, port: out.local.port });
      const report = mappingBehaviour({ local: out.local, bindings: out.bindings, tcpSeen: { ip: ROUTER_OUTER, port: null } });
      assert.equal(report.behaviour, "endpoint-independent");
      assert.equal(report.case, "same-mapping-everywhere");
      assert.equal(report.portPreserved, true);
      assert.equal(report.sameNatAsTcp, true);
      assert.equal(report.verdict, "peer-to-peer UDP likely works");
    });

    test("masquerade fully-random: a new outer port per destination, needs a relay", async () => {
      await lab!.nftables(router, nat("masquerade fully-random"));
      const out = await runProbe({});
      assert.equal(out.bindings.length, 3);
      assert.equal(new Set(out.bindings.map((b) => b.mapped!.port)).size, 3, JSON.stringify(out.bindings));
      const report = mappingBehaviour({ local: out.local, bindings: out.bindings });
      assert.ok(["destination-dependent", "address-dependent", "address-and-port-dependent"].includes(report.behaviour), report.behaviour);
      // Two ports of one server IP are among the destinations, so the finer kind is known.
      assert.equal(report.behaviour, "address-and-port-dependent");
      assert.equal(report.verdict, "needs a relay");
      assert.equal(report.portPreserved, false);
    });

    test("TURN through the NAT: a relayed address on the server's side, mapped to the router, released", async () => {
      await lab!.nftables(router, nat("masquerade"));
      const out = await runProbe({ turn: coturn!.credentials() });
      assert.ok(out.relay, "allocation made");
      assert.ok(SERVER_IPS.includes(out.relay.relayed.ip), out.relay.relayed.ip);
      assert.equal(out.relay.mapped?.ip, ROUTER_OUTER);
      assert.equal(out.relay.released, true);
    });
  });
}
