// The candidates a finished check implies, for shells that keep only its CheckResult (the VS Code
// extension's stored outcome): the UDP socket's own address (host) and each address a STUN server
// saw (srflx), as candidatesCheck.ts would gather them on that socket; given the port a client
// accepts SOCKS5 connections on, XEP-0260 direct and assisted candidates too. Never a relay: a
// check does not allocate TURN. Pure: this machine's interfaces are passed in.
import type { CheckResult } from "../check";
import { gatherCandidates, type Candidate } from "./gather";

export interface FromCheckOptions {
  /** This machine's interface addresses (SOCKS5 direct candidates). */
  interfaces?: readonly string[];
  /** The port this client would accept direct SOCKS5 connections on. */
  s5bPort?: number;
}

export function candidatesOfCheck(result: CheckResult, options: FromCheckOptions = {}): Candidate[] {
  const answered = (result.udp?.bindings ?? []).flatMap((b) => ("mapped" in b ? [b] : []));
  // Every Binding left from the one socket; without an answer its port was not recorded.
  const local = answered[0]?.local;
  return gatherCandidates({
    interfaces: options.interfaces ?? [],
    ...(local ? { udp: { local, bindings: answered.map((b) => ({ server: { ip: b.server.ip, port: b.server.port }, mapped: b.mapped })), relays: [] } } : {}),
    tcp: { local: result.local, seen: { ip: result.address.ip, port: result.address.port } },
    ...(options.s5bPort !== undefined ? { s5bPort: options.s5bPort } : {}),
  });
}

/** A candidate as `xmpp-sic candidates --format json` prints it. */
export function candidateJson(c: Candidate): object {
  return { type: c.type, protocol: c.protocol, ip: c.ip, port: c.port, priority: c.priority, foundation: c.foundation, via: c.via ?? null };
}
