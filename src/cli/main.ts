// The xmpp-sic command: argv → core check → text or JSON, and an exit status scripts can use.
import { checkFamilies, isSicError, SicError, type FamilyOutcome } from "../core";
import { parseCommand, USAGE, type Command } from "./args";
import { withConnection } from "./connection";
import { errorJson, errorText, jsonLine, terminalText, toJson, toText } from "./format";
import { runCandidates } from "./commands/candidates";
import { runConsole } from "./commands/console";
import { runSend } from "./commands/send";

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
  if (command.command === "console") return runConsole(command).catch((err: unknown) => report(err, false));
  if (command.command === "candidates") return runCandidates(command).catch((err: unknown) => report(err, command.format === "json"));
  try {
    return await withConnection(command, async (connection) => {
      const { primary, outcomes } = await checkFamilies({ ...connection, families: command.family, udp: command.udp });
      if (!primary.ok) return report(primary.error, json, outcomes);
      process.stdout.write(json ? jsonLine(toJson(primary.result, outcomes)) : terminalText(toText(primary.result, outcomes)));
      return EXIT.ok;
    });
  } catch (err) {
    return report(err, json);
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
