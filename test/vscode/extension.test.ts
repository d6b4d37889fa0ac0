// The extension inside a real VS Code (code-server 4.100 = VS Code 1.100, Node extension host,
// workbench in headless Chromium), against the shared real Prosody: the in-host mocha suite
// (suite/extension.suite.ts) drives the commands and the API; this side then stops everything and
// looks for the password in every file VS Code and the browser wrote (and checks that the search
// reached the output channel's log, settings.json and the exported stanza log).
// For the failure tests this side also runs what the accounts fail against (fixtures.ts): a port
// that never answers, a Prosody without mod_ipcheck, the adversarial server sending malformed XML
// or a stream error, and an HTTP probe through which the suite reads what those servers saw.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePorts, prosodyUnavailable, startProsody, type OwnedXmppServer } from "../../scripts/testbed/index";
import { sharedServer } from "../../scripts/testbed/shared";
import { AdversarialServer } from "../adversarial/server";
import { CodeServer } from "./codeServer";
import { adversarialCounts, distinctivePassword, malformedReplyScript, SilentServer, startProbe, streamErrorScript } from "./fixtures";
import { buildSuite, filesContaining, filesUnder, runSuite, skipWithoutVscode, waitForBrowserStorage, type SuiteRun } from "./harness";
import { secretForms, SUITE_ENV, type ProbeState, type SuiteConfig } from "./suite/protocol";

const SUITE_TIMEOUT_MS = 240_000;

test("the extension in VS Code (code-server + Chromium) against a real Prosody", { timeout: SUITE_TIMEOUT_MS + 120_000 }, async (t) => {
  if (skipWithoutVscode(t)) return;

  const scratch = mkdtempSync(join(tmpdir(), "xmpp-sic-vscode-suite-"));
  const server = new CodeServer();
  let run: SuiteRun | undefined;
  // Users of our own, so the passwords we look for were only ever given to this VS Code; each
  // password needs escaping in XML and JSON and is not ASCII, so the search also covers its
  // escaped forms (see secretForms).
  const users = [0, 1, 2].map(() => ({
    user: `vscode${randomBytes(4).toString("hex")}`,
    password: distinctivePassword(randomBytes(12).toString("base64url")),
  }));
  // Servers the failure tests point accounts at, stopped in the finally below.
  const cleanups: (() => Promise<unknown>)[] = [];
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
        kept: users[2]!,
        logFile: prosody.logFile,
      };

      // Real failures, each accepting the first account's credentials where it gets that far.
      const credentials = { [users[0]!.user]: users[0]!.password };
      const silent = await SilentServer.start();
      cleanups.push(() => silent.close());
      const badReply = await AdversarialServer.start(malformedReplyScript(credentials));
      cleanups.push(() => badReply.stop());
      const streamError = await AdversarialServer.start(streamErrorScript(credentials));
      cleanups.push(() => streamError.stop());
      let noIpcheck: OwnedXmppServer | undefined;
      const noIpcheckSkip = prosodyUnavailable(false);
      if (!noIpcheckSkip) {
        const started = await startProsody({ ipcheck: false, users: [users[0]!] });
        noIpcheck = started;
        // Also gone if this process ends early (e.g. the runner's SIGTERM on a timeout).
        const killAtExit = () => started.kill();
        process.once("exit", killAtExit);
        cleanups.push(async () => {
          process.off("exit", killAtExit);
          await started.stop();
        });
      }
      const probe = await startProbe(
        (): ProbeState => ({ silent: silent.counts(), badReply: adversarialCounts(badReply), streamError: adversarialCounts(streamError) }),
      );
      cleanups.push(() => probe.close());
      const [refusedPort] = await freePorts(1);
      config.failures = {
        refusedPort: refusedPort!,
        silentPort: silent.port,
        noIpcheck: noIpcheck ? { port: noIpcheck.starttlsPort, caFile: noIpcheck.certs.caFile } : { skip: noIpcheckSkip! },
        badReply: { port: badReply.port, caFile: badReply.certs.caFile },
        streamError: { port: streamError.port, caFile: streamError.certs.caFile },
        probeUrl: probe.url,
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
        for (const line of r.notes ?? []) st.diagnostic(line);
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
        // The extension's globalState: the accounts and the last outcomes (also the failures').
        for (const key of ["xmppSic.accounts", "xmppSic.lastResults"]) assert.ok(dump.includes(key), `no ${key} in the browser's storage (globalState)`);
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
        // The files that must be searched are: found by the search, and hold what they should.
        const searched = filesUnder(server.userDataDir);
        const outputLog = searched.find((f) => /(^|\/)xmpp-sic\.xmpp-sic\/XMPP IP Check\.log$/.test(f));
        assert.ok(outputLog, `no "XMPP IP Check" output channel log among the ${searched.length} files under the user-data-dir`);
        const outputText = readFileSync(join(server.userDataDir, outputLog), "utf8");
        assert.match(outputText, new RegExp(`Checking ${target.user}@${target.domain} via`), `the output channel log ${outputLog} has no "Checking" line`);
        assert.match(outputText, /: auth: /, `the output channel log ${outputLog} does not record the failed checks`);
        assert.ok(search([`Checking ${target.user}@${target.domain} via`]).some((f) => f.includes(outputLog)), "the search does not reach the output channel log");
        const settingsFile = "User/settings.json";
        assert.ok(searched.includes(settingsFile), "no User/settings.json under the user-data-dir");
        assert.match(readFileSync(join(server.userDataDir, settingsFile), "utf8"), /"xmppSic\.keepSessionOpen"/, "the settings the suite changed are not in settings.json");
        assert.ok(search(['"xmppSic.keepSessionOpen"']).some((f) => f.startsWith(`user-data-dir/${settingsFile} `)), "the search does not reach settings.json");
        const exported = join(scratch, "stanza-log.xml");
        assert.ok(existsSync(exported), "the suite exported no stanza log");
        assert.ok(search([`${target.user}@${target.domain}`]).some((f) => f.startsWith("suite scratch/stanza-log.xml")), "the search does not reach the exported stanza log");
        const hits = search(forms);
        assert.deepEqual(hits, [], `the password was found in:\n${hits.join("\n")}`);
      });
    }
  } finally {
    await run?.browser.dispose();
    await server.dispose();
    await Promise.allSettled(cleanups.map((stop) => stop()));
    rmSync(scratch, { recursive: true, force: true });
  }
});
