// A hostile server as a person meets it in the packaged .vsix inside code-server + headless
// Chromium (issue 9): a 100 KB see-other-host redirect carrying terminal escape sequences (C1 CSI
// and OSC, CR, DEL, bidi overrides) reaches the warning notification, the Results view (row and
// tooltip) and the "XMPP IP Check" output channel neutralised (visible escapes such as \u009b) and
// clipped, and so does the status bar's tooltip; the notification offers its actions; after Edit Account points the account at the real
// test-bed Prosody, the next check works. Then raw 7-bit ESC sequences, which only base64 can
// carry past XML (SCRAM's server-error e=), arrive escaped as well.
//
// Screenshots go to out/test/screenshots/ (ui-hostile-*.png).
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ESCAPE_ATTACK, hostileScripts, hugeRedirect } from "../adversarial/hostileText";
import { AdversarialServer, PASSWORD } from "../adversarial/server";
import { openBrowser, type BrowserSession } from "./browser";
import { buildVsix, filesUnder, repoRoot } from "./harness";
import { uiRun } from "./uiRun";
import { chooseFile, enter, openWorkbench, QUIET_WORKBENCH, quickInputState, runCommand, screenshot, STEP_MS, toasts, until, viewPane, waitForTitle, widenSidebar } from "./uiDriver";

const TEST_TIMEOUT_MS = 600_000;
/**
 * What text.ts never lets through raw: C0, DEL, C1, line separators, bidi controls. LF excepted:
 * the DOM's innerText and the log file put their own between paragraphs and lines; the server's
 * CR LF must show as "\r\n" (ATTACK_SHOWN).
 */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
