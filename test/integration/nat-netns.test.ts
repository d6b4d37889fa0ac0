// The NAT hint through real NATs: test hosts of our own in network namespaces, a router that
// routes, masquerades or SNATs with nftables, a real Prosody in the server namespace, and the
// built CLI run inside the client namespace as a user would run it.
//
//   client 192.0.2.10, 2001:db8:1::10
//     │  veth
//   router 192.0.2.1 | 198.51.100.1, 2001:db8:1::1 | 2001:db8:2::1   (nftables NAT on the outer side)
//     │  veth
//   server 198.51.100.10, 2001:db8:2::10 (+ its own loopback): Prosody on 5222 / 5223
//
// Only documentation ranges are assigned, nothing is routed anywhere else, and DNS inside the
// namespaces points at their own loopback. Needs root, iproute2, nftables and Prosody with
// mod_ipcheck; without them the tests are reported skipped with the reason.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { IP, Lab, netnsUnavailable } from "../../scripts/testbed/netns";
import { prosodyUnavailable, startProsody } from "../../scripts/testbed/prosody";
import type { OwnedXmppServer } from "../../scripts/testbed/types";
import { runCli, type CliRun } from "../support/cli";
import { account } from "../support/servers";

const CLIENT_V4 = "192.0.2.10";
const CLIENT_V6 = "2001:db8:1::10";
const ROUTER_OUTER_V4 = "198.51.100.1";
const SERVER_V4 = "198.51.100.10";
const SERVER_V6 = "2001:db8:2::10";
/** Known to the client namespace's hosts file only, with both of the server's addresses. */
const SERVER_NAME = "xmpp.example.test";
/** The client's ephemeral ports, kept away from the SNAT range so a rewrite is always visible. */
const CLIENT_PORTS = [50000, 60000] as const;
const SNAT_PORTS = [40000, 40100] as const;

const skip = netnsUnavailable() ?? prosodyUnavailable();

/** The built CLI inside a namespace, password from the environment. */
function cliIn(netns: string, args: string[], password: string): Promise<CliRun> {
  return runCli(args, { via: [IP, "netns", "exec", netns], env: { XMPP_PASSWORD: password } });
}

