// The xmpp-sic command: argv → core check → text or JSON, and an exit status scripts can use.
import { checkFamilies, isSicError, SicError, StanzaLog, type FamilyOutcome } from "../core";
import { parseCommand, USAGE, type Command } from "./args";
import { errorJson, errorText, jsonLine, logText, terminalText, toJson, toText } from "./format";
import { runSend } from "./commands/send";
import { readPassword } from "./password";
import { loadProfiles, profileFile, saveProfiles } from "./profileStore";

declare const __VERSION__: string;

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  let json = argv.includes("--json");
  try {
    command = parseCommand(argv);
  } catch (err) {
    return report(err, json);
  }
  if (command.command === "help") {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (command.command === "version") {
    process.stdout.write(`${typeof __VERSION__ === "string" ? __VERSION__ : "dev"}\n`);
    return EXIT.ok;
  }
  json = command.json;
  if (command.command === "send") return runSend(command).catch((err: unknown) => report(err, json));
  const log = new StanzaLog();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  try {
    const password = await readPassword(command.passwordStdin, { env: process.env, stdin: process.stdin, stderr: process.stderr });
    const cacheFile = profileFile();
    const profiles = command.stepByStep ? null : loadProfiles(cacheFile);
    const { primary, outcomes } = await checkFamilies({
      jid: command.jid,
      password,
      ...(command.host !== undefined ? { host: command.host } : {}),
      ...(command.port !== undefined ? { port: command.port } : {}),
      ...(command.tls !== undefined ? { tls: command.tls } : {}),
      families: command.family,
      protocol: command.protocol,
      ...(command.caFile !== undefined ? { caFile: command.caFile } : {}),
      ...(command.fingerprint !== undefined ? { fingerprint: command.fingerprint } : {}),
      ...(command.timeoutMs !== undefined ? { timeoutMs: command.timeoutMs } : {}),
      signal: controller.signal,
      log,
      profiles,
    });
    if (profiles) saveProfiles(cacheFile, profiles);
    if (!primary.ok) return report(primary.error, json, outcomes);
    process.stdout.write(json ? jsonLine(toJson(primary.result, outcomes)) : terminalText(toText(primary.result, outcomes)));
    return EXIT.ok;
  } catch (err) {
    return report(err, json);
  } finally {
    process.off("SIGINT", onSigint);
    if (command.log) process.stderr.write(terminalText(logText(log.list())));
  }
}

function report(err: unknown, json: boolean, outcomes?: readonly FamilyOutcome[]): number {
  const error = isSicError(err) ? err : new SicError("connect", `Unexpected failure: ${String(err)}`);
  if (json) process.stdout.write(jsonLine(errorJson(error, outcomes)));
  else process.stderr.write(terminalText(errorText(error, outcomes)));
  return error.code === "usage" ? EXIT.usage : error.code === "cancelled" ? EXIT.cancelled : EXIT.failed;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
