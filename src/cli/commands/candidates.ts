// xmpp-sic candidates: one session (core gatherFromServer), then the candidate list as JSON or as
// a ready-to-paste Jingle transport. TURN allocations are released inside the core before this
// prints; TURN credentials never reach this file.
import { randomBytes } from "node:crypto";
import { candidateJson, gatherFromServer, iceCredentials, iceUdpTransport, s5bTransport, SicError, type CandidatesResult } from "../../core";
import { withConnection } from "../connection";
import { jsonLine, terminalText } from "../format";
import { udpJson } from "../udpFormat";
import type { CandidatesCommand } from "./candidatesArgs";

export function runCandidates(command: CandidatesCommand): Promise<number> {
  return withConnection(command, async (connection) => {
    const result = await gatherFromServer({
      ...connection,
      ...(command.family === "ipv4" ? { family: "IPv4" as const } : command.family === "ipv6" ? { family: "IPv6" as const } : {}),
      ...(command.s5bPort !== undefined ? { s5bPort: command.s5bPort } : {}),
      turn: command.turn,
    });
    process.stdout.write(output(command, result));
    return 0;
  });
}

function output(command: CandidatesCommand, result: CandidatesResult): string {
  if (command.format === "ice") return terminalText(iceUdpTransport(result.candidates, iceCredentials()).toString()) + "\n";
  if (command.format === "s5b") return s5bText(result, randomBytes(8).toString("hex"));
  return jsonLine({
    ok: true,
    candidates: result.candidates.map(candidateJson),
    udp: result.udp ? udpJson(result.udp) : null,
    ...(result.relayError ? { relayError: result.relayError } : {}),
    ...(result.proxyNotes.length > 0 ? { proxyNotes: result.proxyNotes } : {}),
  });
}

/**
 * The Jingle SOCKS5 transport. Without --s5b-port only the server's XEP-0065 proxies can fill it;
 * none at all is not a transport worth pasting, so it is an error that says what would help.
 */
export function s5bText(result: CandidatesResult, sid: string): string {
  const transport = s5bTransport(result.candidates, { sid, jid: result.boundJid });
  if (transport.getChildren("candidate").length === 0) {
    throw new SicError(
      "unsupported",
      "No SOCKS5 candidate to offer: the server lists no XEP-0065 proxy. Pass --s5b-port PORT (the port your client accepts SOCKS5 connections on) for direct and assisted candidates.",
    );
  }
  return terminalText(transport.toString()) + "\n";
}