function json(run: CliRun) {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Each test skipped on its own, with the reason, so the runner counts them as skipped. */
const netTest = (name: string, fn: () => Promise<void>) => test(name, skip ? { skip } : {}, fn);

describe("the NAT hint through real NATs (network namespaces)", () => {
  let lab: Lab | undefined;
  let server: OwnedXmppServer | undefined;
  let client = "";
  let router = "";
  let serverNs = "";
  /** The router's interface towards the server: where NAT happens. */
  let outer = "";

  // Should the process end before `after` runs: the server first, then the namespaces it was in.
  const killAll = () => {
    server?.kill();
    lab?.destroySync();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killAll();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };

  before(async () => {
    if (skip) return;
    process.once("exit", killAll);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    lab = Lab.create();
    client = await lab.namespace("client", [`${SERVER_V4} ${SERVER_NAME}`, `${SERVER_V6} ${SERVER_NAME}`]);
    router = await lab.namespace("router");
    serverNs = await lab.namespace("server");
    await lab.link(client, [`${CLIENT_V4}/24`, `${CLIENT_V6}/64`], router, ["192.0.2.1/24", "2001:db8:1::1/64"]);
    const [routerSide] = await lab.link(router, [`${ROUTER_OUTER_V4}/24`, "2001:db8:2::1/64"], serverNs, [`${SERVER_V4}/24`, `${SERVER_V6}/64`]);
    outer = routerSide.name;
    await lab.defaultRoutes(client, { ipv4: "192.0.2.1", ipv6: "2001:db8:1::1" });
    await lab.defaultRoutes(serverNs, { ipv4: ROUTER_OUTER_V4, ipv6: "2001:db8:2::1" });
    await lab.sysctl(router, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
    await lab.sysctl(client, `net.ipv4.ip_local_port_range=${CLIENT_PORTS[0]} ${CLIENT_PORTS[1]}`);
    server = await startProsody({
      netns: serverNs,
      interfaces: [SERVER_V4, SERVER_V6, "127.0.0.1", "::1"],
      ports: { starttls: 5222, directTls: 5223 },
    });
  });

  after(async () => {
    try {
      await server?.stop();
    } finally {
      await lab?.destroy();
      process.off("exit", killAll);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });

  function checkArgs(...more: string[]): string[] {
    return ["check", account(server!).jid, "--ca", server!.certs.caFile, ...more];
  }
  const password = () => account(server!).password;

  const masquerade = (family: "ip" | "inet") => `
table ${family} xsic_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${outer}" masquerade
  }
}`;

  netTest("routed without NAT: no-nat, the server sees the client's own address and port", async () => {
    await lab!.nftables(router, "");
    const out = json(await cliIn(client, checkArgs("--host", SERVER_V4, "--json"), password()));
    assert.equal(out.ok, true);
    assert.equal(out.address.ip, CLIENT_V4);
    assert.equal(out.local.ip, CLIENT_V4);
    assert.equal(out.address.port, out.local.port);
    assert.equal(out.nat.verdict, "no-nat");
    assert.equal(out.nat.case, "same-as-socket");
    assert.equal(out.nat.portPreserved, true);
    assert.deepEqual([out.server.ip, out.server.port, out.server.found, out.server.family], [SERVER_V4, 5222, "host", "IPv4"]);
    assert.deepEqual(out.families.map((f: { family: string }) => f.family), ["IPv4"]);
  });

  netTest("masquerade: nat, the router's outer address, the port kept (Linux keeps it when it can)", async () => {
    await lab!.nftables(router, masquerade("ip"));
    const out = json(await cliIn(client, checkArgs("--host", SERVER_V4, "--json"), password()));
    assert.equal(out.nat.verdict, "nat");
    assert.equal(out.nat.case, "address-translated");
    assert.equal(out.address.ip, ROUTER_OUTER_V4);
    assert.equal(out.local.ip, CLIENT_V4);
    assert.equal(out.address.port, out.local.port);
    assert.equal(out.nat.portPreserved, true);
    assert.match(out.nat.reason, new RegExp(`The server saw ${ROUTER_OUTER_V4.replace(/\./g, "\\.")}, but this connection left from ${CLIENT_V4.replace(/\./g, "\\.")}`));
    assert.match(out.nat.reason, /The port was kept/);
  });

  netTest("SNAT to a fixed outer port range: nat, portPreserved false, the outer port from the range", async () => {
    await lab!.nftables(
      router,
      `
table ip xsic_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${outer}" meta l4proto tcp snat to ${ROUTER_OUTER_V4}:${SNAT_PORTS[0]}-${SNAT_PORTS[1]}
  }
}`,
    );
    const out = json(await cliIn(client, checkArgs("--host", SERVER_V4, "--json"), password()));
    assert.equal(out.nat.verdict, "nat");
    assert.equal(out.address.ip, ROUTER_OUTER_V4);
    assert.equal(out.nat.portPreserved, false);
    assert.ok(out.address.port >= SNAT_PORTS[0] && out.address.port <= SNAT_PORTS[1], `outer port ${out.address.port}`);
    assert.ok(out.local.port >= CLIENT_PORTS[0] && out.local.port <= CLIENT_PORTS[1], `local port ${out.local.port}`);
    assert.match(out.nat.reason, new RegExp(`rewritten \\(${out.local.port} → ${out.address.port}\\)`));
    assert.match(out.nat.reason, /offering your local port as a candidate will fail/);
  });

  netTest("dual-stack, IPv4 masqueraded and IPv6 routed: one nat and one no-nat result, JSON and text", async () => {
    await lab!.nftables(router, masquerade("ip"));
    const out = json(await cliIn(client, checkArgs("--host", SERVER_NAME, "--json"), password()));
    assert.equal(out.families.length, 2);
    const byFamily = Object.fromEntries(out.families.map((f: { family: string }) => [f.family, f]));
    assert.equal(byFamily.IPv4.ok, true);
    assert.equal(byFamily.IPv4.nat.verdict, "nat");
    assert.equal(byFamily.IPv4.address.ip, ROUTER_OUTER_V4);
    assert.equal(byFamily.IPv4.local.ip, CLIENT_V4);
    assert.equal(byFamily.IPv4.server.ip, SERVER_V4);
    assert.equal(byFamily.IPv6.ok, true);
    assert.equal(byFamily.IPv6.nat.verdict, "no-nat");
    assert.equal(byFamily.IPv6.address.ip, CLIENT_V6);
    assert.equal(byFamily.IPv6.address.port, byFamily.IPv6.local.port);
    assert.equal(byFamily.IPv6.server.ip, SERVER_V6);
    // The top level is the primary family's result, in the single-check shape.
    const primary = out.families[0];
    assert.equal(out.server.family, primary.family);
    assert.deepEqual(out.address, primary.address);
    assert.equal(out.nat.verdict, primary.nat.verdict);

    const text = await cliIn(client, checkArgs("--host", SERVER_NAME), password());
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^IPv4( \\(primary\\))?:\\n  External address  198\\.51\\.100\\.1:\\d+  \\(IPv4, reserved\\)\\n  Local address     192\\.0\\.2\\.10:\\d+\\n  NAT               behind NAT — `, "m"));
    assert.match(text.stdout, new RegExp(`^IPv6( \\(primary\\))?:\\n  External address  \\[2001:db8:1::10\\]:\\d+  \\(IPv6, reserved\\)\\n  Local address     \\[2001:db8:1::10\\]:\\d+\\n  NAT               no NAT — `, "m"));
    assert.equal(text.stdout.match(/\(primary\)/g)?.length, 1);

    const only = json(await cliIn(client, checkArgs("--host", SERVER_NAME, "--family", "ipv6", "--json"), password()));
    assert.deepEqual(only.families.map((f: { family: string }) => f.family), ["IPv6"]);
    assert.equal(only.nat.verdict, "no-nat");
  });

  netTest("--family both where the host has only IPv4: IPv4 works, IPv6 is reported failed, exit 0", async () => {
    await lab!.nftables(router, "");
    const out = json(await cliIn(client, checkArgs("--host", SERVER_V4, "--family", "both", "--json"), password()));
    assert.equal(out.ok, true);
    assert.equal(out.address.ip, CLIENT_V4);
    const v6 = out.families.find((f: { family: string }) => f.family === "IPv6");
    assert.equal(v6.ok, false);
    assert.equal(v6.error.code, "connect");
    assert.match(v6.error.message, /198\.51\.100\.10 has no IPv6 address/);
  });

  netTest("no host and no SRV for the domain: the domain itself on 5222, both families (server-side loopback wording)", async () => {
    // Run inside the server's namespace, where "localhost" is that namespace's own loopback and
    // Prosody listens there too. localhost names never go to DNS (RFC 6761), so no query is sent.
    const out = json(await cliIn(serverNs, checkArgs("--json"), password()));
    assert.deepEqual([out.server.found, out.server.host, out.server.port, out.server.tls], ["fallback", "localhost", 5222, "starttls"]);
    assert.deepEqual(out.families.map((f: { family: string; ok: boolean }) => [f.family, f.ok]).sort(), [["IPv4", true], ["IPv6", true]]);
    for (const f of out.families) {
      assert.equal(f.nat.verdict, "no-nat");
      assert.match(f.nat.reason, /loopback address: the server runs on this machine; it is not reachable from the internet/);
    }
  });
});
