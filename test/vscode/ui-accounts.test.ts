// Accounts, buttons and errors as a person meets them, in the packaged .vsix inside code-server +
// headless Chromium, against the shared real Prosody: Add and Edit through the multi-step input by
// keyboard (Back, Escape half-way, a duplicate JID, Enter through Edit keeping every setting),
// every Results view-title button with nothing focused and with a row focused, each context-menu
// entry, the inline action, the status-bar item; the error notifications and the action that fixes
// each (trust the certificate the server showed, change the password); IPv4 and IPv6 side by side,
// and no "address changed" notice after the account's own settings changed.
//
// Screenshots go to out/test/screenshots/; with XMPP_SIC_UPDATE_SCREENSHOTS=1 to docs/ as well
// (docs/results-families.png, docs/actionable-error.png).
import assert from "node:assert/strict";
import { lookup } from "node:dns/promises";
import { rmSync } from "node:fs";
import { test } from "node:test";
import type { Locator } from "playwright-core";
import { openBrowser, type BrowserSession } from "./browser";
import { buildVsix } from "./harness";
import { uiRun } from "./uiRun";
import { answer, chooseFile, clickBack, openWorkbench, QUIET_WORKBENCH, widenSidebar, enter, errorToasts, quickInputState, partsOf, runCommand, screenshot, STEP_MS, toasts, until, viewPane, waitForTitle } from "./uiDriver";

const TEST_TIMEOUT_MS = 600_000;