/** The redirect's 100 KB of "h": anything longer than this run was not clipped. */
const LONG_RUN = /h{3000}/;
/** The attack as text.ts shows it: the window-title OSC, the line-erasing CSI, the CR, the fake "LOGIN OK". */
const ATTACK_SHOWN = /\\u009d0;pwned\\u009c\\u009b2K\\r\\u009b32mLOGIN OK\\u009b0m \\x7f DEL \\u202eevil\\u202c \\u2066iso\\u2069 \\r\\n second line/;
const ESCAPES_SHOWN = /\\x1b\]0;pwned\\x07\\x1b\[2K\\r\\x1b\[32mLOGIN OK\\x1b\[0m/;

function assertSafe(text: string, where: string, maxChars: number): void {
  const raw = RAW_CONTROL.exec(text);
  assert.equal(raw, null, `${where} shows a raw U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, "0")} at ${raw?.index}: ${JSON.stringify(text.slice(Math.max(0, (raw?.index ?? 0) - 40), (raw?.index ?? 0) + 40))}`);
  assert.doesNotMatch(text, LONG_RUN, `${where} shows the redirect unclipped`);
  assert.ok(text.length <= maxChars, `${where} is ${text.length} characters long`);
}

/** Adds an account through the Results view's multi-step input, trusting `caFile`; the check starts at once. */
async function addAccount(page: Page, a: { jid: string; password: string; port: number; caFile: string }): Promise<void> {
  await runCommand(page, "XMPP IP Check: Add Account");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  const step = async (n: number, value?: string) => {
    await waitForTitle(page, new RegExp(`\\(${n}/7\\)`));
    if (value !== undefined) await input.fill(value);
    await page.waitForTimeout(200);
    await enter(page);
  };
  await step(1, a.jid);
  await step(2, a.password);
  await step(3, `127.0.0.1:${a.port}`);
  await step(4);
  await step(5, "STARTTLS");
  await step(6, "CA file");
  await chooseFile(page, /CA certificate/, a.caFile);
  await step(7); // Automatic, preselected
}

test("a hostile server's escape sequences and 100 KB redirect show up neutralised and clipped in the extension", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const run = await uiRun(t, "prosody", "uih");
  if (!run) return;
  const { bed: prosody, scratch, server, user, password, jid: goodJid } = run;
  let browser: BrowserSession | undefined;
  const hostile = await AdversarialServer.start(hugeRedirect());
  const scram = await AdversarialServer.start(hostileScripts.scramServerError(ESCAPE_ATTACK));
  const hostileJid = "alice@localhost";
  try {
    await prosody.addUser(user, password);
    const vsix = await buildVsix(scratch);
    assert.match(await server.installVsix(vsix), /successfully installed/);
    await server.start({ settings: QUIET_WORKBENCH });
    browser = await openBrowser({ width: 1280, height: 800 });
    const { page } = browser;
    await openWorkbench(page, server.workbenchUrl());
    await viewPane(page, "Results");
    await widenSidebar(page);
    const results = () => viewPane(page, "Results");
    const outputLog = () => {
      const file = filesUnder(server.userDataDir).find((f) => /(^|\/)xmpp-sic\.xmpp-sic\/XMPP IP Check\.log$/.test(f));
      return file ? readFileSync(join(server.userDataDir, file), "utf8") : "";
    };
    // A MarkdownString's appendText turns spaces into &nbsp;: read them back as spaces.
    const hover = async (text: RegExp) =>
      (await page.locator(".monaco-hover, .workbench-hover").filter({ hasText: text }).first().innerText({ timeout: STEP_MS })).replace(/\u00a0/g, " ").trim();

    await t.test("the 100 KB redirect with C1 escape sequences: notification, Results row and tooltip, output channel", async (st) => {
      await addAccount(page, { jid: hostileJid, password: PASSWORD, port: hostile.port, caFile: hostile.certs.caFile });
      const toast = page.locator(".notification-toast", { hasText: /see-other-host/ }).first();
      await toast.waitFor({ timeout: STEP_MS });
      const message = await toast.locator(".notification-list-item-message").innerText();
      assert.ok(message.startsWith(`${hostileJid}: `), `the notification does not name the account: ${message.slice(0, 80)}`);
      assert.match(message, ATTACK_SHOWN, "the notification does not show the attack as visible escapes");
      assert.match(message, /…\)\./, "the notification does not show where the redirect was clipped");
      assertSafe(message, "the notification", 2_000);
      // A stream error: retrying or reading the log is what a person can do (errorActions.ts).
      const buttons = (await toast.locator(".monaco-button").allInnerTexts()).map((b) => b.trim()).filter(Boolean);
      assert.deepEqual(buttons, ["Retry", "Show Log"], `the notification's actions`);
      await screenshot(st, (path) => page.screenshot({ path }), "ui-hostile-notification.png");

      const pane = await results();
      const account = pane.locator('.monaco-list-row[aria-level="1"]', { hasText: hostileJid }).first();
      assert.match((await account.innerText()).replace(/\s+/g, " "), /Server closed the stream/, "the account row's label");
      const errorRow = pane.locator('.monaco-list-row[aria-level="2"]', { hasText: /Server closed the stream/ }).first();
      await errorRow.waitFor({ timeout: STEP_MS });
      const rowText = await errorRow.innerText();
      assert.match(rowText, ATTACK_SHOWN, "the error row does not show the attack as visible escapes");
      assertSafe(rowText, "the error row", 2_000);
      await errorRow.hover();
      const tooltip = await hover(/see-other-host/);
      assert.match(tooltip, ATTACK_SHOWN, "the error row's tooltip does not show the attack as visible escapes");
      assert.match(tooltip, /…\)\./, "the tooltip does not show where the redirect was clipped");
      assertSafe(tooltip, "the error row's tooltip", 2_500);
      await screenshot(st, (path) => page.screenshot({ path }), "ui-hostile-results.png");
      await page.mouse.move(900, 700);
      await page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: /XMPP check failed/ }).first().hover();
      const statusTooltip = await hover(/see-other-host/);
      assert.match(statusTooltip, ATTACK_SHOWN, "the status bar's tooltip does not show the attack as visible escapes");
      assertSafe(statusTooltip, "the status bar's tooltip", 2_500);
      await page.mouse.move(900, 300);

      let log = "";
      await until(async () => ATTACK_SHOWN.test((log = outputLog())), "the failure to reach the output channel's log file");
      const line = log.split("\n").find((l) => l.includes(`${hostileJid}: stream-error:`));
      assert.ok(line, `no stream-error line for ${hostileJid} in the output channel: ${log.slice(-500)}`);
      assert.match(line, ATTACK_SHOWN);
      assertSafe(log, "the output channel's log", 20_000);
      // The panel shows the same channel: the failure's line there is clean as well.
      await toast.locator(".monaco-button", { hasText: "Show Log" }).click();
      const panel = page.locator(".part.panel .view-lines").first();
      // Monaco renders spaces as U+00A0 and wraps long lines: join them again.
      const panelText = async () => (await panel.innerText().catch(() => "")).replace(/\u00a0/g, " ").replace(/\n/g, "");
      await until(async () => ATTACK_SHOWN.test(await panelText()), "the failure in the output panel").catch(async (error) => {
        await page.screenshot({ path: join(repoRoot(), "out/test/screenshots/ui-hostile-failure-panel.png") });
        throw new Error(`${error.message}; the panel shows: ${JSON.stringify((await panelText()).slice(-1500))}`);
      });
      assertSafe(await panelText(), "the output panel", 20_000);
      await screenshot(st, (path) => page.screenshot({ path }), "ui-hostile-output.png");
      await runCommand(page, "View: Hide Panel");
    });

    await t.test("Edit Account points it at the test-bed Prosody: the next check works", async () => {
      await runCommand(page, "Notifications: Clear All Notifications");
      await runCommand(page, "XMPP IP Check: Edit Account");
      await until(async () => /Which setting/.test((await quickInputState(page)).placeholder), "Which setting?");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.fill("All settings");
      await page.waitForTimeout(200);
      await enter(page);
      for (const [n, value] of [[1, goodJid], [2, password], [3, `127.0.0.1:${prosody.starttlsPort}`], [4], [5], [6]] as [number, string?][]) {
        await waitForTitle(page, new RegExp(`\\(${n}/7\\)`));
        if (value !== undefined) await input.fill(value);
        await page.waitForTimeout(200);
        await enter(page);
      }
      await chooseFile(page, /CA certificate/, prosody.certs.caFile);
      await waitForTitle(page, /\(7\/7\)/);
      await enter(page);
      await runCommand(page, "XMPP IP Check: Check External Address");
      const pane = await results();
      await pane.locator('.monaco-list-row[aria-level="1"]', { hasText: goodJid }).first().waitFor({ timeout: STEP_MS });
      await pane.locator('.monaco-list-row[aria-level="2"]', { hasText: /^\s*IP\s*127\.0\.0\.1/ }).first().waitFor({ timeout: STEP_MS });
      assert.equal(await pane.locator(".monaco-list-row", { hasText: /Server closed the stream|LOGIN OK/ }).count(), 0, "the hostile failure is still shown");
      const shown = await toasts(page);
      assert.ok(!shown.some((s) => /LOGIN OK|see-other-host/.test(s)), `a failure notification after the good check: ${shown.join(" | ")}`);
    });

    await t.test("SCRAM's server-error carries raw ESC sequences inside base64: they arrive escaped", async (st) => {
      await addAccount(page, { jid: hostileJid, password: PASSWORD, port: scram.port, caFile: scram.certs.caFile });
      const toast = page.locator(".notification-toast", { hasText: /server error/ }).first();
      await toast.waitFor({ timeout: STEP_MS });
      const message = await toast.locator(".notification-list-item-message").innerText();
      assert.match(message, ESCAPES_SHOWN, "the notification does not show the ESC sequences as visible escapes");
      assertSafe(message, "the SCRAM notification", 2_000);
      const buttons = (await toast.locator(".monaco-button").allInnerTexts()).map((b) => b.trim()).filter(Boolean);
      // An e= that is not about the credentials: a new password cannot help, so none is offered.
      assert.deepEqual(buttons, ["Show Log", "Edit Account"], "the notification's actions");
      const errorRow = (await results()).locator('.monaco-list-row[aria-level="2"]', { hasText: /Server broke the login/ }).first();
      await errorRow.waitFor({ timeout: STEP_MS });
      const rowText = await errorRow.innerText();
      assert.match(rowText, ESCAPES_SHOWN);
      assertSafe(rowText, "the SCRAM error row", 2_000);
      await screenshot(st, (path) => page.screenshot({ path }), "ui-hostile-scram.png");
      await until(async () => ESCAPES_SHOWN.test(outputLog()), "the SCRAM failure to reach the output channel's log file");
      assertSafe(outputLog(), "the output channel's log", 20_000);
    });
  } finally {
    await browser?.dispose();
    await server.dispose();
    await hostile.stop();
    await scram.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});
