// argv → a validated command. Pure, so every usage error is testable without a network.
import { parseArgs } from "node:util";
import { FAMILY_CHOICES, SicError, UDP_CHOICES, type FamilyChoice, type Protocol, type TlsMode, TLS_MODES, type UdpChoice } from "../core";
import { candidatesCommand, CANDIDATES_OPTIONS, CANDIDATES_USAGE, type CandidatesCommand } from "./commands/candidatesArgs";
import { consoleCommand, refuseSendOptions, sendCommand, SEND_OPTIONS, SEND_USAGE } from "./commands/sendArgs";

export interface CheckCommand {
  command: "check";
  jid: string;
  host?: string;
  port?: number;
  /** Undefined: as the server's SRV records say, else STARTTLS. */
  tls?: TlsMode;
  family: FamilyChoice;
  caFile?: string;
  fingerprint?: string;
  timeoutMs?: number;
  protocol: Protocol;
  /** The UDP picture: auto (when the server announces STUN), on (fail without), off. */
  udp: UdpChoice;
  /** No pipelining and no server cache: every step waits for the server (for comparisons, debugging). */
  stepByStep: boolean;
  json: boolean;
  log: boolean;
  passwordStdin: boolean;
}

/** xmpp-sic send: the check's connection options, plus where the stanzas come from and how long to wait. */
export interface SendCommand extends Omit<CheckCommand, "command" | "protocol" | "udp"> {
  command: "send";
  /** Read the stanzas from this file; standard input when undefined. */
  file?: string;
  /** How long to wait for an error bounced back for a message or presence (iqs wait for their reply). */
  waitMs: number;
  /** Send initial presence first (a console shows the account offline otherwise). */
  presence: boolean;
}

/** xmpp-sic console: the check's connection options; the console reads standard input itself. */
export interface ConsoleCommand extends Omit<SendCommand, "command" | "file" | "waitMs"> {
  command: "console";
}

export type Command = CheckCommand | SendCommand | ConsoleCommand | CandidatesCommand | { command: "help" } | { command: "version" };

export const USAGE = `Usage: xmpp-sic check <jid> [options]

Asks your XMPP server which IP address and port it sees you connecting from
(XEP-0279 Server IP Check), and whether you are behind a NAT.

Options:
  --host HOST            connect to HOST instead of looking up the JID's domain's
                         SRV records (_xmpps-client, _xmpp-client; else the domain)
  --port PORT            TCP port (default 5222, or 5223 with --tls direct)
  --tls MODE             starttls | direct (XEP-0368) | none (loopback only);
                         default: as the SRV records say, else starttls
  --family FAMILY        both | ipv4 | ipv6: check over each family on its own
                         connection (default: every family the server has)
  --ca FILE              also trust the CA certificate(s) in this PEM file
  --fingerprint SHA256   trust exactly the server certificate with this SHA-256 fingerprint
  --sic VERSION          auto (default: ask disco#info), 1 or 0 to force urn:xmpp:sic:1 / :0
  --udp MODE             auto (default: when the server announces STUN via XEP-0215,
                         also the UDP picture: a STUN Binding to each STUN server from
                         one socket, the NAT's mapping behaviour and a verdict for
                         peer-to-peer UDP) | on (fail if nothing is announced) | off
  --step-by-step         wait for the server at every step; do not use or update the
                         cache of known servers (~/.cache/xmpp-sic/servers.json)
  --timeout MS           deadline for the whole check (default 15000)
  --json                 print one JSON object instead of text
  --log                  print the redacted stanza log to stderr
  --password-stdin       read the password from standard input

The password comes from the environment variable XMPP_PASSWORD, else from
standard input with --password-stdin, else from a prompt on a terminal.
It is never accepted as an argument.

Exit status: 0 address obtained, 1 check failed, 2 usage error, 130 cancelled.
${SEND_USAGE}${CANDIDATES_USAGE}`;

const PASSWORD_FLAG = /^--?(p|pass|password|passwd|pw)(=.*)?$/i;

export function parseCommand(argv: readonly string[]): Command {
  refusePasswordArguments(argv);
  const { values, positionals } = parseFlags(argv);
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const { command, jid } = commandAndJid(positionals);
  const check = checkCommand(jid, values);
  if (command === "candidates") return candidatesCommand(refuseSendOptions(check, values), values);
  if (values.turn || values.format !== undefined || values["s5b-port"] !== undefined) {
    throw new SicError("usage", "--turn, --format and --s5b-port are options of candidates.");
  }
  if ((command === "send" || command === "console") && values.udp !== undefined) {
    throw new SicError("usage", `--udp is an option of check; ${command} sends only the stanzas you give it.`);
  }
  if (command === "console") return consoleCommand(check, values);
  return command === "send" ? sendCommand(check, values) : refuseSendOptions(check, values);
}

