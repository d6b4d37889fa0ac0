// The options only `xmpp-sic send` and `xmpp-sic console` take, checked like the rest of args.ts: pure, so every usage
// error is testable without a network.
import { SicError } from "../../core";
import { wholeNumber, type CheckCommand, type ConsoleCommand, type SendCommand } from "../args";

export const SEND_OPTIONS = {
  file: { type: "string" },
  wait: { type: "string" },
  presence: { type: "boolean", default: false },
} as const;

export const SEND_USAGE = `
Usage: xmpp-sic send <jid> [options] [--file FILE] [--wait MS] [--presence]

Logs in and sends the <iq>, <message> and <presence> stanzas in FILE (default: standard
input), waits for each iq's result or error (up to --timeout), then prints each reply.
Malformed XML, stream/SASL/TLS/bind elements or the password in a stanza: nothing is sent.

Options: the connection options above (--family ipv4 or ipv6 only; no --sic), and
  --file FILE            read the stanzas from FILE instead of standard input
  --wait MS              also wait MS for an error bounced back for a message or presence
  --presence             send initial presence first (default: stay offline)
  --json                 one JSON line per sent stanza: sent, id, reply, type, condition, latencyMs

With stanzas on standard input the password must come from XMPP_PASSWORD or a prompt.
Exit status: 0 every iq got a result, 1 an error or no reply, 2 usage error, 130 cancelled.

Usage: xmpp-sic console <jid> [connection options] [--presence]

An interactive XML console: type stanzas (sent once the element is complete, over as many
lines as it takes); replies are paired with their requests, everything received is shown
as it arrives. /help, /templates, /send TEMPLATE, /quit. History: ~/.cache/xmpp-sic/.
`;

type Values = { file?: string | undefined; wait?: string | undefined; presence?: boolean | undefined; sic?: string | undefined };

export function sendCommand(check: CheckCommand, values: Values): SendCommand {
  const { command: _check, protocol: _protocol, udp: _udp, ...connection } = check;
  if (values.sic !== undefined) throw new SicError("usage", "--sic is for check; send sends only the stanzas you give it.");
  if (connection.family === "both") throw new SicError("usage", "send uses one connection: --family must be ipv4 or ipv6, not both.");
  if (connection.passwordStdin && values.file === undefined) {
    throw new SicError(
      "usage",
      "--password-stdin cannot be combined with stanzas on standard input: give the stanzas with --file, or the password with XMPP_PASSWORD.",
    );
  }
  return {
    ...connection,
    command: "send",
    ...(values.file !== undefined ? { file: values.file } : {}),
    waitMs: values.wait === undefined ? 0 : wholeNumber(values.wait, "--wait", 0, 3_600_000),
    presence: values.presence ?? false,
  };
}

export function consoleCommand(check: CheckCommand, values: Values): ConsoleCommand {
  if (values.file !== undefined || values.wait !== undefined) throw new SicError("usage", "--file and --wait are options of send, not of console.");
  if (check.passwordStdin) throw new SicError("usage", "The console reads standard input itself: give the password with XMPP_PASSWORD or at the prompt.");
  if (check.json) throw new SicError("usage", "The console prints for a person; use send --json for scripts.");
  const { command: _send, waitMs: _wait, ...connection } = sendCommand(check, values);
  return { ...connection, command: "console" };
}

/** check takes none of send's options: say so rather than ignore them. */
export function refuseSendOptions(check: CheckCommand, values: Values): CheckCommand {
  const given = (["file", "wait", "presence"] as const).find((k) => values[k] !== undefined && values[k] !== false);
  if (given) throw new SicError("usage", `--${given} is an option of send, not of check.`);
  return check;
}
