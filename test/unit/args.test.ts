import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommand } from "../../src/cli/args";
import { SicError } from "../../src/core/errors";

const usage = (argv: string[], pattern: RegExp) =>
  assert.throws(() => parseCommand(argv), (e: unknown) => e instanceof SicError && e.code === "usage" && pattern.test(e.message), argv.join(" "));

test("a full check command parses", () => {
  assert.deepEqual(
    parseCommand(["check", "a@example.org", "--host", "h", "--port", "5223", "--tls", "direct", "--fingerprint", "AB", "--timeout", "900", "--json", "--log"]),
    { command: "check", jid: "a@example.org", host: "h", port: 5223, tls: "direct", family: "auto", fingerprint: "AB", timeoutMs: 900, protocol: "auto", stepByStep: false, json: true, log: true, passwordStdin: false },
  );
});

test("--family chooses the address families; no --tls leaves the TLS mode to the SRV records", () => {
  const plain = parseCommand(["check", "a@example.org"]);
  assert.ok(plain.command === "check");
  assert.equal(plain.family, "auto");
  assert.equal("tls" in plain, false);
  for (const family of ["both", "ipv4", "ipv6"] as const) {
    const c = parseCommand(["check", "a@example.org", "--family", family]);
    assert.ok(c.command === "check" && c.family === family);
  }
  usage(["check", "a@b", "--family", "ipv5"], /--family must be one of auto, both, ipv4, ipv6, not "ipv5"/);
});

test("passwords are refused as arguments, in every spelling", () => {
  for (const flag of ["--password", "--password=x", "-p", "--pass", "--PASSWORD=hunter2"]) {
    usage(["check", "a@b", flag], /never accepted as arguments/);
  }
});

test("usage errors say what to fix", () => {
  usage([], /No command/);
  usage(["ping", "a@b"], /^Unknown command\. The command is "check"/);
  assert.throws(() => parseCommand(["hunter2", "check"]), (e: unknown) => e instanceof SicError && !e.message.includes("hunter2"));
  usage(["check"], /No JID/);
  usage(["check", "a@b", "--port", "0"], /--port must be a whole number from 1 to 65535/);
  usage(["check", "a@b", "--port", "70000"], /--port/);
  usage(["check", "a@b", "--tls", "ssl"], /--tls must be one of starttls, direct, none/);
  usage(["check", "a@b", "--timeout", "soon"], /--timeout/);
  usage(["check", "a@b", "--frobnicate"], /frobnicate/);
  usage(["check", "a@b", "--sic", "2"], /--sic must be auto, 1 or 0/);
  usage(["check", "a@b", "extra"], /Unexpected argument after the JID \(not shown/);
});

test("--step-by-step turns pipelining and the server cache off", () => {
  const parsed = parseCommand(["check", "a@example.org", "--step-by-step"]);
  assert.equal(parsed.command === "check" && parsed.stepByStep, true);
});
