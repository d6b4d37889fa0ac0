import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommand } from "../../src/cli/args";
import { SicError } from "../../src/core/errors";

const usage = (argv: string[], pattern: RegExp) =>
  assert.throws(() => parseCommand(argv), (e: unknown) => e instanceof SicError && e.code === "usage" && pattern.test(e.message), argv.join(" "));

test("a full check command parses", () => {
  assert.deepEqual(
    parseCommand(["check", "a@example.org", "--host", "h", "--port", "5223", "--tls", "direct", "--fingerprint", "AB", "--timeout", "900", "--json", "--log"]),
    { command: "check", jid: "a@example.org", host: "h", port: 5223, tls: "direct", family: "auto", fingerprint: "AB", timeoutMs: 900, protocol: "auto", udp: "auto", stepByStep: false, json: true, log: true, passwordStdin: false },
  );
});

test("--udp chooses the UDP picture; candidates takes --turn, --format and --s5b-port, check does not", () => {
  for (const udp of ["auto", "on", "off"] as const) {
    const c = parseCommand(["check", "a@example.org", "--udp", udp]);
    assert.ok(c.command === "check" && c.udp === udp);
  }
  usage(["check", "a@b", "--udp", "maybe"], /--udp must be one of auto, on, off, not "maybe"/);
  usage(["check", "a@b", "--turn"], /options of candidates/);
  usage(["check", "a@b", "--format", "ice"], /options of candidates/);
  const plain = parseCommand(["candidates", "a@example.org"]);
  assert.ok(plain.command === "candidates" && plain.format === "json" && plain.turn === false && !("s5bPort" in plain));
  const ice = parseCommand(["candidates", "a@example.org", "--turn", "--format", "ice"]);
  assert.ok(ice.command === "candidates" && ice.format === "ice" && ice.turn);
  const s5b = parseCommand(["candidates", "a@example.org", "--format", "s5b", "--s5b-port", "8010"]);
  assert.ok(s5b.command === "candidates" && s5b.s5bPort === 8010);
  usage(["candidates", "a@b", "--format", "sdp"], /--format must be one of json, ice, s5b, not "sdp"/);
  // Without a port the transport offers the server's proxies only (s5bText says when there are none).
  const proxiesOnly = parseCommand(["candidates", "a@example.org", "--format", "s5b"]);
  assert.ok(proxiesOnly.command === "candidates" && proxiesOnly.format === "s5b" && !("s5bPort" in proxiesOnly));
  usage(["candidates", "a@b", "--udp", "off"], /--udp is an option of check/);
  usage(["send", "a@b", "--udp", "off"], /--udp is an option of check/);
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
