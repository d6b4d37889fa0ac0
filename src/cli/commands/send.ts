// xmpp-sic send: reads stanzas (a file or standard input), refuses them all before any connection
// when one is malformed or not allowed (exit 2), logs in, sends them, and prints each reply.
import { readFile } from "node:fs/promises";
import { SicError, StanzaLog } from "../../core";
import { compose } from "../../core/console";
import type { SendCommand } from "../args";
import { jsonLine, logText, terminalText } from "../format";
import { readPassword } from "../password";
import { connectionOptions, DEFAULT_REPLY_WAIT_MS } from "./connection";
import { exitCodeOf, outcomeJson, outcomeText } from "./sendOutput";
import { exchange } from "./sendExchange";

/** More than compose() accepts, so an oversized input gets compose's sentence, not ours. */
const MAX_INPUT_BYTES = 1024 * 1024;

export async function runSend(command: SendCommand): Promise<number> {
  const password = await readPassword(command.passwordStdin, { env: process.env, stdin: process.stdin, stderr: process.stderr });
  const { stanzas } = compose(await readStanzas(command.file), { secrets: [password] });
  const log = new StanzaLog();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const replyDeadlineMs = command.timeoutMs ?? DEFAULT_REPLY_WAIT_MS;
  try {
    const outcomes = await exchange(connectionOptions(command, password, log, controller.signal), stanzas, command.waitMs);
    const secrets = [password];
    for (const outcome of outcomes) {
      process.stdout.write(command.json ? jsonLine(outcomeJson(outcome, secrets)) : terminalText(outcomeText(outcome, secrets, replyDeadlineMs)));
    }
    return exitCodeOf(outcomes);
  } finally {
    process.off("SIGINT", onSigint);
    if (command.log) process.stderr.write(terminalText(logText(log.list())));
  }
}

async function readStanzas(file: string | undefined): Promise<string> {
  let bytes: Buffer;
  if (file !== undefined) {
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new SicError("usage", `Cannot read the stanza file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}.`, { cause: err });
    }
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      size += buf.length;
      if (size > MAX_INPUT_BYTES) throw new SicError("usage", `The stanzas on standard input are over ${MAX_INPUT_BYTES} bytes; nothing was sent.`);
      chunks.push(buf);
    }
    bytes = Buffer.concat(chunks);
  }
  if (bytes.length > MAX_INPUT_BYTES) throw new SicError("usage", `The stanza file is over ${MAX_INPUT_BYTES} bytes; nothing was sent.`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SicError("usage", "The stanzas are not valid UTF-8; nothing was sent.");
  }
}
