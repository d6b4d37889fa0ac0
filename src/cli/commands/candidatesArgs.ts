// The options only `xmpp-sic candidates` takes, checked like the rest of args.ts (pure).
import { SicError } from "../../core";
import { wholeNumber, type CheckCommand } from "../args";

export const CANDIDATES_OPTIONS = {
  turn: { type: "boolean", default: false },
  format: { type: "string" },
  "s5b-port": { type: "string" },
} as const;

export const CANDIDATE_FORMATS = ["json", "ice", "s5b"] as const;
export type CandidateFormat = (typeof CANDIDATE_FORMATS)[number];

export interface CandidatesCommand extends Omit<CheckCommand, "command" | "udp"> {
  command: "candidates";
  turn: boolean;
  format: CandidateFormat;
  s5bPort?: number;
}

export const CANDIDATES_USAGE = `
Usage: xmpp-sic candidates <jid> [options] [--turn] [--format json|ice|s5b] [--s5b-port PORT]

Logs in like check, then gathers transport candidates: host (this machine's UDP socket,
bound to the XMPP connection's local address), server-reflexive UDP (a STUN Binding to
each STUN server the server announces, XEP-0215), relay (with --turn: a TURN allocation
with the server's credentials, released before exit), the server's XEP-0065 SOCKS5
proxies (disco#items, then each proxy's streamhosts) and, with --s5b-port, SOCKS5 direct
and assisted (XEP-0279) candidates on that port.

Options: the connection options of check (not --udp), and
  --turn                 also allocate a TURN relay (credentials live for this run only)
  --format FORMAT        json (default) | ice (a Jingle ICE-UDP <transport/>) |
                         s5b (a Jingle SOCKS5 <transport/>: the server's proxies,
                         and with --s5b-port direct and assisted candidates too)
  --s5b-port PORT        the port your client would accept SOCKS5 connections on

Exit status: 0 candidates printed, 1 failed, 2 usage error, 130 cancelled.
`;

type Values = { turn?: boolean | undefined; format?: string | undefined; "s5b-port"?: string | undefined; udp?: string | undefined };

export function candidatesCommand(check: CheckCommand, values: Values): CandidatesCommand {
  const { command: _check, udp: _udp, ...connection } = check;
  if (values.udp !== undefined) throw new SicError("usage", "--udp is an option of check; candidates always asks for STUN when the server announces it.");
  const format = values.format ?? "json";
  if (!(CANDIDATE_FORMATS as readonly string[]).includes(format)) {
    throw new SicError("usage", `--format must be one of ${CANDIDATE_FORMATS.join(", ")}, not "${format.slice(0, 16)}".`);
  }
  const s5bPort = values["s5b-port"] === undefined ? undefined : wholeNumber(values["s5b-port"], "--s5b-port", 1, 65535);
  return { ...connection, command: "candidates", turn: values.turn ?? false, format: format as CandidateFormat, ...(s5bPort !== undefined ? { s5bPort } : {}) };
}
