// Stage 1, dial: a TCP connection to the first target that answers (dial.ts: SRV order, happy
// eyeballs), and the refusal of plaintext to anything but loopback, checked against the address
// actually reached.
import type net from "node:net";
import { connectTargets } from "../../dial";
import { SicError } from "../../errors";
import { parseIp, type Family } from "../../ip";
import type { Resolver, Target } from "../../resolve";
import { prepareTrust, type TlsTrust } from "../../tls";

export interface Endpoint {
  ip: string;
  port: number;
}

export interface Dialed {
  socket: net.Socket;
  /** The target that answered, and the family of the address it was reached at. */
  target: Target;
  family: Family;
  local: Endpoint;
  remote: Endpoint;
}

export async function dialStage(
  input: { targets: Target[]; resolver: Resolver; family?: Family; connectBudgetMs?: number; trust: TlsTrust },
  signal: AbortSignal,
): Promise<Dialed> {
  const dialing = connectTargets(input.targets, input.resolver, input.family, signal, input.connectBudgetMs);
  // After the dial has started (its first steps run as microtasks), while the network works.
  setImmediate(() => prepareTrust(input.trust));
  const { socket, target, address } = await dialing;
  const local = endpoint(socket.localAddress, socket.localPort);
  const remote = endpoint(socket.remoteAddress, socket.remotePort);
  if (target.tls === "none" && parseIp(remote.ip)?.range !== "loopback") {
    socket.destroy();
    throw new SicError("usage", `Unencrypted connections are only allowed to a loopback address; ${target.host} is ${remote.ip}.`);
  }
  return { socket, target, family: address.family === 6 ? "IPv6" : "IPv4", local, remote };
}

function endpoint(ip: string | undefined, port: number | undefined): Endpoint {
  return { ip: ip ? (parseIp(ip)?.ip ?? ip) : "unknown", port: port ?? 0 };
}
