// Runs inside VS Code's extension host (code-server's Node extension host), loaded by the
// workbench from the `extensionTestsPath` payload entry; the extension under test is the repo
// itself, from `extensionDevelopmentPath`. Same shape as a @vscode/test-cli suite: a module
// exporting run(), which mocha drives. Inputs and the result file: see protocol.ts.
//
// These tests drive the extension only through its public surface: command ids with arguments
// (no prompts when arguments are given) and the API that activate() returns.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import Mocha from "mocha";
import * as vscode from "vscode";
import type { CheckResult } from "../../../src/core/check";
import type { StanzaLogEntry } from "../../../src/core/stanzaLog";
import { secretForms, SUITE_ENV, type FailureTargets, type ProbeState, type ProsodyTarget, type SuiteConfig, type SuiteResult } from "./protocol";

export const EXTENSION_ID = "xmpp-sic.xmpp-sic";

// The extension's contract as the tests see it (src/vscode/api.ts implements it).
export interface AccountView {
  id: string;
  jid: string;
  host?: string;
  port?: number;
  tls: "starttls" | "direct" | "none";
  caFile?: string;
  fingerprint?: string;
  isDefault: boolean;
}

export type CheckOutcome =
  | { ok: true; result: CheckResult }
  | { ok: false; error: { code: string; message: string }; at: string };

export interface XmppSicApi {
  accounts(): AccountView[];
  lastResult(accountId: string): CheckOutcome | undefined;
  onDidChangeResults: vscode.Event<{ accountId: string; outcome: CheckOutcome }>;
  stanzaLog(): readonly StanzaLogEntry[];
  hasSecret(accountId: string): Promise<boolean>;
}

interface AccountInput {
  jid: string;
  password?: string;
  host?: string;
  port?: number;
  tls?: "starttls" | "direct" | "none";
  caFile?: string;
  fingerprint?: string;
}

const commands = {
  addAccount: (input: AccountInput) => vscode.commands.executeCommand<string>("xmppSic.addAccount", input),
  editAccount: (id: string, changes: Partial<AccountInput>) => vscode.commands.executeCommand<unknown>("xmppSic.editAccount", id, changes),
  removeAccount: (id: string) => vscode.commands.executeCommand<unknown>("xmppSic.removeAccount", id),
  setDefaultAccount: (id: string) => vscode.commands.executeCommand<unknown>("xmppSic.setDefaultAccount", id),
  check: (id?: string) => vscode.commands.executeCommand<CheckOutcome>("xmppSic.check", ...(id === undefined ? [] : [id])),
  checkAll: () => vscode.commands.executeCommand<CheckOutcome[]>("xmppSic.check", "all"),
  clearLog: () => vscode.commands.executeCommand<unknown>("xmppSic.stanzaLog.clear"),
  exportLog: (uri: vscode.Uri) => vscode.commands.executeCommand<unknown>("xmppSic.stanzaLog.export", uri),
};

function assertNoSecret(text: string, target: ProsodyTarget, where: string): void {
  const forms = [target, target.second, target.kept].flatMap(({ user, password }) => secretForms(user, password));
  for (const form of forms) {
    assert.ok(!text.includes(form), `${where} contains the password (as ${JSON.stringify(form)})`);
  }
}

function assertOk(outcome: CheckOutcome | undefined, what: string): CheckResult {
  assert.ok(outcome, `${what}: no outcome`);
  if (!outcome.ok) assert.fail(`${what} failed: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result;
}

/** Lines for the Node side's report, attached to the test that is running (see run()). */
let notes: string[] = [];
function note(line: string): void {
  notes.push(line);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => T | Promise<T>, ms: number, what: string): Promise<Exclude<T, false | 0 | "" | null | undefined>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | 0 | "" | null | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Sets (undefined: removes) a user setting through the configuration API, as Settings would. */
async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration("xmppSic").update(key, value, vscode.ConfigurationTarget.Global);
  await until(
    () => JSON.stringify(vscode.workspace.getConfiguration("xmppSic").inspect(key)?.globalValue) === JSON.stringify(value),
    10_000,
    `xmppSic.${key} to read ${JSON.stringify(value)}`,
  );
}

async function activate(): Promise<XmppSicApi> {
  const extension = vscode.extensions.getExtension<XmppSicApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this extension host`);
  const api = await extension.activate();
  assert.ok(extension.isActive, "extension did not activate");
  return api;
}

