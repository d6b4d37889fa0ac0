// What check and candidates share on the command line: the password read once, Ctrl-C as
// cancellation, the cache of known servers loaded and saved, the stanza log printed on --log, and
// the connection options handed to the core. (send has its own, older copy in commands/send.ts.)
import { StanzaLog, type ProfileCache } from "../core";
import type { CheckCommand } from "./args";
import { logText, terminalText } from "./format";
import { readPassword } from "./password";
import { loadProfiles, profileFile, saveProfiles } from "./profileStore";

type Connection = Omit<CheckCommand, "command" | "udp">;

/** The core's options for this command line (family choice and the rest are the caller's). */
export interface ConnectionOptions {
  jid: string;
  password: string;
  host?: string;
  port?: number;
  tls?: CheckCommand["tls"];
  caFile?: string;
  fingerprint?: string;
  timeoutMs?: number;
  protocol: CheckCommand["protocol"];
  signal: AbortSignal;
  log: StanzaLog;
  profiles: ProfileCache | null;
}

export async function withConnection<T>(command: Connection, body: (options: ConnectionOptions) => Promise<T>): Promise<T> {
  const log = new StanzaLog();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  try {
    const password = await readPassword(command.passwordStdin, { env: process.env, stdin: process.stdin, stderr: process.stderr });
    const cacheFile = profileFile();
    const profiles = command.stepByStep ? null : loadProfiles(cacheFile);
    const result = await body({
      jid: command.jid,
      password,
      ...(command.host !== undefined ? { host: command.host } : {}),
      ...(command.port !== undefined ? { port: command.port } : {}),
      ...(command.tls !== undefined ? { tls: command.tls } : {}),
      ...(command.caFile !== undefined ? { caFile: command.caFile } : {}),
      ...(command.fingerprint !== undefined ? { fingerprint: command.fingerprint } : {}),
      ...(command.timeoutMs !== undefined ? { timeoutMs: command.timeoutMs } : {}),
      protocol: command.protocol,
      signal: controller.signal,
      log,
      profiles,
    });
    if (profiles) saveProfiles(cacheFile, profiles);
    return result;
  } finally {
    process.off("SIGINT", onSigint);
    if (command.log) process.stderr.write(terminalText(logText(log.list())));
  }
}
