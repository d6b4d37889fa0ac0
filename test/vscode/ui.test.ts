// The extension as a person uses it: the packaged .vsix installed into code-server with
// `--install-extension`, the workbench in headless Chromium, every step through the UI (command
// palette, input boxes, quick picks, views, editor), against the shared real Prosody. Then what a
// failure looks like (status bar warning, the error and its Retry action in Results; Retry after
// fixing the account), Cancel in the progress notification of a check against a port that never
// answers (cancelled at once, its connection closed, the last result kept), and the activation time VS Code shows for
// the installed .vsix ("activate() took N ms" in the report).
//
// Screenshots go to out/test/screenshots/; with XMPP_SIC_UPDATE_SCREENSHOTS=1 to docs/ as well
// (docs/status-bar.png, docs/results-view.png, docs/stanza-xml.png).
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { readRunningExtensions } from "./activationTimes";
import { openBrowser, type BrowserSession } from "./browser";
import { SilentServer } from "./fixtures";
import { buildVsix, filesContaining, filesUnder, repoRoot, waitForBrowserStorage } from "./harness";
import { addStarttlsAccountByKeyboard, uiRun } from "./uiRun";
import { answer, chooseFile, forEachRow, openWorkbench, QUIET_WORKBENCH, partsOf, widenSidebar, runCommand, screenshot, STEP_MS, until, viewPane } from "./uiDriver";
import { secretForms } from "./suite/protocol";

const TEST_TIMEOUT_MS = 300_000;

interface AccountAnswers {
  jid: string;
  password: string;
  host: string;
  port: number;
  caFile: string;
}

/** Edit Account through the palette: "All settings, one after another", answering every step (the only account: no picker). */
async function editAccount(page: Page, a: AccountAnswers): Promise<void> {
  await runCommand(page, "XMPP IP Check: Edit Account");
  await answer(page, /Which setting/i, "All settings", true);
  await answer(page, /JID/i, a.jid);
  await answer(page, /password/i, a.password);
  await answer(page, /host name/i, a.host);
  await answer(page, /TCP port/i, String(a.port));
  await answer(page, /secur|TLS/i, "STARTTLS", true);
  await answer(page, /trust|certificate/i, "CA file", true);
  await chooseFile(page, /CA certificate/, a.caFile);
  await answer(page, /address families/i, "Automatic", true);
}

