// Where the CLI's password comes from: the environment, standard input, or a no-echo prompt.
// Never from argv (see args.ts), and never echoed or printed.
import { SicError } from "../core";

export interface PasswordSources {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WritableStream;
}

const MAX_PASSWORD_BYTES = 4096;

export async function readPassword(fromStdin: boolean, io: PasswordSources): Promise<string> {
  const fromEnv = io.env.XMPP_PASSWORD;
  if (fromEnv) {
    // Keep it out of anything this process might spawn later.
    delete io.env.XMPP_PASSWORD;
    return fromEnv;
  }
  if (fromStdin) return readAllStdin(io.stdin);
  if (io.stdin.isTTY) return promptHidden(io.stdin, io.stderr);
  throw new SicError("usage", "No password: set XMPP_PASSWORD, pipe it with --password-stdin, or run in a terminal to be prompted.");
}

async function readAllStdin(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_PASSWORD_BYTES) throw new SicError("usage", "Standard input is too long to be a password.");
    chunks.push(buf);
  }
  const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (!password) throw new SicError("usage", "--password-stdin was given but standard input was empty.");
  return password;
}

function promptHidden(stdin: NodeJS.ReadStream, out: NodeJS.WritableStream): Promise<string> {
  out.write("Password: ");
  stdin.setRawMode(true);
  stdin.resume();
  let typed = "";
  return new Promise((resolve, reject) => {
    const finish = (err?: SicError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      out.write("\n");
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish(typed ? undefined : new SicError("usage", "No password entered."));
        if (ch === "\u0003") return finish(new SicError("cancelled", "Cancelled at the password prompt."));
        if (ch === "\u007f" || ch === "\b") typed = [...typed].slice(0, -1).join("");
        else if (ch >= " ") typed += ch;
      }
    };
    stdin.on("data", onData);
  });
}