test("accounts, buttons and errors as a person uses them", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const run = await uiRun(t, "prosody", "uia");
  if (!run) return;
  const { bed: prosody, scratch, server, user, password, jid } = run;
  let browser: BrowserSession | undefined;
  const port = prosody.starttlsPort;
  try {
    await prosody.addUser(user, password);
    const vsix = await buildVsix(scratch);
    assert.match(await server.installVsix(vsix), /successfully installed/);
    await server.start({ settings: QUIET_WORKBENCH });
    browser = await openBrowser({ width: 1280, height: 800 });
    const { page } = browser;
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    await openWorkbench(page, server.workbenchUrl());
    await viewPane(page, "Results");
    await widenSidebar(page);

    const statusItem = (text: string | RegExp) => page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: text }).first();
    const results = () => viewPane(page, "Results");
    const accountRow = async () => (await results()).locator('.monaco-list-row[aria-level="1"]', { hasText: jid }).first();
    const rowAt2 = async (label: RegExp) => (await results()).locator('.monaco-list-row[aria-level="2"]', { hasText: label }).first();
    /** Connections Prosody accepted from 127.0.0.1 to our port, so far. */
    const connections = () => [...prosody.logText().matchAll(new RegExp(`\\(127\\.0\\.0\\.1, \\d+, 127\\.0\\.0\\.1, ${port}\\)`, "g"))].length;
    const checked = async (before: number, what: string) => {
      await until(async () => connections() > before, `${what} to reach the server`);
      await statusItem(/127\.0\.0\.1:\d+/).waitFor({ timeout: STEP_MS });
      // A check of a local server takes well under 2 s: progress shows in the view and the status
      // bar only, never as a notification as well.
      const shown = await toasts(page);
      assert.ok(!shown.some((s) => /^Checking/.test(s)), `a progress notification for a quick check: ${shown.join(" | ")}`);
    };
    const noErrors = async (where: string) => assert.deepEqual(await errorToasts(page), [], `an error notification after ${where}`);
    const clearNotifications = () => runCommand(page, "Notifications: Clear All Notifications");
    const headerButton = async (label: RegExp) => {
      const pane = await results();
      await pane.locator(".pane-header").first().hover();
      const buttons = pane.locator(".pane-header .actions a.action-label");
      const labels = await buttons.evaluateAll((els: any[]) => els.map((e) => e.getAttribute("aria-label") ?? ""));
      const index = labels.findIndex((l: string) => label.test(l));
      assert.ok(index >= 0, `no ${label} button in the Results title bar (it has: ${labels.join(", ")})`);
      return buttons.nth(index);
    };
    const menuItem = (label: string | RegExp) => page.getByRole("menuitem", { name: label }).first();
    // A menu acts on mouse-up over a hovered entry: hover first, let it settle, click, and wait for
    // the menu to close (no Enter as a fall-back: it could land on a dialog the entry opened).
    const pick = async (label: string | RegExp) => {
      const item = menuItem(label);
      await item.hover({ timeout: STEP_MS });
      await page.waitForTimeout(150);
      await item.click();
      await page.locator(".context-view .monaco-menu").first().waitFor({ state: "hidden", timeout: 5_000 }).catch(() => {});
    };
    const contextMenu = async (row: Locator) => {
      // A row re-rendered by the previous action (the tree refreshes) can swallow the right-click:
      // try again on the row as it is now, a few times, before calling the menu missing.
      const menu = page.locator(".context-view .monaco-menu").first();
      for (let attempt = 1; ; attempt++) {
        await row.click({ button: "right" });
        const shown = await menu.waitFor({ timeout: attempt < 3 ? 5_000 : STEP_MS }).then(() => true, () => false);
        if (shown) break;
        if (attempt >= 3) throw new Error("no context menu after three right-clicks on the row");
        await page.keyboard.press("Escape");
      }
      return (await page.locator(".context-view .monaco-menu .action-label").allInnerTexts()).map((s) => s.trim()).filter(Boolean);
    };
    const part = partsOf(t, page, "ui-accounts", consoleLines, { escapes: 3, mouseTo: [640, 400] });

    await part("Results '+' with nothing focused opens Add at step 1/7; Add by keyboard with Back, host:port split, CA file dialog", async () => {
      await (await headerButton(/^Add Account/)).click();
      await waitForTitle(page, /^Add XMPP account \(1\/7\)/);
      await noErrors("the + button");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.fill(jid);
      await enter(page);
      await waitForTitle(page, /\(2\/7\)/);
      await input.fill(password);
      await enter(page);
      await waitForTitle(page, /\(3\/7\)/);
      await clickBack(page);
      await waitForTitle(page, /\(2\/7\)/, "Back to the password step");
      await input.fill(password);
      await enter(page);
      await waitForTitle(page, /\(3\/7\)/);
      await input.fill(`127.0.0.1:${port}`);
      await enter(page);
      await waitForTitle(page, /\(4\/7\)/);
      assert.equal((await quickInputState(page)).value, String(port), "host:port did not carry the port to the port step");
      await enter(page);
      await waitForTitle(page, /\(5\/7\)/);
      await input.fill("STARTTLS");
      await page.waitForTimeout(200);
      await enter(page);
      await waitForTitle(page, /\(6\/7\)/);
      await input.fill("CA file");
      await page.waitForTimeout(200);
      await enter(page);
      await chooseFile(page, /CA certificate/, prosody.certs.caFile);
      await waitForTitle(page, /\(7\/7\)/);
      await enter(page); // Automatic, preselected
      // Added and checked at once; the first result arrives expanded: its IP row is visible.
      await statusItem(/127\.0\.0\.1:\d+/).waitFor({ timeout: STEP_MS });
      await (await rowAt2(/^\s*IP\s*\d/)).waitFor({ timeout: STEP_MS });
      await noErrors("adding the account");
    });

    await part("Add: a duplicate JID is refused at step 1; Escape half-way saves nothing", async () => {
      await runCommand(page, "XMPP IP Check: Add Account");
      await waitForTitle(page, /\(1\/7\)/);
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.fill(jid);
      await until(async () => /already an account/.test((await quickInputState(page)).message), "the duplicate-JID message at step 1");
      await enter(page);
      await page.waitForTimeout(300);
      assert.match((await quickInputState(page)).title, /\(1\/7\)/, "Enter on a duplicate JID went on to step 2");
      await input.fill(`other${user}@${prosody.domain}`);
      await enter(page);
      await waitForTitle(page, /\(2\/7\)/);
      await input.fill("something");
      await enter(page);
      await waitForTitle(page, /\(3\/7\)/);
      await page.keyboard.press("Escape");
      await until(async () => !(await quickInputState(page)).visible, "the input to close on Escape");
      await page.waitForTimeout(500);
      const pane = await results();
      assert.equal(await pane.locator('.monaco-list-row[aria-level="1"]').count(), 1, "Escape half-way added an account");
      await noErrors("Escape half-way");
    });

    const editSummary = async () => {
      await runCommand(page, "XMPP IP Check: Edit Account");
      await until(async () => /Which setting/.test((await quickInputState(page)).placeholder), "Which setting?");
      const rows = (await page.locator(".quick-input-widget .quick-input-list .monaco-list-row").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim());
      return rows;
    };

    await part("Edit: Enter through every step keeps every setting (TLS, CA file, port, families)", async () => {
      const before = await editSummary();
      assert.ok(before.some((r) => /^TLS\s*STARTTLS$/.test(r)), `Edit does not show STARTTLS: ${before.join(" | ")}`);
      assert.ok(before.some((r) => r.includes(prosody.certs.caFile)), `Edit does not show the CA file: ${before.join(" | ")}`);
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.fill("All settings");
      await page.waitForTimeout(200);
      await enter(page);
      for (const step of [1, 2, 3, 4, 5, 6]) {
        await waitForTitle(page, new RegExp(`\\(${step}/7\\)`));
        await enter(page);
      }
      // Trust opens on "Also trust a CA file…": Enter opens the file dialog on the current file.
      await until(async () => /CA certificate/.test((await quickInputState(page)).title), "the file dialog on the current CA file");
      assert.match((await quickInputState(page)).value, new RegExp(prosody.certs.caFile.split("/").pop()!.replace(/\./g, "\\.")));
      await enter(page);
      await waitForTitle(page, /\(7\/7\)/);
      await enter(page);
      await until(async () => !(await quickInputState(page)).visible, "Edit to finish");
      const after = await editSummary();
      await page.keyboard.press("Escape");
      assert.deepEqual(after, before, "Enter through Edit changed a setting");
      await noErrors("Enter through Edit");
    });

    await part("Results title buttons with a row focused: +, Check, More Actions (Check All, Show Log)", async () => {
      await (await accountRow()).click();
      await (await headerButton(/^Add Account/)).click();
      await waitForTitle(page, /^Add XMPP account \(1\/7\)/);
      await page.keyboard.press("Escape");
      await noErrors("+ with a row focused");
      await (await accountRow()).click();
      const before = connections();
      await (await headerButton(/^Check External Address/)).click();
      await checked(before, "Check from the title bar with a row focused");
      await noErrors("Check with a row focused");
      await (await accountRow()).click();
      const more = await headerButton(/More Actions/);
      await more.click();
      const beforeAll = connections();
      await pick("Check All Accounts");
      await checked(beforeAll, "Check All Accounts with a row focused");
      await (await accountRow()).click();
      await (await headerButton(/More Actions/)).click();
      await pick("Show Diagnostics Log");
      await page.locator(".part.panel", { hasText: /XMPP IP Check/ }).first().waitFor({ timeout: STEP_MS });
      await noErrors("the More Actions entries");
      await runCommand(page, "View: Hide Panel");
    });

    await part("context menus: every entry of the account row and the copy entries of value rows", async () => {
      const entries = await contextMenu(await accountRow());
      for (const e of ["Check Account…", "Copy IP", "Copy IP:Port", "Copy as JSON", "Set Default Account", "Edit Account…", "Change Password…", "Remove Account"]) {
        assert.ok(entries.includes(e), `the account row's menu lacks "${e}": ${entries.join(", ")}`);
      }
      await pick(/^Copy IP:Port$/);
      await statusItem(/Copied 127\.0\.0\.1:\d+/).waitFor({ timeout: STEP_MS });
      await contextMenu(await accountRow());
      await pick(/^Copy IP$/);
      await statusItem(/Copied 127\.0\.0\.1$/).waitFor({ timeout: STEP_MS });
      await contextMenu(await accountRow());
      await pick("Copy as JSON");
      await statusItem(/Copied result/).waitFor({ timeout: STEP_MS });
      const before = connections();
      await contextMenu(await accountRow());
      await pick("Check Account…");
      await checked(before, "Check Account… from the context menu");
      await contextMenu(await accountRow());
      await pick("Set Default Account");
      await contextMenu(await accountRow());
      await pick("Edit Account…");
      await until(async () => /Which setting/.test((await quickInputState(page)).placeholder), "Edit from the context menu");
      await page.keyboard.press("Escape");
      await contextMenu(await accountRow());
      await pick("Change Password…");
      await waitForTitle(page, /Change the password/);
      await page.keyboard.press("Escape");
      await contextMenu(await accountRow());
      await pick("Remove Account");
      const dialog = page.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: STEP_MS });
      await dialog.locator(".monaco-button", { hasText: "Cancel" }).click();
      await (await accountRow()).waitFor({ timeout: 5_000 });
      for (const label of [/^\s*IP\s*\d/, /^\s*Port\s*\d/, /^\s*Server/, /^\s*Checked/]) {
        const row = await rowAt2(label);
        const menu = await contextMenu(row);
        assert.ok(menu.includes("Copy Value"), `the ${label} row's menu lacks Copy Value: ${menu.join(", ")}`);
        await pick("Copy Value");
        await statusItem(/Copied/).waitFor({ timeout: STEP_MS });
      }
      await noErrors("the context-menu entries");
    });

    await part("the inline Check action and the status-bar item each check again", async () => {
      const row = await accountRow();
      await row.hover();
      const before = connections();
      await row.getByRole("button", { name: /Check Account/ }).click({ timeout: 5_000 });
      await checked(before, "the inline Check action");
      const beforeStatus = connections();
      await statusItem(/127\.0\.0\.1:\d+/).click();
      await checked(beforeStatus, "the status-bar item");
      await noErrors("the inline action and the status bar");
    });

    await part("an untrusted certificate offers 'Trust this certificate (SHA-256 …)', which pins what the server showed after confirming", async (st) => {
      await clearNotifications();
      await runCommand(page, "XMPP IP Check: Edit Account");
      await answer(page, /Which setting/i, "Trust", true);
      await answer(page, /trust/i, "System CAs", true);
      await runCommand(page, "XMPP IP Check: Check External Address");
      const toast = page.locator(".notification-toast", { hasText: /not trusted/ }).first();
      await toast.waitFor({ timeout: STEP_MS });
      const text = (await toast.innerText()).replace(/\s+/g, " ");
      assert.doesNotMatch(text, /--ca|openssl|--fingerprint/, `command-line advice in VS Code: ${text}`);
      const trust = toast.locator(".monaco-button", { hasText: /^Trust this certificate \(SHA-256 [0-9A-F]{2}:[0-9A-F]{2}…\)$/ });
      await trust.waitFor({ timeout: 5_000 });
      assert.equal(await toast.locator(".monaco-button", { hasText: "Choose CA file…" }).count(), 1, "no Choose CA file… action");
      assert.ok((await trust.innerText()).includes(prosody.certs.fingerprint.slice(0, 5)), "the offered certificate is not the server's");
      await (await results()).locator('.monaco-list-row[aria-level="1"]', { hasText: /Certificate not trusted/ }).first().waitFor({ timeout: STEP_MS });
      await screenshot(st, (path) => page.screenshot({ path }), "actionable-error.png");
      await trust.click();
      const dialog = page.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: STEP_MS });
      assert.ok((await dialog.innerText()).includes(prosody.certs.fingerprint), "the confirmation does not show the whole fingerprint");
      const before = connections();
      await dialog.locator(".monaco-button", { hasText: "Trust This Certificate" }).click();
      await checked(before, "the check after trusting");
      await (await rowAt2(/^\s*IP\s*\d/)).waitFor({ timeout: STEP_MS });
      await noErrors("trusting the certificate");
    });

    await part("a wrong password offers 'Change Password', which fixes it", async () => {
      await clearNotifications();
      await runCommand(page, "XMPP IP Check: Change Password");
      await waitForTitle(page, /Change the password/);
      await page.locator(".quick-input-widget .quick-input-box input").fill(`${password}-wrong`);
      await enter(page);
      await runCommand(page, "XMPP IP Check: Check External Address");
      const toast = page.locator(".notification-toast", { hasText: /wrong JID or password/i }).first();
      await toast.waitFor({ timeout: STEP_MS });
      const change = toast.locator(".monaco-button", { hasText: "Change Password" });
      await change.click({ timeout: 5_000 });
      await waitForTitle(page, /Change the password/);
      const before = connections();
      await page.locator(".quick-input-widget .quick-input-box input").fill(password);
      await enter(page);
      await checked(before, "the check after changing the password");
      await until(async () => (await (await results()).locator(".monaco-list-row", { hasText: /Wrong JID or password/ }).count()) === 0, "the failure to clear");
      await noErrors("changing the password");
    });

    await part("IPv4 and IPv6 side by side; no 'address changed' notice after the account's own host changed", async (st) => {
      await clearNotifications();
      // Where "localhost" names both loopback addresses (a stock Debian /etc/hosts), the account
      // uses it and both families answer; elsewhere it stays 127.0.0.1 and IPv6 has nothing to reach.
      const bothLoopbacks = (await lookup("localhost", { all: true })).some((a) => a.family === 6);
      if (bothLoopbacks) {
        await runCommand(page, "XMPP IP Check: Edit Account");
        await answer(page, /Which setting/i, "Server", true);
        await answer(page, /host name/i, "localhost");
      }
      await runCommand(page, "XMPP IP Check: Edit Account");
      await answer(page, /Which setting/i, "Address families", true);
      await answer(page, /address families/i, "IPv4 and IPv6", true);
      const before = connections();
      await runCommand(page, "XMPP IP Check: Check External Address");
      await checked(before, "the check over both families");
      const v4 = await rowAt2(/^\s*IPv4/);
      const v6 = await rowAt2(/^\s*IPv6/);
      await v4.waitFor({ timeout: STEP_MS });
      await v6.waitFor({ timeout: STEP_MS });
      assert.match(await v4.innerText(), /127\.0\.0\.1:\d+/);
      if (bothLoopbacks) assert.match(await v6.innerText(), /\[?::1\]?:\d+/);
      // The server was given as 127.0.0.1: over IPv6 there is nothing to reach, and the row says so.
      else assert.match(await v6.innerText(), /Cannot reach|Account settings|IPv6/);
      await screenshot(st, (path) => page.locator("#workbench\\.parts\\.sidebar").screenshot({ path }), "results-families.png");
      await clearNotifications();
      await runCommand(page, "XMPP IP Check: Edit Account");
      await answer(page, /Which setting/i, "Address families", true);
      await answer(page, /address families/i, "Automatic", true);
      await runCommand(page, "XMPP IP Check: Edit Account");
      await answer(page, /Which setting/i, "Server", true);
      await answer(page, /host name/i, "::1");
      await runCommand(page, "XMPP IP Check: Check External Address");
      await statusItem(/\[::1\]:\d+/).waitFor({ timeout: STEP_MS });
      await page.waitForTimeout(1_000);
      const shown = await toasts(page);
      assert.ok(!shown.some((s) => /changed/.test(s)), `an "address changed" notice after changing the host: ${shown.join(" | ")}`);
      await noErrors("switching the host to ::1");
    });

    await part("'Checked just now' moves on by itself while the view is open", async () => {
      await runCommand(page, "XMPP IP Check: Check External Address");
      const checkedRow = await rowAt2(/^\s*Checked/);
      await until(async () => /just now/.test(await checkedRow.innerText().catch(() => "")), "Checked just now");
      // No click, no new check: only the view's own clock can change it.
      await until(async () => /1 min ago/.test(await checkedRow.innerText().catch(() => "")), "Checked 1 min ago", 100_000);
    });
  } finally {
    await browser?.dispose();
    await server.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
});

