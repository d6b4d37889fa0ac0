// The namespace NAT test bed that the UDP tests share: a client, a router that NATs with nftables
// on its outer side, and a server namespace with two addresses (so RFC 5780 finds a second IP).
//
//   client 192.0.2.10 ── router 192.0.2.1 | 198.51.100.1 (nft) ── server 198.51.100.10 + .20
import type { Lab } from "../../scripts/testbed/netns";

export const CLIENT = "192.0.2.10";
export const ROUTER_OUTER = "198.51.100.1";
export const SERVER_IPS: [string, string] = ["198.51.100.10", "198.51.100.20"];

export interface NatLab {
  client: string;
  router: string;
  serverNs: string;
  /** The router's interface towards the server: where NAT happens. */
  outer: string;
}

/** Builds the namespaces in `lab` (created by the caller first, so that its cleanup covers a half-built lab). */
export async function natLab(lab: Lab): Promise<NatLab> {
  const client = await lab.namespace("client");
  const router = await lab.namespace("router");
  const serverNs = await lab.namespace("server");
  await lab.link(client, [`${CLIENT}/24`], router, ["192.0.2.1/24"]);
  const [routerSide] = await lab.link(router, [`${ROUTER_OUTER}/24`], serverNs, SERVER_IPS.map((ip) => `${ip}/24`));
  await lab.defaultRoutes(client, { ipv4: "192.0.2.1" });
  await lab.defaultRoutes(serverNs, { ipv4: ROUTER_OUTER });
  await lab.sysctl(router, "net.ipv4.ip_forward=1");
  await lab.sysctl(client, "net.ipv4.ip_local_port_range=50000 60000");
  return { client, router, serverNs, outer: routerSide.name };
}

/** An nftables ruleset that applies `how` (e.g. "masquerade", "masquerade fully-random") on the outer side. */
export const natRules = (outer: string, how: string) => `
table ip xsic_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${outer}" ${how}
  }
}`;
