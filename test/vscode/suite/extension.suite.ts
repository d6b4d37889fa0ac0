// Runs inside VS Code's extension host (code-server's Node extension host), loaded by the
// workbench from the `extensionTestsPath` payload entry; the extension under test is the repo
// itself, from `extensionDevelopmentPath`. Same shape as a @vscode/test-cli suite: a module
// exporting run(), which mocha drives. Inputs and the result file: see protocol.ts.
//
// These tests drive the extension only through its public surface: command ids with arguments
// (no prompts when arguments are given) and the API that activate() returns.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Mocha from "mocha";
import * as vscode from "vscode";
import type { CheckResult } from "../../../src/core/check";
import type { StanzaLogEntry } from "../../../src/core/stanzaLog";
import { secretForms, SUITE_ENV, type ProsodyTarget, type SuiteConfig, type SuiteResult } from "./protocol";

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
  const forms = [...secretForms(target.user, target.password), ...secretForms(target.second.user, target.second.password)];
  for (const form of forms) {
    assert.ok(!text.includes(form), `${where} contains the password (as ${JSON.stringify(form)})`);
  }
}

function assertOk(outcome: CheckOutcome | undefined, what: string): CheckResult {
  assert.ok(outcome, `${what}: no outcome`);
  if (!outcome.ok) assert.fail(`${what} failed: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result;
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
      const api = await activate();
      for (const method of ["accounts", "lastResult", "onDidChangeResults", "stanzaLog", "hasSecret"] as const) {
        assert.equal(typeof api[method], "function", `API has no ${method}()`);
      }
      const all = await vscode.commands.getCommands(true);
      for (const id of ["xmppSic.addAccount", "xmppSic.editAccount", "xmppSic.removeAccount", "xmppSic.setDefaultAccount", "xmppSic.check", "xmppSic.stanzaLog.clear", "xmppSic.stanzaLog.export"]) {
        assert.ok(all.includes(id), `command ${id} is not registered`);
      }
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
      const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
      runner.on(EVENT_TEST_PASS, (t) => {
        outcome.passed++;
        outcome.tests.push({ fullTitle: t.fullTitle(), state: "passed", durationMs: t.duration ?? 0 });
      });
      runner.on(EVENT_TEST_FAIL, (t, err: Error) => {
        outcome.failed++;
        outcome.tests.push({ fullTitle: t.fullTitle(), state: "failed", durationMs: t.duration ?? 0, error: err?.stack ?? String(err) });
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
