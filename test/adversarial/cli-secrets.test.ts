// The password, end to end through the CLI: every output path (text, --json, --log) and every
// error class the CLI can be driven into, against a hostile server that reflects the password it
// received over PLAIN back in every text it can (SASL failure, stream error, stanza errors, the
// answer itself). The password must be recoverable from nothing the CLI prints — in clear or in
// base64 at any alignment, including inside "\0user\0password" — by a detector that does not use
// src/core/redact.ts. Passwords are never taken as arguments.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { describe, test } from "node:test";
import { ERROR_CODES, type ErrorCode } from "../../src/core";
import { CLI, runCli, type CliRun } from "../support/cli";
import { leakedSecret } from "./helpers";
import { AdversarialServer, DOMAIN, NS_SASL, NS_SIC_1, PASSWORD, USER, type Conn, type Query, type Script } from "./server";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
/** Everything a server that received PLAIN knows, in the forms it might echo. */
const REFLECTION = `you said ${PASSWORD} = ${b64(`\0${USER}\0${PASSWORD}`)} = ${b64(PASSWORD)}`;

function assertNoLeak(run: CliRun, what: string): void {
  for (const [stream, text] of [["stdout", run.stdout], ["stderr", run.stderr]] as const) {
    const how = leakedSecret(text, PASSWORD);
    assert.equal(how, null, `${what}: the password is on ${stream} (${how}):\n${text.slice(0, 2000)}`);
  }
}