test("a person adds an account and checks it in VS Code: status bar, Results, Stanza Log", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  // The password needs escaping in XML and JSON, and is not ASCII: the search below covers those forms too.
  const run = await uiRun(t, "prosody", "ui");
  if (!run) return;
  const { bed: prosody, scratch, server, user, password, jid } = run;
  let browser: BrowserSession | undefined;
  // Accepts TCP connections and never answers: a check against it runs until cancelled.
  let silent: SilentServer | undefined;
  const steps: string[] = [];
  const step = (s: string) => steps.push(`${new Date().toISOString()} ${s}`);
  try {
    await prosody.addUser(user, password);
    step("packaging the .vsix");
    const vsix = await buildVsix(scratch);
    step("installing it with code-server --install-extension");
    const installed = await server.installVsix(vsix);
    assert.match(installed, /successfully installed/, `install output: ${installed}`);
    assert.ok(
      readdirSync(server.extensionsDir).some((name) => name.startsWith("xmpp-sic.xmpp-sic-")),
      `no xmpp-sic.xmpp-sic-* in the extensions dir: ${readdirSync(server.extensionsDir).join(", ")}`,
    );
    await server.start({ settings: QUIET_WORKBENCH });

    browser = await openBrowser({ width: 1280, height: 800 });
    const { page } = browser;
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    step("opening the workbench");
    await openWorkbench(page, server.workbenchUrl());

    step("Add Account through the palette and its prompts");
    await addStarttlsAccountByKeyboard(page, run);
    // A new account is checked at once: wait for that first result, then start the Stanza Log
    // afresh, so that what follows reads the one check run from the palette.
    await page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: /127\.0\.0\.1:\d+/ }).first().waitFor({ timeout: STEP_MS });
    await runCommand(page, "XMPP IP Check: Clear Stanza Log");

    // The port the real server saw us connect from, from its own log: "Connected (FD n (127.0.0.1,
    // <client port>, 127.0.0.1, <server port>))". Every view must show exactly this one.
    const connectedFrom = () =>
      [...prosody.logText().matchAll(new RegExp(`\\(127\\.0\\.0\\.1, (\\d+), 127\\.0\\.0\\.1, ${prosody.starttlsPort}\\)`, "g"))].map((m) => Number(m[1]));

    step("Check External Address through the palette");
    const connectionsBefore = connectedFrom().length;
    await runCommand(page, "XMPP IP Check: Check External Address");
    // The status bar already shows the new account's first check: wait until it shows this one's,
    // the port of the connection the server saw after the palette command.
    await until(async () => {
      const ports = connectedFrom();
      if (ports.length <= connectionsBefore) return false;
      const bar = await page.locator("#workbench\\.parts\\.statusbar").innerText().catch(() => "");
      return bar.includes(`127.0.0.1:${ports.at(-1)}`);
    }, "the status bar to show the palette check's port");
    const seenPort = async (text: string, where: string) => {
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
      assert.ok(port > 0, `${where} shows no 127.0.0.1:<port>: ${text}`);
      assert.ok(connectedFrom().includes(port), `${where} shows port ${port}; Prosody saw connections from ${connectedFrom().join(", ")}`);
      return port;
    };
    // Each part is its own subtest: one that fails leaves the others to say what still works.
    const part = partsOf(t, page, "ui", consoleLines, { escapes: 1, mouseTo: [640, 400] });
    let port = 0;

    await part("the status bar shows 127.0.0.1:<the port the server saw>", async (st) => {
      const status = page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: /127\.0\.0\.1:\d+/ }).first();
      await status.waitFor({ state: "visible", timeout: 45_000 }).catch(async () => {
        const bar = await page.locator("#workbench\\.parts\\.statusbar").innerText();
        throw new Error(`no 127.0.0.1:<port> in the status bar, which shows: ${bar.replace(/\s+/g, " ")}`);
      });
      port = await seenPort(await status.innerText(), "the status bar");
      await status.hover();
      await page.locator(".monaco-hover, .workbench-hover", { hasText: /External/ }).first().waitFor({ timeout: 5_000 }).catch(() => {});
      const viewport = page.viewportSize()!;
      await screenshot(st, (path) => page.screenshot({ path, clip: { x: viewport.width - 720, y: viewport.height - 300, width: 720, height: 300 } }), "status-bar.png");
    });

    await part("the Results view shows the address, the port and the NAT hint", async (st) => {
      const results = await viewPane(page, "Results");
      await results.locator(".monaco-list-row", { hasText: jid }).first().waitFor({ timeout: STEP_MS });
      await results.locator(".monaco-list-row", { hasText: /127\.0\.0\.1/ }).first().waitFor({ timeout: STEP_MS });
      const text = await results.innerText();
      const shown = await seenPort(text, "the Results view");
      if (port) assert.equal(shown, port, "the Results view and the status bar disagree");
      port ||= shown;
      assert.match(text, /no NAT/i, `the Results view shows no NAT hint:\n${text}`);
      await widenSidebar(page);
      await screenshot(st, (path) => page.locator("#workbench\\.parts\\.sidebar").screenshot({ path }), "results-view.png");
    });

    const forms = secretForms(user, password);
    await part("the Stanza Log view lists the exchange; each stanza opens as XML without the password", async (st) => {
      const stanzas = await viewPane(page, "Stanza Log");
      // The check's group comes first (newest check on top); its stanzas below it.
      await stanzas.locator(".monaco-list-row", { hasText: jid }).first().waitFor({ timeout: STEP_MS });
      // Probes: short timeouts, since "not there yet" (or "no editor open yet") is a normal answer.
      const editorText = async () => (await page.locator(".editor-instance .view-lines").first().innerText({ timeout: 500 })).replace(/\u00a0/g, " ");
      let sawAnswer = false;
      let sawSasl = false;
      let opened = 0;
      const labels: string[] = [];
      const count = await forEachRow(page, stanzas, async (row, label, level) => {
        labels.push(label.replace(/\s+/g, " "));
        if (level === "1") return; // the check's group
        // Each stanza opens in the (preview) editor under its own name: wait for the new one.
        const activeTab = page.locator(".tabs-container .tab.active");
        const previousTab = (await activeTab.innerText({ timeout: 500 }).catch(() => "")).trim();
        const previousText = await editorText().catch(() => "");
        await row.click({ timeout: 5_000 });
        await page.mouse.move(900, 300); // no hover tooltip over the next row
        await until(async () => {
          const tab = (await activeTab.innerText({ timeout: 500 }).catch(() => "")).trim();
          return /\.xml/.test(tab) && tab !== previousTab;
        }, `the editor tab of "${label}"`);
        // Read once, where it is seen: the editor may re-render between two probes.
        let xml = "";
        await until(async () => {
          xml = await editorText().catch(() => "");
          return xml.includes("<") && xml !== previousText;
        }, `the XML of "${label}" in the editor`);
        opened++;
        for (const form of forms) assert.ok(!xml.includes(form), `stanza "${label}" shows the password (as ${form})`);
        if (/sasl|auth/i.test(`${label} ${xml}`)) sawSasl = true;
        if (!sawAnswer && /<(address|ip)\b/.test(xml) && xml.includes("127.0.0.1") && (!port || xml.includes(String(port)))) {
          sawAnswer = true;
          await screenshot(st, (path) => page.screenshot({ path }), "stanza-xml.png");
        }
      });
      assert.ok(opened > 3, `only ${opened} stanzas opened (${count} rows)`);
      // The check's group says how many stanzas it has: every one of them was opened and read.
      const announced = Number(/(\d+) stanzas?/.exec(labels.find((l) => l.includes(jid)) ?? "")?.[1] ?? opened);
      assert.equal(opened, announced, `opened ${opened} stanzas of the ${announced} the group lists`);
      // The rows name payloads by their short namespace ("sic:1"), as an XML console does.
      assert.ok(labels.some((l) => /^sic:[01]\b/.test(l)), `no XEP-0279 query among the rows:\n${labels.join("\n")}`);
      assert.ok(sawSasl, "no SASL stanza in the Stanza Log");
      assert.ok(sawAnswer, `no stanza showed the server's answer with 127.0.0.1${port ? `:${port}` : ""}`);
    });

    const good: AccountAnswers = { jid, password, host: "127.0.0.1", port: prosody.starttlsPort, caFile: prosody.certs.caFile };
    const statusItem = (text: string | RegExp) => page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: text }).first();
    const clearNotifications = () => runCommand(page, "Notifications: Clear All Notifications");

    await part("a failed check: the status bar warns, Results shows the error with Retry; Retry after fixing works", async (st) => {
      step("Edit Account: a wrong password");
      await editAccount(page, { ...good, password: `${password}-wrong` });
      await runCommand(page, "XMPP IP Check: Check External Address");
      await statusItem("XMPP check failed").waitFor({ state: "visible", timeout: STEP_MS }).catch(async () => {
        const bar = await page.locator("#workbench\\.parts\\.statusbar").innerText();
        throw new Error(`no "XMPP check failed" in the status bar, which shows: ${bar.replace(/\s+/g, " ")}`);
      });
      const results = await viewPane(page, "Results");
      const errorRow = results.locator('.monaco-list-row[aria-level="2"]', { hasText: /Wrong JID or password/ }).first();
      await errorRow.waitFor({ timeout: STEP_MS });
      const errorText = (await errorRow.innerText()).replace(/\s+/g, " ").trim();
      // The label, then the error sentence as the description.
      assert.match(errorText, /^Wrong JID or password\s*\S/, `the error row shows no message: ${errorText}`);
      for (const form of forms) assert.ok(!errorText.includes(form), `the error row shows the password (as ${form})`);
      assert.equal(await results.locator(".monaco-list-row", { hasText: /127\.0\.0\.1/ }).count(), 0, "the Results view still shows the old address under the failure");
      await errorRow.hover();
      const retry = errorRow.getByRole("button", { name: "Retry" });
      await retry.waitFor({ state: "visible", timeout: 5_000 });
      // For looking at, not for docs/: out/test/screenshots only.
      const failedShot = join(repoRoot(), "out/test/screenshots/ui-check-failed.png");
      await page.screenshot({ path: failedShot });
      st.diagnostic(`screenshot: ${failedShot}`);
      await clearNotifications();

      step("Edit Account: the right password again, then Retry on the error");
      await editAccount(page, good);
      const errorAgain = results.locator('.monaco-list-row[aria-level="2"]', { hasText: /Wrong JID or password/ }).first();
      await errorAgain.hover();
      await errorAgain.getByRole("button", { name: "Retry" }).click({ timeout: 5_000 });
      const fixed = statusItem(/127\.0\.0\.1:\d+/);
      await fixed.waitFor({ state: "visible", timeout: STEP_MS });
      const retried = await seenPort(await fixed.innerText(), "the status bar after Retry");
      assert.notEqual(retried, port, "the status bar shows the port of the check before the failure");
      await results.locator(".monaco-list-row", { hasText: new RegExp(`127\\.0\\.0\\.1:${retried}`) }).first().waitFor({ timeout: STEP_MS });
      assert.equal(await results.locator(".monaco-list-row", { hasText: /Wrong JID or password|Cannot reach|No answer in time|Cancelled/ }).count(), 0, "the Results view still shows the failure after a good Retry");
    });

    await part("Cancel in the progress notification: cancelled at once, its connection closed; the next check works", async (st) => {
      silent = await SilentServer.start();
      step(`Edit Account: port ${silent.port}, which accepts and never answers`);
      await editAccount(page, { ...good, port: silent.port });
      await clearNotifications();
      const before = silent.counts();
      await runCommand(page, "XMPP IP Check: Check External Address");
      await silent.until((c) => c.accepted > before.accepted, STEP_MS, "the check to connect");
      const toast = page.locator(".notification-toast", { hasText: `Checking ${jid}` }).first();
      const cancel = toast.getByRole("button", { name: "Cancel" });
      await cancel.waitFor({ state: "visible", timeout: STEP_MS });
      await statusItem(/Checking/).waitFor({ state: "visible", timeout: 5_000 });
      const clicked = Date.now();
      await cancel.click();
      const clickMs = Date.now() - clicked;
      // Timed apart: the server seeing the socket close, and the outcome reaching the view.
      const closed = silent.until((c) => c.open === 0, 5_000, "the cancelled check's connection to close").then((counts) => ({ counts, ms: Date.now() - clicked }));
      closed.catch(() => {});
      // A cancelled check learned nothing: the last good result stays, in the status bar and in Results.
      const results = await viewPane(page, "Results");
      await statusItem(/127\.0\.0\.1:\d+/).waitFor({ state: "visible", timeout: 10_000 });
      const shownMs = Date.now() - clicked;
      assert.equal(await results.locator(".monaco-list-row", { hasText: /Wrong JID or password|Cannot reach|No answer in time|Cancelled/ }).count(), 0, "the cancelled check replaced the last result");
      const { counts: after, ms: closedMs } = await closed;
      assert.equal(after.accepted, before.accepted + 1, "the check opened more than one connection");
      // The deadline is the 15 s default: an outcome this soon can only be the cancellation.
      assert.ok(shownMs < 5_000, `the status bar left "Checking…" only ${shownMs} ms after Cancel`);
      await toast.waitFor({ state: "hidden", timeout: 5_000 });
      // Playwright's click includes its own actionability waits (a few hundred ms here): the
      // times after the click returned are the extension's.
      st.diagnostic(
        `Cancel: after the click returned (it took ${clickMs} ms), the server saw the socket close in ${Math.max(0, closedMs - clickMs)} ms ` +
          `and the status bar showed the last result again in ${Math.max(0, shownMs - clickMs)} ms`,
      );

      step("Edit Account: the real server again, and check");
      await editAccount(page, good);
      await runCommand(page, "XMPP IP Check: Check External Address");
      const ok = statusItem(/127\.0\.0\.1:\d+/);
      await ok.waitFor({ state: "visible", timeout: STEP_MS });
      await seenPort(await ok.innerText(), "the status bar after the cancelled check");
      assert.equal(silent.counts().accepted, after.accepted, "the check after the cancelled one went to the silent port");
    });

    await part("activate() time, as VS Code's Running Extensions shows it (the packaged .vsix)", async (st) => {
      const text = await readRunningExtensions(page, /xmpp-sic\.xmpp-sic|XMPP IP Check/);
      const ms = Number(/(\d+)ms/.exec(text)![1]);
      assert.ok(Number.isFinite(ms) && ms >= 0, `not a time: ${text}`);
      st.diagnostic(`activate() took ${ms} ms (the packaged .vsix, as VS Code's Running Extensions shows it: "${text}", i.e. load code + call activate)`);
    });

    step("no password in the browser's storage or on disk");
    await t.test("the browser's storage (globalState, secrets) holds the account but not the password", async () => {
      const dump = await waitForBrowserStorage(page, jid);
      for (const form of forms) assert.ok(!dump.includes(form), `the browser's storage holds the password (as ${JSON.stringify(form)})`);
    });
    await browser.close();
    await server.stop();
    await t.test("the password is in no file VS Code or the browser wrote", () => {
      // The search reaches the extension's output channel log (it logged each check there).
      const outputLog = filesUnder(server.userDataDir).find((f) => /(^|\/)xmpp-sic\.xmpp-sic\/XMPP IP Check\.log$/.test(f));
      assert.ok(outputLog, "no \"XMPP IP Check\" output channel log under the user-data-dir");
      assert.ok(
        filesContaining(server.userDataDir, [`Checking ${jid} via`]).some((f) => f.startsWith(`${outputLog} `)),
        `the search does not find the "Checking ${jid}" line in ${outputLog}`,
      );
      const hits = [
        ...filesContaining(server.userDataDir, forms).map((f) => `user-data-dir/${f}`),
        ...filesContaining(server.extensionsDir, forms).map((f) => `extensions-dir/${f}`),
        ...filesContaining(browser!.profileDir, forms).map((f) => `chromium profile/${f}`),
      ];
      assert.deepEqual(hits, [], `the password was found in:\n${hits.join("\n")}`);
    });
  } catch (error) {
    if (browser && !browser.page.isClosed()) {
      const path = join(repoRoot(), "out/test/screenshots/ui-failure.png");
      mkdirSync(join(path, ".."), { recursive: true });
      await browser.page.screenshot({ path }).catch(() => {});
      t.diagnostic(`failure screenshot: ${path}`);
    }
    for (const line of steps) t.diagnostic(`step: ${line}`);
    throw error;
  } finally {
    await browser?.dispose();
    await server.dispose();
    await silent?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});
