// Free UDP ports for the test bed's STUN/TURN listeners (ports.ts finds TCP ones).
import { createSocket } from "node:dgram";

export function udpPortFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(ip.includes(":") ? "udp6" : "udp4");
    socket.once("error", () => resolve(false));
    socket.bind({ address: ip, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** A port p such that p .. p + span - 1 are free for UDP on every IP. */
export async function freeUdpPorts(ips: readonly string[], span = 1): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + span * Math.floor((Math.random() * 20000) / span);
    let free = true;
    for (const ip of ips) for (let p = port; p < port + span && free; p++) free = await udpPortFree(ip, p);
    if (free) return port;
  }
  throw new Error("no free UDP ports found");
}
