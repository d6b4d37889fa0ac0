// send and console on the command line: their options parse, and every misuse is a usage error
// with a sentence, before anything reads input or connects.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommand } from "../../src/cli/args";
import { SicError } from "../../src/core/errors";

const usage = (argv: string[], pattern: RegExp) =>
  assert.throws(() => parseCommand(argv), (e: unknown) => e instanceof SicError && e.code === "usage" && pattern.test(e.message), argv.join(" "));

test("a full send command parses, with the check's connection options", () => {
  assert.deepEqual(
    parseCommand(["send", "a@example.org", "--host", "h", "--port", "5223", "--tls", "direct", "--family", "ipv6", "--file", "s.xml", "--wait", "250", "--json", "--password-stdin", "--presence"]),
    { command: "send", jid: "a@example.org", host: "h", port: 5223, tls: "direct", family: "ipv6", file: "s.xml", waitMs: 250, presence: true, stepByStep: false, json: true, log: false, passwordStdin: true },
  );
  const plain = parseCommand(["send", "a@example.org"]);
  assert.ok(plain.command === "send" && plain.waitMs === 0 && plain.presence === false && !("file" in plain));
});

test("send refuses what it cannot honour", () => {
  usage(["send", "a@b", "--password-stdin"], /--password-stdin cannot be combined with stanzas on standard input/);
  usage(["send", "a@b", "--family", "both"], /one connection/);
  usage(["send", "a@b", "--sic", "1"], /--sic is for check/);
  usage(["send", "a@b", "--wait", "soon"], /--wait must be a whole number/);
  usage(["send"], /No JID given: xmpp-sic send/);
});

test("check refuses send's options rather than ignoring them", () => {
  usage(["check", "a@b", "--file", "x"], /--file is an option of send/);
  usage(["check", "a@b", "--wait", "10"], /--wait is an option of send/);
  usage(["check", "a@b", "--presence"], /--presence is an option of send/);
});

test("console takes the connection options and refuses what belongs elsewhere", () => {
  const c = parseCommand(["console", "a@example.org", "--host", "h", "--presence"]);
  assert.deepEqual(c, { command: "console", jid: "a@example.org", host: "h", family: "auto", presence: true, stepByStep: false, json: false, log: false, passwordStdin: false });
  usage(["console", "a@b", "--password-stdin"], /reads standard input itself/);
  usage(["console", "a@b", "--json"], /send --json/);
  usage(["console", "a@b", "--file", "x"], /options of send/);
});
