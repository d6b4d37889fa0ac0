// `npm test`: starts one Prosody (with mod_ipcheck) and one ejabberd for the whole run, describes
// them to the test files through the JSON file named by XMPP_SIC_TESTBED, runs node's test
// runner on the built tests (unit, property, integration, adversarial, faults, then the real-VS
// Code tests in vscode/; or the paths given as arguments), then stops the servers.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { unavailable, type OwnedXmppServer, type ServerKind } from "../scripts/testbed/index";
import { startShared, TESTBED_ENV, type TestbedDescription } from "../scripts/testbed/shared";

const KINDS: ServerKind[] = ["prosody", "ejabberd"];

const servers: OwnedXmppServer[] = [];
const stateDir = mkdtempSync(join(tmpdir(), "xmpp-sic-testbed-"));
let child: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

function stopServers(): Promise<void> {
  stopping ??= (async () => {
    await Promise.allSettled(servers.splice(0).map((server) => server.stop()));
    rmSync(stateDir, { recursive: true, force: true });
  })();
  return stopping;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    child?.kill(signal);
    void stopServers().finally(() => process.exit(128 + constants.signals[signal]));
  });
}
process.once("exit", () => {
  servers.forEach((server) => server.kill());
  rmSync(stateDir, { recursive: true, force: true });
});

async function startServers(): Promise<TestbedDescription> {
  const description = {} as TestbedDescription;
  const results = await Promise.allSettled(
    KINDS.map(async (kind) => {
      const reason = unavailable(kind);
      if (reason) {
        description[kind] = { skip: reason };
        console.error(`test bed: no ${kind}: ${reason}`);
        return;
      }
      const started = Date.now();
      const server = await startShared(kind);
      servers.push(server);
      description[kind] = server.describe();
      console.error(
        `test bed: ${kind} ready in ${Date.now() - started} ms on 127.0.0.1 and ::1, ` +
          `STARTTLS port ${server.starttlsPort}, direct TLS port ${server.directTlsPort}, log ${server.logFile}`,
      );
    }),
  );
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
  if (failures.length > 0) throw new AggregateError(failures, "test bed servers failed to start");
  return description;
}

function runTests(descriptionFile: string): Promise<number> {
  const given = process.argv.slice(2);
  const targets = given.length > 0 ? given : ["unit", "property", "integration", "adversarial", "faults", "vscode"].map((d) => join(__dirname, d)).filter(existsSync);
  if (targets.length === 0) throw new Error(`no test directories under ${__dirname}`);
  const args = ["--test", "--enable-source-maps", "--test-concurrency=1", ...targets];
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, args, {
      stdio: "inherit",
      env: { ...process.env, [TESTBED_ENV]: descriptionFile },
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

async function main(): Promise<number> {
  try {
    const descriptionFile = join(stateDir, "testbed.json");
    writeFileSync(descriptionFile, JSON.stringify(await startServers(), null, 2));
    return await runTests(descriptionFile);
  } finally {
    await stopServers();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    for (const e of error instanceof AggregateError ? error.errors : [error]) console.error(e);
    process.exit(1);
  },
);
