// The XML console as a person uses it, in the packaged .vsix installed into code-server, clicking
// in headless Chromium against the shared real Prosody: Open XML Console from the Results context
// menu; a disco#info iq typed by keyboard into the untitled XML editor; the editor-title Send
// Stanza button; the server's reply opening beside the request (from the server's domain); the
// Stanza Log's console group with both rows; malformed XML squiggled and not sent; Edit and
// Resend from the Stanza Log's context menu, sent again and answered again; New Stanza… with the
// templates and the send history; Copy as Template on the reply; Close XML Console; the server
// ending a session (a second login with its resource) told to the user, with no reconnect.
//
// Screenshots go to out/test/screenshots/; with XMPP_SIC_UPDATE_SCREENSHOTS=1 to docs/ as well
// (docs/console-paired.png).
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { StanzaLog } from "../../src/core";
import { openLiveSession } from "../../src/core/console/liveSession";
import { openBrowser, type BrowserSession } from "./browser";
import { buildVsix } from "./harness";
import { starttlsAccountAnswers, uiRun } from "./uiRun";
import { partsOf, widenSidebar } from "./uiDriver";
import {
  answerAll,
  clearNotifications,
  contextMenu,
  errorNotifications,
  notificationTexts,
  QUIET_SETTINGS,
  quickInput,
  runCommand,
  screenshot,
  STEP_MS,
  until,
  viewPane,
} from "./workbench";

const TEST_TIMEOUT_MS = 420_000;
const DISCO_INFO = `<iq type="get" to="DOMAIN">\n  <query xmlns="http://jabber.org/protocol/disco#info"/>\n</iq>`;

/** The text an editor group shows (its visible lines). */
async function groupText(group: Locator): Promise<string> {
  return (await group.locator(".editor-instance .view-lines").first().innerText({ timeout: 1_000 })).replace(/\u00a0/g, " ");
}

/** The editor group whose active tab's title matches `tab`. */
function groupWithTab(page: Page, tab: RegExp): Locator {
  return page.locator(".editor-group-container").filter({ has: page.locator(".tab.active", { hasText: tab }) }).first();
}

/** Replaces the whole text of the focused editor by typing `text`, key by key. */
async function retype(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.locator(".view-lines").first().click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(text, { delay: 5 });
}

