// The extension inside a real VS Code (code-server 4.100 = VS Code 1.100, Node extension host,
// workbench in headless Chromium), against the shared real Prosody: the in-host mocha suite
// (suite/extension.suite.ts) drives the commands and the API; this side then stops everything and
// looks for the password in every file VS Code and the browser wrote.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sharedServer } from "../../scripts/testbed/shared";
import { CodeServer } from "./codeServer";
import { buildSuite, filesContaining, runSuite, skipWithoutVscode, waitForBrowserStorage, type SuiteRun } from "./harness";
import { secretForms, SUITE_ENV, type SuiteConfig } from "./suite/protocol";

const SUITE_TIMEOUT_MS = 240_000;

test("the extension in VS Code (code-server + Chromium) against a real Prosody", { timeout: SUITE_TIMEOUT_MS + 120_000 }, async (t) => {
  if (skipWithoutVscode(t)) return;

  const scratch = mkdtempSync(join(tmpdir(), "xmpp-sic-vscode-suite-"));
  const server = new CodeServer();
  let run: SuiteRun | undefined;
  // Users of our own, so the passwords we look for were only ever given to this VS Code.
  const users = [0, 1].map(() => ({ user: `vscode${randomBytes(4).toString("hex")}`, password: `pw-${randomBytes(12).toString("base64url")}` }));
  try {
    const suiteFile = await buildSuite("extension", join(scratch, "suite"));
    const config: SuiteConfig = { resultFile: join(scratch, "result.json"), scratchDir: scratch };
    const prosody = await sharedServer("prosody");
    if ("skip" in prosody) {
      config.prosodySkip = prosody.skip;
    } else {
      for (const { user, password } of users) await prosody.addUser(user, password);
      config.prosody = {
        domain: prosody.domain,
        host: "127.0.0.1",
        starttlsPort: prosody.starttlsPort,
        directTlsPort: prosody.directTlsPort,
        caFile: prosody.certs.caFile,
        ...users[0]!,
        second: users[1]!,
      };
    }
    if (process.env.XMPP_SIC_VSCODE_GREP) config.grep = process.env.XMPP_SIC_VSCODE_GREP;
    const configFile = join(scratch, "config.json");
    writeFileSync(configFile, JSON.stringify(config, null, 2));

    await server.start({
      env: { [SUITE_ENV]: configFile },
      settings: { "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "extensions.autoCheckUpdates": false },
    });
    run = await runSuite(server, suiteFile, config.resultFile, SUITE_TIMEOUT_MS);
    const { result, exitCode } = run;
    const diagnostics = () => `\n--- browser console ---\n${run!.console.slice(-80).join("\n")}\n--- code-server log (tail) ---\n${server.logText().slice(-4000)}`;
    assert.ok(result, `the suite wrote no result (exit code ${exitCode})${diagnostics()}`);
    assert.ok(!result.error, `the suite failed to run: ${result.error}${diagnostics()}`);
    assert.ok(result.tests.length > 0, `the suite ran no test${diagnostics()}`);

    // One node:test subtest per in-host test, so the runner's report names each of them.
    for (const r of result.tests) {
      await t.test(`in VS Code: ${r.fullTitle}`, (st) => {
        if (r.state === "pending") return st.skip(config.prosodySkip ?? "skipped in the extension host");
        if (r.state === "failed") assert.fail(r.error ?? "failed");
      });
    }
    assert.equal(exitCode, result.failed > 0 ? 1 : 0, "the workbench's exit code disagrees with the suite's result");

    if (config.prosody) {
      const target = config.prosody;
      const forms = users.flatMap(({ user, password }) => secretForms(user, password));
      await t.test("the browser's storage (globalState, secrets) holds the account but not the password", async () => {
        // The suite's last test leaves an account: its settings reach globalState, in IndexedDB.
        const dump = await waitForBrowserStorage(run!.browser.page, `${target.user}@${target.domain}`);
        assert.ok(dump.includes("secrets.provider"), "no secret store in the browser's localStorage");
        for (const form of forms) assert.ok(!dump.includes(form), `the browser's storage holds the password (as ${JSON.stringify(form)})`);
      });

      // Everything written to disk: stop the browser and code-server first so it is all flushed.
      await run.browser.close();
      await server.stop();
      await t.test("the password is in no file VS Code, the extension host or the browser wrote", () => {
        const search = (needles: string[]) => [
          ...filesContaining(server.userDataDir, needles).map((f) => `user-data-dir/${f}`),
          ...filesContaining(server.extensionsDir, needles).map((f) => `extensions-dir/${f}`),
          ...filesContaining(scratch, needles, (f) => f === "config.json").map((f) => `suite scratch/${f}`),
          ...filesContaining(run!.browser.profileDir, needles).map((f) => `chromium profile/${f}`),
        ];
        // Where the search finds the JIDs shows what it covered: the output channel's log file,
        // the exported stanza log, and usually the browser's IndexedDB files (which the browser
        // may have compressed by then, hence no assertion on those).
        t.diagnostic(`account JIDs found in: ${search(users.map(({ user }) => `${user}@${target.domain}`)).join(", ")}`);
        t.diagnostic(`secret store found in: ${search(["secrets.provider"]).join(", ") || "(nowhere on disk)"}`);
        const hits = search(forms);
        assert.deepEqual(hits, [], `the password was found in:\n${hits.join("\n")}`);
      });
    }
  } finally {
    await run?.browser.dispose();
    await server.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
});
