// xmpp-sic console: an interactive XML console on one live session. Lines are gathered until they
// make complete stanzas (or a refusal), which are then sent; everything in and out is printed as
// it happens, each request's outcome when it is known. The session never reconnects: when the
// server ends it, the console says why and exits 1. At the end of input (a pipe), the console
// waits for the replies still due, then closes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { StanzaLog, validateJid } from "../../core";
import { compose, ComposeError, openLiveSession, SendHistory, STANZA_TEMPLATES, templateById, type LiveSession } from "../../core/console";
import { quoted } from "../../core/text";
import type { ConsoleCommand } from "../args";
import { readPassword } from "../password";
import { profileFile } from "../profileStore";
import { connectionOptions } from "./connection";
import { consoleView } from "./consoleView";

const HELP = `Type an <iq>, <message> or <presence> (over several lines if you like); it is sent when complete.
/templates       list the stanza templates
/send TEMPLATE   send a template, e.g. /send disco-info
/quit            close the session (so does end of input)
`;

export async function runConsole(command: ConsoleCommand): Promise<number> {
  const password = await readPassword(false, { env: process.env, stdin: process.stdin, stderr: process.stderr });
  const out = (s: string | null) => s && process.stdout.write(s);
  const view = consoleView(!!process.stdout.isTTY && !process.env.NO_COLOR);
  const log = new StanzaLog();
  const due = { count: 0, settled: () => {} };
  const live = await openLiveSession({
    ...connectionOptions(command, password, log, new AbortController().signal),
    onPairing: (e) => {
      out(view.pairing(e));
      if (e.kind !== "unpaired") due.count--;
      due.settled();
    },
  });
  log.onEntry((e) => out(view.entry(e)));
  out(view.note(`Connected as ${quoted(live.boundJid, 3071)}. /help for commands.`));
  const history = new HistoryFile(join(dirname(profileFile()), "console-history.json"), password);
  const send = (text: string): boolean => {
    try {
      for (const s of compose(text, { secrets: [password] }).stanzas) {
        live.send(s.element);
        if (s.expectsReply) due.count++;
      }
      history.add(text);
    } catch (err) {
      if (!(err instanceof ComposeError)) throw err;
      if (err.unfinished) return false;
      if (err.rule !== "empty") out(view.note(`Not sent: ${err.message}`));
    }
    return true;
  };
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: !!process.stdin.isTTY, history: history.recall() });
  let quitting = false;
  const ended = live.closed.then((reason) => (quitting || out(view.note(`The session ended: ${quoted(reason.message, 500)}`)), 1));
  const code = await Promise.race([readInput(rl, due, send, (line) => slashCommand(line, live, out, send, view.note)), ended]);
  quitting = true;
  rl.close();
  await live.close();
  return code;
}

/** Feeds lines to `send` until they make stanzas; resolves with the exit code when the console should quit. */
function readInput(rl: Interface, due: { count: number; settled: () => void }, send: (text: string) => boolean, command: (line: string) => number | null): Promise<number> {
  const terminal = (rl as Interface & { terminal: boolean }).terminal;
  let buffer = "";
  return new Promise<number>((resolve) => {
    rl.on("SIGINT", () => resolve(130));
    rl.on("line", (line) => {
      if (buffer === "" && line.trim().startsWith("/")) {
        const code = command(line.trim());
        if (code !== null) resolve(code);
      } else {
        buffer += line + "\n";
        if (send(buffer)) buffer = "";
      }
      rl.setPrompt(buffer ? "...> " : "xmpp> ");
      if (terminal) rl.prompt();
    });
    rl.on("close", () => {
      // End of input: let the replies still due arrive (each has its deadline), then quit.
      due.settled = () => due.count <= 0 && resolve(0);
      due.settled();
    });
    if (terminal) rl.prompt();
  });
}

/** The send history in the cache directory: owner-only, never an entry carrying the password. */
class HistoryFile {
  private readonly history: SendHistory;

  constructor(
    private readonly file: string,
    private readonly password: string,
  ) {
    this.history = SendHistory.parse(readOrUndefined(file), {}, [password]);
  }

  /** For the line editor, one line each. */
  recall(): string[] {
    return this.history.entries.map((e) => e.replace(/\s*\n\s*/g, " "));
  }

  /** Best effort: a history that cannot be written only costs the next session its recall. */
  add(text: string): void {
    this.history.add(text, [this.password]);
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      writeFileSync(this.file, this.history.serialise(), { mode: 0o600 });
    } catch {
      // Read-only home: not the console's problem.
    }
  }
}

function slashCommand(line: string, live: LiveSession, out: (s: string) => void, send: (text: string) => boolean, note: (s: string) => string): number | null {
  const [word, arg] = line.split(/\s+/, 2);
  if (word === "/quit" || word === "/exit") return 0;
  if (word === "/help") out(HELP);
  else if (word === "/templates") out(STANZA_TEMPLATES.map((t) => `${t.id.padEnd(12)} ${t.label}`).join("\n") + "\n");
  else if (word === "/send" && arg && templateById(arg)) {
    const jid = validateJid(live.boundJid.split("/")[0]!);
    send(templateById(arg)!.xml({ domain: jid.domain, bareJid: jid.bare }));
  } else out(note(`Unknown command ${quoted(line, 80)}: /help lists them.`));
  return null;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