function refusePasswordArguments(argv: readonly string[]): void {
  // Also near misses ("--passwordhunter2", "--pwd=...", "--pass-word"), which parseArgs would echo.
  const offending = argv.find((a) => PASSWORD_FLAG.test(a) || (/^--?(pass|pw)/i.test(a) && a !== "--password-stdin"));
  if (offending) {
    throw new SicError(
      "usage",
      "Passwords are never accepted as arguments (they would show in the process list and shell history). " +
        "Set XMPP_PASSWORD or use --password-stdin.",
    );
  }
}

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  tls: { type: "string" },
  family: { type: "string" },
  ca: { type: "string" },
  fingerprint: { type: "string" },
  timeout: { type: "string" },
  sic: { type: "string" },
  udp: { type: "string" },
  json: { type: "boolean", default: false },
  "step-by-step": { type: "boolean", default: false },
  log: { type: "boolean", default: false },
  "password-stdin": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  ...SEND_OPTIONS,
  ...CANDIDATES_OPTIONS,
  version: { type: "boolean", default: false },
} as const;

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new SicError("usage", `${(err as Error).message.split("\n")[0]} Run xmpp-sic --help.`);
  }
}

type Values = ReturnType<typeof parseFlags>["values"];

function commandAndJid(positionals: readonly string[]): { command: "check" | "send" | "console" | "candidates"; jid: string } {
  const [command, jid, ...rest] = positionals;
  if (command === undefined) throw new SicError("usage", "No command given. Run xmpp-sic --help.");
  // The word is not repeated: a stray word on a command line may well be a password.
  if (command !== "check" && command !== "send" && command !== "console" && command !== "candidates") {
    throw new SicError("usage", 'Unknown command. The command is "check" (or "send", "console", "candidates"): xmpp-sic check user@example.org');
  }
  if (!jid) throw new SicError("usage", `No JID given: xmpp-sic ${command} user@example.org`);
  if (rest.length > 0) {
    // Not echoed: a word after the JID is most likely a password typed where it does not belong.
    throw new SicError(
      "usage",
      `Unexpected argument after the JID (not shown, in case it is a password). ` +
        "Passwords are never accepted as arguments: set XMPP_PASSWORD or use --password-stdin.",
    );
  }
  return { command, jid };
}

/** The connection options every command shares, validated, as the check command. */
function checkCommand(jid: string, values: Values): CheckCommand {
  const tls = values.tls;
  if (tls !== undefined && !(TLS_MODES as readonly string[]).includes(tls)) {
    throw new SicError("usage", `--tls must be one of ${TLS_MODES.join(", ")}, not "${tls}".`);
  }
  const family = values.family ?? "auto";
  if (!(FAMILY_CHOICES as readonly string[]).includes(family)) {
    throw new SicError("usage", `--family must be one of ${FAMILY_CHOICES.join(", ")}, not "${family}".`);
  }
  const sic = values.sic ?? "auto";
  if (sic !== "auto" && sic !== "0" && sic !== "1") {
    throw new SicError("usage", `--sic must be auto, 1 or 0, not "${sic}".`);
  }
  const udp = values.udp ?? "auto";
  if (!(UDP_CHOICES as readonly string[]).includes(udp)) throw new SicError("usage", `--udp must be one of ${UDP_CHOICES.join(", ")}, not "${udp.slice(0, 16)}".`);
  return {
    command: "check" as const,
    jid,
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.port !== undefined ? { port: wholeNumber(values.port, "--port", 1, 65535) } : {}),
    ...(tls !== undefined ? { tls: tls as TlsMode } : {}),
    family: family as FamilyChoice,
    ...(values.ca !== undefined ? { caFile: values.ca } : {}),
    ...(values.fingerprint !== undefined ? { fingerprint: values.fingerprint } : {}),
    ...(values.timeout !== undefined ? { timeoutMs: wholeNumber(values.timeout, "--timeout", 1, 3_600_000) } : {}),
    protocol: sic === "auto" ? "auto" : (`sic:${sic}` as Protocol),
    udp: udp as UdpChoice,
    stepByStep: values["step-by-step"]!,
    json: values.json!,
    log: values.log!,
    passwordStdin: values["password-stdin"]!,
  };
}

export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new SicError("usage", `${flag} must be a whole number from ${min} to ${max}, not "${text}".`);
  return n;
}