/** The hostile scripts, one per error class the server can cause; PLAIN, so it learns the password. */
const reflect = (act: (c: Conn, q: Query) => Promise<unknown>): Script => ({
  onQuery: async (c, q) => {
    await act(c, q);
    return true;
  },
});
const SCRIPTS: Partial<Record<ErrorCode | "ok", Script>> = {
  ok: {
    // Even a success carries the reflection, in a stanza the CLI logs with --log.
    afterBind: async (c) => {
      await c.send(`<message from='${DOMAIN}'><body>${REFLECTION.replace(/</g, "&lt;").replace(/&(?!lt;)/g, "&amp;")}</body></message>`);
    },
  },
  auth: {
    onAuth: async (c) => {
      await c.send(`<failure xmlns='${NS_SASL}'><not-authorized/><text>${escapeXml(REFLECTION)}</text></failure>`);
      return true;
    },
  },
  unsupported: { discoFeatures: ["urn:xmpp:ping"] },
  forbidden: reflect((c, q) => c.error(q.id, "forbidden", { type: "auth", text: REFLECTION })),
  "server-error": reflect((c, q) => c.error(q.id, "internal-server-error", { type: "wait", text: REFLECTION })),
  "bad-reply": reflect((c, q) => c.result(q.id, `<address xmlns='${NS_SIC_1}'><ip>${b64(PASSWORD)}</ip></address>`)),
  "stream-error": reflect((c) => c.streamError("policy-violation", REFLECTION)),
  timeout: reflect(async () => {}),
  cancelled: reflect(async () => {}),
};

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe("the CLI never prints the password", { skip: existsSync(CLI) ? false : `${CLI} not built` }, () => {
  const serverArgs = (server: AdversarialServer, ...more: string[]) => [
    "check", `${USER}@${DOMAIN}`, "--host", "127.0.0.1", "--port", String(server.port), "--ca", server.certs.caFile, ...more,
  ];

  for (const [outcome, script] of Object.entries(SCRIPTS) as [ErrorCode | "ok", Script][]) {
    for (const format of [[], ["--json"]]) {
      const flags = [...format, "--log"];
      test(`${outcome}, ${flags.join(" ")}`, async () => {
        const server = await AdversarialServer.start(script);
        try {
          const extra = outcome === "timeout" ? ["--timeout", "1000"] : [];
          const run = await runCli(serverArgs(server, ...flags, ...extra), {
            env: { XMPP_PASSWORD: PASSWORD },
            onSpawn:
              outcome === "cancelled"
                ? (child) => {
                    const wait = setInterval(() => {
                      if (server.queries.length > 0) {
                        clearInterval(wait);
                        child.kill("SIGINT");
                      }
                    }, 10);
                    child.once("close", () => clearInterval(wait));
                  }
                : undefined,
          });
          const expectedExit = outcome === "ok" ? 0 : outcome === "cancelled" ? 130 : 1;
          assert.equal(run.code, expectedExit, run.stdout + run.stderr);
          if (format.length > 0) {
            const out = JSON.parse(run.stdout);
            if (outcome === "ok") assert.equal(out.ok, true);
            else assert.equal(out.error.code, outcome, out.error.message);
          } else if (outcome === "ok") {
            assert.match(run.stdout, /External address\s+127\.0\.0\.1:\d+/);
          } else {
            assert.match(run.stderr, new RegExp(`^xmpp-sic: ${outcome}: `, "m"));
          }
          // The server really did receive the password (PLAIN) and, where it could, echoed it.
          assert.ok(server.received.includes(b64(`\0${USER}\0${PASSWORD}`)), "the server never received the PLAIN payload");
          if (!["unsupported", "timeout", "cancelled"].includes(outcome)) assert.match(run.stdout + run.stderr, /\[redacted\]/);
          assertNoLeak(run, `${outcome} ${flags.join(" ")}`);
        } finally {
          await server.stop();
        }
      });
    }
  }

  test("tls (an untrusted certificate) with --log and --json: no password, and none was sent", async () => {
    const server = await AdversarialServer.start({});
    try {
      for (const flags of [["--log"], ["--json", "--log"]]) {
        const run = await runCli(["check", `${USER}@${DOMAIN}`, "--host", "127.0.0.1", "--port", String(server.port), "--ca", server.certs.otherCaFile, ...flags], {
          env: { XMPP_PASSWORD: PASSWORD },
        });
        assert.equal(run.code, 1);
        assert.match(run.stdout + run.stderr, /tls/);
        assertNoLeak(run, `tls ${flags.join(" ")}`);
      }
      assert.ok(!server.received.includes("<auth"));
    } finally {
      await server.stop();
    }
  });

  test("connect (refused) with --log and --json", async () => {
    const port = await closedPort();
    for (const flags of [["--log"], ["--json", "--log"]]) {
      const run = await runCli(["check", `${USER}@${DOMAIN}`, "--host", "127.0.0.1", "--port", String(port), ...flags], { env: { XMPP_PASSWORD: PASSWORD } });
      assert.equal(run.code, 1);
      assert.match(run.stdout + run.stderr, /connect/);
      assertNoLeak(run, `connect ${flags.join(" ")}`);
    }
  });

  test("usage: the password as an argument, in every spelling, is refused and never echoed", async () => {
    const spellings = [
      ["--password", PASSWORD],
      [`--password=${PASSWORD}`],
      ["-p", PASSWORD],
      [`--pass=${PASSWORD}`],
      ["--PASSWORD", PASSWORD],
      [`--passwd=${PASSWORD}`],
      ["-pw", PASSWORD],
      [`-P=${PASSWORD}`],
      // Near misses, which a generic option parser would echo back.
      [`--password${PASSWORD}`],
      [`--pwd=${PASSWORD}`],
      [`--pass-word=${PASSWORD}`],
    ];
    for (const spelling of spellings) {
      for (const json of [[], ["--json"]]) {
        const run = await runCli(["check", `${USER}@${DOMAIN}`, ...spelling, ...json]);
        assert.equal(run.code, 2, `${spelling.join(" ")}: ${run.stderr}`);
        assert.match(run.stdout + run.stderr, /never accepted as arguments/);
        assertNoLeak(run, spelling.join(" "));
      }
    }
  });

  test("usage: a word after the JID (likely a password) is refused and not echoed", async () => {
    for (const json of [[], ["--json"]]) {
      const run = await runCli(["check", `${USER}@${DOMAIN}`, PASSWORD, ...json]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stdout + run.stderr, /Unexpected argument after the JID/);
      assertNoLeak(run, "positional password");
    }
  });

  test("usage: --tls none to a non-loopback address, refused before connecting", async () => {
    // 0.0.0.0: not loopback for the check, yet harmless (local) should anything ever be sent.
    for (const flags of [["--log"], ["--json", "--log"]]) {
      const run = await runCli(["check", `${USER}@${DOMAIN}`, "--host", "0.0.0.0", "--port", "5222", "--tls", "none", ...flags], {
        env: { XMPP_PASSWORD: PASSWORD },
      });
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stdout + run.stderr, /only allowed to a loopback address/);
      assert.doesNotMatch(run.stderr, /stream open/, "something was sent");
      assertNoLeak(run, `tls none ${flags.join(" ")}`);
    }
  });

  test("--password-stdin: success and failure, password nowhere", async () => {
    const good = await AdversarialServer.start(SCRIPTS.ok!);
    const bad = await AdversarialServer.start(SCRIPTS.auth!);
    try {
      for (const server of [good, bad]) {
        const run = await runCli(serverArgs(server, "--json", "--log", "--password-stdin"), { stdin: `${PASSWORD}\n` });
        assert.equal(run.code, server === good ? 0 : 1, run.stdout + run.stderr);
        assertNoLeak(run, "--password-stdin");
      }
    } finally {
      await Promise.all([good.stop(), bad.stop()]);
    }
  });

  test("the terminal prompt does not echo the password", { skip: existsSync("/usr/bin/script") ? false : "no script(1) for a pseudo-terminal" }, async () => {
    const server = await AdversarialServer.start({});
    try {
      const command = [process.execPath, CLI, ...serverArgs(server, "--log", "--step-by-step")].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.XMPP_PASSWORD;
      const child = spawn("script", ["-qec", command, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
      let transcript = "";
      let typed = false;
      const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      child.stdout.on("data", (d) => {
        transcript += d;
        if (!typed && transcript.includes("Password: ")) {
          typed = true;
          // Typed as a person would, a character at a time, after the prompt is shown.
          void (async () => {
            for (const ch of PASSWORD) {
              child.stdin.write(ch);
              await new Promise((r) => setTimeout(r, 2));
            }
            child.stdin.write("\r");
          })();
        }
      });
      child.stderr.on("data", (d) => (transcript += d));
      const code = await closed;
      clearTimeout(timer);
      assert.ok(typed, `no prompt: ${transcript}`);
      assert.equal(code, 0, transcript);
      assert.match(transcript, /External address/);
      const how = leakedSecret(transcript, PASSWORD);
      assert.equal(how, null, `the terminal shows the password (${how}):\n${transcript}`);
    } finally {
      await server.stop();
    }
  });

  test("every error code of the core is covered by this file or documented as not provocable here", () => {
    const covered = new Set<string>([...Object.keys(SCRIPTS), "tls", "connect", "usage"]);
    assert.deepEqual(ERROR_CODES.filter((c) => !covered.has(c)), []);
  });
});
