// No output path carries a raw control character, whatever a server sends. For random hostile text
// (escape sequences, CR, C1, DEL, bidi controls, Unicode line separators, and any unicode at all)
// put by a real misbehaving server (test/adversarial/server.ts, plaintext on loopback for speed)
// into each place a server's words reach the user — stream, SASL and stanza error texts and
// conditions, a redirect, SCRAM's e= inside base64, the mechanism list, the answer, a logged
// message — a real check runs, and every output is inspected: the error message, the CLI's human
// text, --json and --log, the result, the stanza log's entries, their pretty-printed XML and the
// export. The detector is independent of src/core/text.ts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { errorJson, errorText, jsonLine, logText, terminalText, toJson, toText } from "../../src/cli/format";
import { check, exportLogXml, prettyXml, SicError, StanzaLog, type CheckResult } from "../../src/core";
import { ESCAPE_ATTACK, hostileScripts, TERMINAL_ATTACK, type HostilePlace } from "../adversarial/hostileText";
import { AdversarialServer, DOMAIN, PASSWORD, USER, type Script } from "../adversarial/server";

const RUNS = Math.min(Number(process.env.PROPERTY_RUNS ?? 60), 60);

/** Never raw in one-line output. */
const ONE_LINE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Never raw in multi-line output (TAB and LF are line structure there). */
const MULTI_LINE_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function assertClean(text: string, what: string, multiLine: boolean): void {
  const found = (multiLine ? MULTI_LINE_UNSAFE : ONE_LINE_UNSAFE).exec(text);
  assert.equal(found, null, `${what} carries U+${found?.[0].charCodeAt(0).toString(16).padStart(4, "0")}: ${JSON.stringify(text.slice(Math.max(0, (found?.index ?? 0) - 60), (found?.index ?? 0) + 60))}`);
}

/** Every string inside a value (a result holds only data: strings, numbers, arrays, objects). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

const DANGEROUS = ["\u001b[2K", "\u001b]0;t\u0007", "\r", "\n", "\t", "\u009b", "\u0085", "\u007f", "\u202e", "\u2066", "\u2028", "\u0000", "\u0008"];
/** Hostile text: pieces of attacks among any unicode. */
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...DANGEROUS), fc.string({ unit: "binary", maxLength: 12 }), fc.constantFrom(TERMINAL_ATTACK, ESCAPE_ATTACK)), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join("").replace(/[\ud800-\udfff]/g, "?"));

const PLACES = Object.keys(hostileScripts) as HostilePlace[];

let servers: Map<string, AdversarialServer>;
before(() => (servers = new Map()));
after(async () => {
  for (const server of servers.values()) await server.stop();
});

/** One check against a fresh server with this script, plaintext on loopback. */
async function runCheck(script: Script): Promise<{ result?: CheckResult; error?: SicError; log: StanzaLog }> {
  const server = await AdversarialServer.start({ transport: "plain", ...script });
  const log = new StanzaLog();
  try {
    const result = await check({ jid: `${USER}@${DOMAIN}`, password: PASSWORD, host: server.host, port: server.port, tls: "none", timeoutMs: 3_000, profiles: null, log });
    return { result, log };
  } catch (err) {
    assert.ok(err instanceof SicError, String(err));
    return { error: err, log };
  } finally {
    await server.stop();
  }
}

test("whatever a server puts in any of its texts, no output path carries a raw control character", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...PLACES), hostile, async (place, text) => {
      const { result, error, log } = await runCheck(hostileScripts[place](text));
      const outputs: [string, string, boolean][] = [];
      if (error) {
        outputs.push(["error message", error.message, false], ["CLI error text", terminalText(errorText(error)), true], ["CLI --json error", jsonLine(errorJson(error)).slice(0, -1), false]);
        assert.ok(error.message.length <= 2_000, `a message of ${error.message.length} characters`);
      }
      if (result) {
        outputs.push(["CLI text", terminalText(toText(result)), true], ["CLI --json", jsonLine(toJson(result)).slice(0, -1), false]);
        for (const s of strings(result)) outputs.push(["a result field", s, false]);
      }
      const entries = log.list();
      outputs.push(["CLI --log", terminalText(logText(entries)), true], ["export", exportLogXml(entries), true]);
      for (const e of entries) outputs.push(["log summary", e.summary, false], ["log XML", e.xml, true], ["pretty XML", prettyXml(e.xml), true]);
      for (const line of terminalText(logText(entries)).split("\n").filter(Boolean)) {
        assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z (<<|>>) /, `a --log line that is not an entry: ${JSON.stringify(line.slice(0, 80))}`);
      }
      for (const [what, out, multiLine] of outputs) assertClean(out, `${place}: ${what}`, multiLine);
    }),
    { numRuns: RUNS },
  );
});

test("the 100 KB redirect with escape sequences: one clipped, neutralised line", async () => {
  const { hugeRedirect } = await import("../adversarial/hostileText");
  const { error } = await runCheck(hugeRedirect());
  assert.ok(error, "the check succeeded");
  assert.equal(error.code, "stream-error");
  assert.ok(error.message.length < 600, `a message of ${error.message.length} characters`);
  assert.match(error.message, /<see-other-host\/> \(it points to \\u009d0;pwned\\u009c\\u009b2K\\r\\u009b32mLOGIN OK/);
  assert.match(error.message, /…\)\.$/);
  assertClean(error.message, "redirect", false);
});

test("SCRAM's e= carries ESC sequences inside base64: they arrive escaped", async () => {
  const { error } = await runCheck(hostileScripts.scramServerError(ESCAPE_ATTACK));
  assert.equal(error?.code, "auth", error?.message);
  assert.match(error!.message, /server error "\\x1b\]0;pwned\\x07\\x1b\[2K\\r\\x1b\[32mLOGIN OK\\x1b\[0m"/);
  assertClean(error!.message, "SCRAM error", false);
});