/** Accounts this suite added, removed after each test so tests do not see each other's. */
const added = new Set<string>();

async function addAccount(input: AccountInput): Promise<string> {
  const id = await commands.addAccount(input);
  assert.equal(typeof id, "string", `xmppSic.addAccount resolved to ${JSON.stringify(id)}, not an account id`);
  added.add(id);
  return id;
}

function defineTests(config: SuiteConfig): void {
  suite("extension host", () => {
    test("the extension is installed, activates and returns its API", async () => {
      const extension = vscode.extensions.getExtension<XmppSicApi>(EXTENSION_ID);
      const activeBefore = extension?.isActive;
      const started = performance.now();
      const api = await activate();
      // onStartupFinished activates it as the workbench starts, racing this suite: this call may
      // find it active, or join the activation under way. Either way this is not the time of an
      // activation; VS Code's own timings of it are in the next test.
      note(
        `extension.activate() from the suite: ${activeBefore ? "already active" : "not active yet (an activation may be under way)"}, ` +
          `resolved in ${(performance.now() - started).toFixed(1)} ms`,
      );
      for (const method of ["accounts", "lastResult", "onDidChangeResults", "stanzaLog", "hasSecret"] as const) {
        assert.equal(typeof api[method], "function", `API has no ${method}()`);
      }
      const all = await vscode.commands.getCommands(true);
      for (const id of ["xmppSic.addAccount", "xmppSic.editAccount", "xmppSic.removeAccount", "xmppSic.setDefaultAccount", "xmppSic.check", "xmppSic.stanzaLog.clear", "xmppSic.stanzaLog.export"]) {
        assert.ok(all.includes(id), `command ${id} is not registered`);
      }
    });
  });

  suite("first use", () => {
    teardown(async () => {
      for (const id of added) await commands.removeAccount(id);
      added.clear();
    });
    const loaded = (bundle: string) => Object.keys(require.cache).some((path) => path.endsWith(`${sep}dist${sep}${bundle}`));
    // Before any command has run: activate() registers stand-ins only (src/vscode/firstUse.ts);
    // the workbench (dist/workbench.js) and the core (dist/core.js: TLS, crypto, the XML parser)
    // wait for their first use. Importing either from extension.ts undoes that.
    test("activation loaded neither the workbench nor the core", async () => {
      await activate();
      assert.equal(loaded("extension.js"), true, "the activation bundle is not in require.cache: is this the extension under test?");
      assert.equal(loaded("workbench.js"), false, "activation loaded dist/workbench.js (imported by extension.ts, or a view asked for rows?)");
      assert.equal(loaded("core.js"), false, "activation loaded the core");
    });

    // The first command loads the workbench, which swaps every stand-in for the real command: the
    // same ids stay registered, and a script's command returns what the real one returns.
    test("the first command loads the workbench; every contributed command is then the real one", async () => {
      await activate();
      const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
      const contributed: string[] = extension.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
      const result = await vscode.commands.executeCommand("xmppSic.stanzaLog.clear");
      assert.equal(loaded("workbench.js"), true, "running a command did not load dist/workbench.js");
      assert.equal(result, undefined);
      const all = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(contributed.filter((id) => !all.has(id)), [], "contributed commands not registered once the workbench is loaded");
      const id = await addAccount({ jid: `first-use-${Date.now()}@example.org`, password: "first use" });
      const api = await activate();
      assert.ok(api.accounts().some((a) => a.id === id), "the API does not see the account the command added");
    });
  });

  suite("activation", () => {
    // VS Code's own timings of the activation (extension host: require of the bundle, the
    // activate() call, the returned value settling), as "Developer: Startup Performance" lists them.
    test("activate() time, as VS Code measured it (Developer: Startup Performance)", async () => {
      await activate();
      await vscode.commands.executeCommand("perfview.show");
      try {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: "perf", path: "Startup Performance" }));
        // | Extension | Eager | Load Code | Call Activate | Finish Activate | Event | By |
        const row = await until(
          () => doc.getText().split("\n").find((line) => new RegExp(`^\\|\\s*${EXTENSION_ID.replace(/\./g, "\\.")}\\s*\\|`).test(line)),
          20_000,
          `a row for ${EXTENSION_ID} in the Extension Activation Stats`,
        ).catch((error: Error) => {
          throw new Error(`${error.message}; the document reads:\n${doc.getText().slice(0, 6000)}`);
        });
        const cells = row.split("|").map((c) => c.trim()).slice(1, -1);
        assert.equal(cells.length, 7, `unexpected row: ${row}`);
        const [, eager, load, call, finish, event] = cells;
        const [loadMs, callMs, finishMs] = [load, call, finish].map(Number) as [number, number, number];
        for (const [name, ms] of [["load code", loadMs], ["call activate", callMs], ["finish activate", finishMs]] as const) {
          assert.ok(Number.isFinite(ms) && ms >= 0, `${name} is not a time: ${row}`);
        }
        note(
          `activate() took ${loadMs + callMs + finishMs} ms (VS Code's extension host timings, dev build dist/extension.js: ` +
            `load code ${loadMs} ms + call activate ${callMs} ms + finish activate ${finishMs} ms; event ${event}, eager ${eager})`,
        );
      } finally {
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
      }
    });
  });

  suite("a failed check leaves the extension usable, and the next check works", function () {
    let api: XmppSicApi;
    let target: ProsodyTarget;
    let failures: FailureTargets;
    let jid: string;

    suiteSetup(async function () {
      if (!config.prosody || !config.failures) return this.skip();
      target = config.prosody;
      failures = config.failures;
      jid = `${target.user}@${target.domain}`;
      api = await activate();
    });

    teardown(async () => {
      for (const id of added) await commands.removeAccount(id);
      added.clear();
      if (vscode.workspace.getConfiguration("xmppSic").inspect("timeoutSeconds")?.globalValue !== undefined) await setSetting("timeoutSeconds", undefined);
    });

    const good = (): AccountInput => ({
      jid,
      password: target.password,
      host: target.host,
      port: target.starttlsPort,
      tls: "starttls",
      caFile: target.caFile,
    });

    const probe = async (): Promise<ProbeState> => (await fetch(failures.probeUrl, { signal: AbortSignal.timeout(5_000) })).json() as Promise<ProbeState>;

    /**
     * Adds an account set up to fail, checks it and expects `code`; then holds the extension to
     * still working: the API answers, another account checks fine, and once `fix` is applied with
     * editAccount the same account checks fine.
     */
    async function failThenRecover(code: string, broken: Partial<AccountInput>, fix: Partial<AccountInput>, during?: (elapsedMs: number) => Promise<void>) {
      const events: { accountId: string; outcome: CheckOutcome }[] = [];
      const listener = api.onDidChangeResults((e) => events.push(e));
      try {
        const id = await addAccount({ ...good(), ...broken });
        const started = performance.now();
        const failed = await commands.check(id);
        const elapsedMs = performance.now() - started;
        assert.ok(failed, "xmppSic.check resolved to no outcome");
        if (failed.ok) assert.fail(`expected a ${code} failure, the check succeeded (${JSON.stringify(failed.result.address)})`);
        assert.equal(failed.error.code, code, `expected ${code}, got ${failed.error.code}: ${failed.error.message}`);
        assert.ok(failed.error.message.trim().length > 0, "the failure has no message");
        assert.ok(!Number.isNaN(Date.parse(failed.at)), `outcome.at is not a time: ${failed.at}`);
        assertNoSecret(JSON.stringify(failed), target, `the ${code} outcome`);
        await during?.(elapsedMs);

        // The API still answers, and tells the same story.
        assert.deepEqual(api.lastResult(id), failed, "api.lastResult differs from what the command resolved to");
        assert.ok(
          events.some((e) => e.accountId === id && !e.outcome.ok && e.outcome.error.code === code),
          "onDidChangeResults did not report the failure",
        );
        assert.ok(api.accounts().some((a) => a.id === id && a.jid === jid), "the account is gone from api.accounts()");
        assert.equal(await api.hasSecret(id), true, "the failure lost the stored password");
        const log = api.stanzaLog();
        assert.ok(Array.isArray(log), "api.stanzaLog() is not a list");
        assertNoSecret(JSON.stringify(log), target, "api.stanzaLog() after the failure");

        // Another account still checks fine, and so does this one once fixed.
        const other = await addAccount({ ...good(), jid: `${target.second.user}@${target.domain}`, password: target.second.password });
        assertOk(await commands.check(other), `another account's check after the ${code} failure`);
        await commands.editAccount(id, fix);
        const fixed = await commands.check(id);
        const result = assertOk(fixed, `the check after fixing the ${code} failure`);
        assert.equal(result.address.ip, "127.0.0.1");
        assert.equal(result.server.port, target.starttlsPort);
        assert.deepEqual(api.lastResult(id), fixed, "api.lastResult is not the fixed check's");
        assert.ok(events.some((e) => e.accountId === id && e.outcome.ok), "onDidChangeResults did not report the fixed check");
      } finally {
        listener.dispose();
      }
    }

    test("a wrong password: auth", () => failThenRecover("auth", { password: `${target.password}-wrong` }, { password: target.password }));

    test("a port where nothing listens: connect", () =>
      failThenRecover("connect", { port: failures.refusedPort }, { port: target.starttlsPort }));

    test("a port that accepts and never speaks, xmppSic.timeoutSeconds 1: timeout, and the connection closed", async () => {
      await setSetting("timeoutSeconds", 1);
      const before = (await probe()).silent;
      await failThenRecover("timeout", { port: failures.silentPort }, { port: target.starttlsPort }, async (elapsedMs) => {
        // The deadline came from the setting: not the 15 s default, and not a failure before it.
        assert.ok(elapsedMs >= 900 && elapsedMs < 6_000, `the check failed after ${Math.round(elapsedMs)} ms with timeoutSeconds 1`);
        const after = await until(async () => {
          const now = (await probe()).silent;
          return now.open === 0 && now;
        }, 5_000, "the silent server to see the connection close");
        assert.equal(after.accepted, before.accepted + 1, "the check did not open exactly one connection");
        // The fix below must not race the 1 s deadline.
        await setSetting("timeoutSeconds", undefined);
      });
    });

    test("a Prosody without mod_ipcheck: unsupported", async function () {
      const server = failures.noIpcheck;
      if ("skip" in server) return this.skip();
      await failThenRecover("unsupported", { port: server.port, caFile: server.caFile }, { port: target.starttlsPort, caFile: target.caFile });
    });

    for (const [code, which, what] of [
      ["bad-reply", "badReply", "malformed XML"],
      ["stream-error", "streamError", "a stream error"],
    ] as const) {
      test(`a server answering the query with ${what}: ${code}, and the connection closed`, async () => {
        const server = failures[which];
        await failThenRecover(code, { port: server.port, caFile: server.caFile }, { port: target.starttlsPort, caFile: target.caFile }, async () => {
          const seen = await until(async () => {
            const now = (await probe())[which];
            return now.open === 0 && now;
          }, 5_000, `the ${which} server to see the connection close`);
          assert.ok(seen.accepted >= 1, `the ${which} server saw no connection`);
        });
      });
    }
  });

  suite("xmppSic.keepSessionOpen against a real Prosody", function () {
    let target: ProsodyTarget;

    suiteSetup(async function () {
      if (!config.prosody) return this.skip();
      target = config.prosody;
      await activate();
    });

    teardown(async () => {
      for (const id of added) await commands.removeAccount(id);
      added.clear();
      if (vscode.workspace.getConfiguration("xmppSic").get("keepSessionOpen")) await setSetting("keepSessionOpen", false);
    });

    test("on: a second check reuses the connection (connect 0 ms, same local port, one login); off: the server sees it close", async () => {
      const { user, password } = target.kept;
      const keptJid = `${user}@${target.domain}`;
      const serverLog = () => readFileSync(target.logFile, "utf8");
      const logins = () => serverLog().split("\n").filter((line) => line.includes(`Authenticated as ${keptJid}`)).length;
      assert.equal(logins(), 0, "the kept-session account logged in before the test");

      await setSetting("keepSessionOpen", true);
      const id = await addAccount({ jid: keptJid, password, host: target.host, port: target.starttlsPort, tls: "starttls", caFile: target.caFile });
      const first = assertOk(await commands.check(id), "the first check");
      const second = assertOk(await commands.check(id), "the second check");
      // A new outcome, not the first one again. (Not told apart by checkId: LiveCheck.recheck() in
      // src/core keeps the first check's, and logs the re-check's stanzas under it.)
      assert.notDeepEqual(second, first, "the second check is the first one's outcome again");
      assert.ok(Date.parse(second.checkedAt) >= Date.parse(first.checkedAt), "the second check is older than the first");
      assert.equal(second.timingsMs.connect, 0, `the second check connected (timings ${JSON.stringify(second.timingsMs)})`);
      assert.equal(second.timingsMs.tls, 0, "the second check negotiated TLS again");
      assert.equal(second.timingsMs.auth, 0, "the second check logged in again");
      assert.equal(second.local.port, first.local.port, "the second check used another local port: another connection");
      assert.equal(second.address.port, first.address.port, "the server saw the second check come from another port");

      // The server's side: one connection from that port, one login, still open.
      const opened = new RegExp(`(conn[\\w-]+)\\s+debug\\s+New connection FD \\d+ \\(127\\.0\\.0\\.1, ${first.local.port}, 127\\.0\\.0\\.1, ${target.starttlsPort}\\)`, "g");
      const connections = await until(() => {
        const found = [...serverLog().matchAll(opened)];
        return found.length > 0 && found;
      }, 5_000, `Prosody's log to show the connection from port ${first.local.port}`);
      const connId = connections.at(-1)![1]!;
      assert.equal(logins(), 1, "Prosody saw more than one login for two checks");
      // Prosody's connection lines until then: New connection, Connected, Start TLS ..., TLS
      // handshake complete. Its closing ones vary: "Close after writing remaining buffered data",
      // "Closing now", "Read error, closing (closed)", "Connection closed by remote".
      const closeLine = new RegExp(`${connId}\\s+\\w+\\s+.*\\bclos`, "i");
      assert.ok(!closeLine.test(serverLog()), "Prosody closed the kept connection already");

      await setSetting("keepSessionOpen", false);
      await until(() => closeLine.test(serverLog()), 10_000, `Prosody to see the kept connection (${connId}) close once the setting is off`);

      // Off: the next check is a fresh connection (and a fresh login) again.
      const third = assertOk(await commands.check(id), "the check after turning the setting off");
      assert.notEqual(third.local.port, first.local.port, "the check after turning the setting off reused the old connection");
      await until(() => logins() === 2, 5_000, "Prosody to see the second login");
    });
  });

  suite("accounts and checks against a real Prosody", function () {
    let api: XmppSicApi;
    let target: ProsodyTarget;
    let jid: string;

    suiteSetup(async function () {
      if (!config.prosody) return this.skip();
      target = config.prosody;
      jid = `${target.user}@${target.domain}`;
      api = await activate();
    });

    const account = (over: Partial<AccountInput> = {}): AccountInput => ({
      jid,
      password: target.password,
      host: target.host,
      port: target.starttlsPort,
      tls: "starttls",
      caFile: target.caFile,
      ...over,
    });

    teardown(async () => {
      for (const id of added) await commands.removeAccount(id);
      added.clear();
    });

    test("addAccount with arguments, then check: the server sees 127.0.0.1 and our local port", async () => {
      const events: { accountId: string; outcome: CheckOutcome }[] = [];
      const listener = api.onDidChangeResults((e) => events.push(e));
      try {
        const id = await addAccount(account());
        const view = api.accounts().find((a) => a.id === id);
        assert.ok(view, "the new account is not in api.accounts()");
        assert.equal(view.jid, jid);
        assert.equal(view.host, target.host);
        assert.equal(view.port, target.starttlsPort);
        assert.equal(view.tls, "starttls");
        assert.equal(view.caFile, target.caFile);
        assert.ok(!("password" in view), "AccountView has a password field");
        assertNoSecret(JSON.stringify(api.accounts()), target, "api.accounts()");
        assert.equal(await api.hasSecret(id), true, "no secret stored for the new account");

        await commands.setDefaultAccount(id);
        assert.equal(api.accounts().find((a) => a.id === id)?.isDefault, true);

        const outcome = await commands.check(id);
        const result = assertOk(outcome, "xmppSic.check(id)");
        assert.equal(result.address.ip, "127.0.0.1");
        assert.equal(result.address.family, "IPv4");
        assert.equal(result.address.port, result.local.port, "reported port is not our local port");
        assert.equal(result.local.ip, "127.0.0.1");
        assert.equal(result.nat.verdict, "no-nat");
        assert.equal(result.server.port, target.starttlsPort);
        assert.equal(result.server.tls, "starttls");
        assert.deepEqual(api.lastResult(id), outcome, "api.lastResult differs from what the command resolved to");
        assert.ok(
          events.some((e) => e.accountId === id && e.outcome.ok && e.outcome.result.checkId === result.checkId),
          "onDidChangeResults did not report the check",
        );

        // No argument: the default account.
        const again = assertOk(await commands.check(), "xmppSic.check()");
        assert.equal(again.jid, jid);
        assert.notEqual(again.checkId, result.checkId);
      } finally {
        listener.dispose();
      }
    });

    test("the stanza log holds the redacted exchange; export writes XML without the password; clear empties it", async () => {
      const id = await addAccount(account());
      await commands.clearLog();
      const result = assertOk(await commands.check(id), "check");
      const entries = api.stanzaLog().filter((e) => e.checkId === result.checkId);
      assert.ok(entries.length > 0, "no stanza log entries for the check");
      assert.ok(entries.some((e) => e.direction === "out" && e.kind === "iq" && e.xml.includes(result.namespace)), "no outgoing XEP-0279 query logged");
      assert.ok(entries.some((e) => e.direction === "in" && e.kind === "iq" && e.xml.includes("127.0.0.1")), "no incoming answer with the address logged");
      assert.ok(entries.some((e) => e.kind === "sasl"), "no SASL exchange logged");
      assertNoSecret(JSON.stringify(api.stanzaLog()), target, "api.stanzaLog()");

      const file = join(config.scratchDir, "stanza-log.xml");
      await commands.exportLog(vscode.Uri.file(file));
      const xml = readFileSync(file, "utf8");
      assert.match(xml, /^\s*<(\?xml|[A-Za-z])/, "export is not XML");
      assert.ok(xml.includes(result.namespace), "export lacks the XEP-0279 query");
      assert.ok(xml.includes("127.0.0.1"), "export lacks the answer");
      assertNoSecret(xml, target, "the exported stanza log");

      await commands.clearLog();
      assert.equal(api.stanzaLog().length, 0, "xmppSic.stanzaLog.clear left entries");
    });

    test("editAccount: a wrong password fails with an auth error, the right one and direct TLS succeed", async () => {
      const id = await addAccount(account());
      await commands.editAccount(id, { password: `${target.password}-wrong` });
      const wrong = await commands.check(id);
      assert.ok(wrong && !wrong.ok, "a check with a wrong password succeeded");
      assert.equal(wrong.error.code, "auth");
      assert.deepEqual(api.lastResult(id), wrong);

      await commands.editAccount(id, { password: target.password, tls: "direct", port: target.directTlsPort });
      const view = api.accounts().find((a) => a.id === id);
      assert.equal(view?.tls, "direct");
      assert.equal(view?.port, target.directTlsPort);
      const result = assertOk(await commands.check(id), "check over direct TLS");
      assert.equal(result.server.tls, "direct");
      assert.equal(result.server.port, target.directTlsPort);
      assert.equal(result.address.ip, "127.0.0.1");
    });

    test("check 'all' checks every account and resolves to their outcomes", async () => {
      const first = await addAccount(account());
      const second = await addAccount(
        account({ jid: `${target.second.user}@${target.domain}`, password: target.second.password, tls: "direct", port: target.directTlsPort }),
      );
      const outcomes = await commands.checkAll();
      assert.ok(Array.isArray(outcomes), `xmppSic.check('all') resolved to ${JSON.stringify(outcomes)}`);
      assert.equal(outcomes.length, api.accounts().length);
      for (const outcome of outcomes) assertOk(outcome, "one of check('all')");
      assertNoSecret(JSON.stringify(outcomes), target, "the outcomes of check('all')");
      assertOk(api.lastResult(first), "lastResult(first)");
      assertOk(api.lastResult(second), "lastResult(second)");
    });

    test("removeAccount deletes the account and its secret; checking it then is a usage error", async () => {
      const id = await addAccount(account());
      assert.equal(await api.hasSecret(id), true);
      await commands.removeAccount(id);
      added.delete(id);
      assert.equal(api.accounts().some((a) => a.id === id), false, "removed account still listed");
      assert.equal(await api.hasSecret(id), false, "secret still stored after removeAccount");
      let outcome: CheckOutcome | undefined;
      try {
        outcome = await commands.check(id);
      } catch (error) {
        // A rejected command is an acceptable way to refuse, as long as it names the account.
        assert.match(String(error), /account/i);
        return;
      }
      assert.ok(outcome && !outcome.ok, "checking a removed account succeeded");
      assert.equal(outcome.error.code, "usage");
    });

    // Last: an account left in place, so the Node side finds the extension's state on disk
    // (globalState in the browser's IndexedDB, the secret in its localStorage) and searches it.
    test("an account left behind, checked, for the Node side to inspect on disk", async () => {
      const id = await commands.addAccount(account());
      assert.equal(typeof id, "string");
      assertOk(await commands.check(id), "check");
      assert.equal(await api.hasSecret(id), true);
    });
  });
}