test("XML console: open from Results, type and send a stanza, see the paired reply, malformed XML refused, Edit and Resend", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const run = await uiRun(t, "prosody", "uic");
  if (!run) return;
  const { bed: prosody, scratch, server, user, password, jid } = run;
  let browser: BrowserSession | undefined;
  const discoInfo = DISCO_INFO.replace("DOMAIN", prosody.domain);
  try {
    await prosody.addUser(user, password);
    assert.match(await server.installVsix(await buildVsix(scratch)), /successfully installed/);
    await server.start({
      settings: {
        ...QUIET_SETTINGS,
        "extensions.autoUpdate": false,
        "workbench.view.alwaysShowHeaderActions": true,
        // What is typed is what the document holds: no closing quotes or indentation added.
        "editor.autoClosingQuotes": "never",
        "editor.autoClosingBrackets": "never",
        "editor.autoIndent": "none",
      },
    });
    browser = await openBrowser({ width: 1600, height: 1200 });
    const { page } = browser;
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    await page.goto(server.workbenchUrl(), { waitUntil: "domcontentloaded", timeout: 60_000 });
    await page.locator(".activitybar .action-item a[aria-label^='XMPP IP Check']").first().waitFor({ timeout: 60_000 });
    await viewPane(page, "Results");
    await widenSidebar(page);

    const part = partsOf(t, page, "ui-console", consoleLines);

    const stanzaLog = () => viewPane(page, "Stanza Log");
    /** Entry rows of the Stanza Log that are about disco#info, as "label": the request and its reply. */
    const discoRows = async () => (await stanzaLog()).locator(".monaco-list-row[aria-level='2']", { hasText: "disco#info" });
    const sendButton = () => page.locator(".editor-group-container .editor-actions").getByRole("button", { name: "Send Stanza", exact: true }).first();
    const untitled = () => groupWithTab(page, /Untitled-\d+/);
    const replyGroup = () => groupWithTab(page, /^\d+-.*\.xml/);
    /** The reply document beside the request: a result from the server's domain. */
    const assertReplyOpened = async (before: string) => {
      let text = "";
      await until(async () => {
        text = await groupText(replyGroup()).catch(() => "");
        return text !== before && /type="result"/.test(text);
      }, "the reply to open beside the request");
      assert.match(text, new RegExp(`from="${prosody.domain.replace(/\./g, "\\.")}"`), `the reply is not from the server's domain: ${text.slice(0, 400)}`);
      assert.match(text, /disco#info/, "the reply is not a disco#info result");
      return text;
    };

    await part("add a Prosody account; Open XML Console from the Results context menu", async () => {
      await runCommand(page, "XMPP IP Check: Add Account…");
      await answerAll(page, starttlsAccountAnswers(run));
      const row = (await viewPane(page, "Results")).locator(".monaco-list-row[aria-level='1']", { hasText: jid }).first();
      await row.waitFor({ timeout: STEP_MS });
      // The new account's first check: let it end, then start the Stanza Log afresh.
      await page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: /127\.0\.0\.1:\d+/ }).first().waitFor({ timeout: 45_000 });
      await runCommand(page, "XMPP IP Check: Clear Stanza Log");
      await clearNotifications(page);
      await contextMenu(page, row, "Open XML Console");
      // Room for the Stanza Log: the console's login and exchanges in view without scrolling.
      await (await viewPane(page, "Results")).locator(".pane-header").first().click();
      // The console opens an untitled XML editor with a template, for the account's domain.
      let template = "";
      await until(async () => /disco#info/.test((template = await groupText(untitled()).catch(() => ""))), "the console's untitled XML editor with a template");
      assert.match(template, new RegExp(`to="${prosody.domain.replace(/\./g, "\\.")}"`));
      assert.equal(await (await discoRows()).count(), 0, "a disco#info row before anything was sent");
    });

    await part("type a disco#info iq, Send Stanza from the editor title: the reply opens beside it; the log's console group has both", async (st) => {
      await retype(page, untitled(), discoInfo);
      await until(async () => (await groupText(untitled())).includes(discoInfo), "the typed iq in the editor");
      await sendButton().click({ timeout: STEP_MS });
      await assertReplyOpened("");
      // The request and its reply in the Stanza Log, in the console session's group (the only group).
      await until(async () => (await (await discoRows()).count()) === 2, "the request and reply rows in the Stanza Log");
      const groups = (await stanzaLog()).locator(".monaco-list-row[aria-level='1']");
      assert.equal(await groups.count(), 1, "the console's stanzas are not in one group");
      assert.match(await groups.first().innerText(), new RegExp(jid.replace(/\./g, "\\.")), "the console group is not labelled with the account");
      const labels = (await (await discoRows()).allInnerTexts()).map((s) => s.replace(/\s+/g, " "));
      assert.ok(labels.some((l) => /features/.test(l)), `no reply row with the features it lists: ${labels.join(" / ")}`);
      assert.deepEqual(await errorNotifications(page), [], "an error notification after sending");
      // The request, its reply beside it, and the log's rows: the top of the window holds them all.
      await screenshot(st, (path) => page.screenshot({ path, clip: { x: 0, y: 0, width: 1600, height: 660 } }), "console-paired.png");
    });

    await part("while typing, an element not yet closed is an information squiggle, not an error", async () => {
      await retype(page, untitled(), `<iq type="get" to="${prosody.domain}"><query xmlns="jabber:iq:version"/>`);
      const info = untitled().locator(".view-overlays [class*='squiggly-info']");
      await until(async () => (await info.count()) > 0, "an information squiggle on the unfinished stanza");
      assert.equal(await untitled().locator(".view-overlays [class*='squiggly-error']").count(), 0, "the unfinished stanza is squiggled as an error while typing");
    });

    await part("malformed XML: a squiggle at the parser's position, and Send Stanza sends nothing", async () => {
      await retype(page, untitled(), `<iq type="get" to="${prosody.domain}"><query xmlns="jabber:iq:version"></iq>`);
      const squiggle = untitled().locator(".view-overlays .squiggly-error, .view-overlays [class*='squiggly-error']");
      await until(async () => (await squiggle.count()) > 0, "a diagnostic squiggle in the malformed document");
      const rows = await (await stanzaLog()).locator(".monaco-list-row[aria-level='2']").count();
      await sendButton().click({ timeout: STEP_MS });
      let shown: string[] = [];
      await until(async () => (shown = await errorNotifications(page)).some((s) => /Nothing was sent/.test(s)), "the refusal message");
      assert.ok(shown.some((s) => /Line 1, column \d+/.test(s)), `the refusal gives no line and column: ${shown.join(" / ")}`);
      await page.waitForTimeout(1_000);
      assert.equal(await (await stanzaLog()).locator(".monaco-list-row[aria-level='2']").count(), rows, "a stanza was logged although the XML was malformed");
      await clearNotifications(page);
    });

    await part("Edit and Resend from the Stanza Log: the sent iq in a new editor, sent again, answered again", async () => {
      const before = await groupText(replyGroup());
      const request = (await discoRows()).filter({ hasNotText: "features" }).first();
      await contextMenu(page, request, "Edit and Resend");
      let text = "";
      await until(async () => {
        text = await groupText(page.locator(".editor-group-container").filter({ has: page.locator(".tab.active", { hasText: /Untitled-\d+/ }) }).last()).catch(() => "");
        return /disco#info/.test(text) && !/version/.test(text);
      }, "Edit and Resend's editor with the sent iq");
      assert.doesNotMatch(text, /\bid=/, "the resend keeps the old id");
      await sendButton().click({ timeout: STEP_MS });
      await assertReplyOpened(before);
      await until(async () => (await (await discoRows()).count()) === 4, "the resent request and its reply in the Stanza Log");
      assert.deepEqual(await errorNotifications(page), [], "an error notification after resending");
    });

    await part("New Stanza…: the templates for the account's domain and what was sent before; Copy as Template; Close XML Console", async () => {
      await runCommand(page, "XMPP IP Check: New Stanza…");
      const widget = quickInput(page);
      await widget.waitFor({ state: "visible", timeout: STEP_MS });
      const rows = widget.locator(".quick-input-list .monaco-list-row");
      await rows.first().waitFor({ timeout: STEP_MS });
      let listed = (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, " "));
      assert.ok(listed.some((r) => /Ping the server/.test(r)), `no ping template: ${listed.join(" / ")}`);
      // The list is virtualised: filter it down to the stanzas sent before (no template's label has XML).
      await widget.locator(".quick-input-box input").fill("<iq type");
      await until(async () => (listed = (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, " "))).length > 0 && !listed.some((r) => /Ping the server/.test(r)), "the picker to list only what was sent before");
      assert.ok(listed.some((r) => r.includes(`to="${prosody.domain}"> <query xmlns="http://jabber.org/protocol/disco#info"/>`)), `the sent iq is not recalled: ${listed.join(" / ")}`);
      await widget.locator(".quick-input-box input").fill("Ping the server");
      await widget.locator(".quick-input-box input").press("Enter");
      let text = "";
      await until(async () => /urn:xmpp:ping/.test((text = await groupText(untitled()).catch(() => ""))), "the ping template in an editor");
      assert.match(text, new RegExp(`to="${prosody.domain.replace(/\./g, "\\.")}"`), "the template is not addressed to the account's domain");

      const reply = (await discoRows()).filter({ hasText: "features" }).first();
      await contextMenu(page, reply, "Copy as Template");
      let copied = "";
      await until(async () => /disco#info/.test((copied = await page.evaluate("navigator.clipboard.readText()").catch(() => "") as string)), "the template on the clipboard");
      assert.doesNotMatch(copied, /\bid=|\bfrom=/, `the template keeps the reply's id or from: ${copied.slice(0, 300)}`);
      assert.match(copied, new RegExp(`^<iq[^>]* to="${prosody.domain.replace(/\./g, "\\.")}"`), "the template is not addressed back to the server");

      await runCommand(page, "XMPP IP Check: Close XML Console");
      await runCommand(page, "XMPP IP Check: Close XML Console");
      await until(async () => (await notificationTexts(page)).some((n) => /No XML console is open/.test(n)), "Close XML Console to say none is open any more");
      assert.deepEqual(await errorNotifications(page), [], "an error notification after closing the console");
    });

    await part("the server ends the session (a login with the same resource replaces it): the console says so, and reconnects only when asked", async () => {
      await clearNotifications(page);
      await runCommand(page, "XMPP IP Check: Open XML Console");
      // The newest group is on top: its bind row names the resource the server gave this session.
      const bindRow = (await stanzaLog()).locator(".monaco-list-row[aria-level='2']", { hasText: /bind → / }).first();
      let boundJid = "";
      await until(async () => {
        const groups = await (await stanzaLog()).locator(".monaco-list-row[aria-level='1']").count();
        boundJid = /bind → (\S+)/.exec(await bindRow.locator(".label-name").first().innerText().catch(() => ""))?.[1] ?? "";
        return groups === 2 && boundJid.includes("/");
      }, "the second console session's group with its bind");
      const intruder = await openLiveSession({
        jid: boundJid,
        password,
        host: "127.0.0.1",
        port: prosody.starttlsPort,
        tls: "starttls",
        caPem: readFileSync(prosody.certs.caFile, "utf8"),
        profiles: null,
        timeoutMs: STEP_MS,
        log: new StanzaLog(),
      });
      try {
        let shown: string[] = [];
        await until(async () => (shown = await errorNotifications(page)).some((n) => n.includes(`The XML console of ${jid} was closed`)), "the notice that the server ended the console");
        assert.ok(shown.some((n) => /Reopen Console/.test(n)), `the notice offers no way to reopen: ${shown.join(" / ")}`);
        // Nothing reconnected on its own: no third group.
        await page.waitForTimeout(2_000);
        assert.equal(await (await stanzaLog()).locator(".monaco-list-row[aria-level='1']").count(), 2, "the console reconnected by itself");
        await clearNotifications(page);
      } finally {
        await intruder.close();
      }
    });
  } finally {
    await browser?.dispose();
    await server.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
});
