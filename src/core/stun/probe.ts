// The UDP picture from one socket (RFC 4787 wants one source for every destination): a Binding to
// every STUN server given, at once; then, where a server speaks RFC 5780, its other IP on the same
// port (test II) and its other IP and port (test III), so the mapping function can tell the kinds
// apart. Failures are kept per destination: one silent server neither sinks nor delays the others.
import type { Socket } from "node:dgram";
import { SicError, type ErrorCode } from "../errors";
import { normaliseIp } from "../ip";
import type { TransportAddress } from "./attributes/address";
import { stunBinding, type BindingResult } from "./binding";
import type { Endpoint, TransactionOptions } from "./transaction";

export type BindingOutcome =
  | ({ ok: true } & BindingResult)
  | { ok: false; server: Endpoint; error: { code: ErrorCode; message: string } };

/** Test II and III destinations; none when OTHER-ADDRESS names the IP asked (coturn asked at its second IP). */
export function rfc5780Destinations(asked: Endpoint, other: TransportAddress | undefined): Endpoint[] {
  if (!other || other.port === 0 || normaliseIp(other.ip) === normaliseIp(asked.ip)) return [];
  if (other.ip.includes(":") !== asked.ip.includes(":")) return [];
  const ip = normaliseIp(other.ip);
  return [{ ip, port: asked.port }, ...(other.port !== asked.port ? [{ ip, port: other.port }] : [])];
}

async function outcome(socket: Socket, server: Endpoint, options: TransactionOptions): Promise<BindingOutcome> {
  try {
    return { ok: true, ...(await stunBinding(socket, server, options)) };
  } catch (e) {
    const error = e instanceof SicError ? e : new SicError("bad-reply", "The STUN exchange failed unexpectedly.", { cause: e });
    if (error.code === "cancelled") throw error;
    return { ok: false, server, error: { code: error.code, message: error.message } };
  }
}

/** Every server at once; each one's RFC 5780 destinations as soon as its own answer names them. */
export async function probeMapping(socket: Socket, servers: readonly Endpoint[], options: TransactionOptions): Promise<BindingOutcome[]> {
  const key = (e: Endpoint) => `${normaliseIp(e.ip)}|${e.port}`;
  const asked = new Set(servers.map(key));
  const groups = await Promise.all(
    servers.map(async (server) => {
      const first = await outcome(socket, server, options);
      if (!first.ok) return [first];
      const extra = rfc5780Destinations(first.server, first.otherAddress).filter((e) => !asked.has(key(e)));
      extra.forEach((e) => asked.add(key(e)));
      return [first, ...(await Promise.all(extra.map((e) => outcome(socket, e, options))))];
    }),
  );
  return groups.flat();
}