function readConfig(): SuiteConfig {
  const file = process.env[SUITE_ENV];
  if (!file) throw new Error(`${SUITE_ENV} is not set: the Node side of the test names the suite's config file`);
  return JSON.parse(readFileSync(file, "utf8")) as SuiteConfig;
}

/** The entry point the extension host calls (extensionTestsPath). */
export async function run(): Promise<void> {
  const config = readConfig();
  const outcome: SuiteResult = { passed: 0, failed: 0, pending: 0, tests: [] };
  const save = () => writeFileSync(config.resultFile, JSON.stringify(outcome, null, 2));
  try {
    const mocha = new Mocha({ ui: "tdd", timeout: 60_000, color: false, reporter: "spec" });
    if (config.grep) mocha.grep(config.grep);
    // What mocha does before requiring a test file: defines suite(), test(), ... on the global.
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, "extension.suite", mocha);
    defineTests(config);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      const { EVENT_TEST_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
      const takeNotes = () => (notes.length > 0 ? { notes: notes.splice(0) } : {});
      runner.on(EVENT_TEST_BEGIN, () => (notes = []));
      runner.on(EVENT_TEST_PASS, (t) => {
        outcome.passed++;
        outcome.tests.push({ fullTitle: t.fullTitle(), state: "passed", durationMs: t.duration ?? 0, ...takeNotes() });
      });
      runner.on(EVENT_TEST_FAIL, (t, err: Error) => {
        outcome.failed++;
        outcome.tests.push({ fullTitle: t.fullTitle(), state: "failed", durationMs: t.duration ?? 0, error: err?.stack ?? String(err), ...takeNotes() });
      });
      runner.on(EVENT_TEST_PENDING, (t) => {
        outcome.pending++;
        outcome.tests.push({ fullTitle: t.fullTitle(), state: "pending", durationMs: 0 });
      });
    });
  } catch (error) {
    outcome.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    save();
  }
  if (outcome.error) throw new Error(outcome.error);
  if (outcome.failed > 0) throw new Error(`${outcome.failed} of ${outcome.tests.length} tests failed`);
}
