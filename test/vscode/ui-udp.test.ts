// The UDP picture and candidates as a person meets them, in the packaged .vsix inside code-server +
// headless Chromium, against the shared real ejabberd, which announces its own STUN server
// (ejabberd_stun + mod_stun_disco on 127.0.0.1): add the account, check, expand UDP and
// Candidates; on loopback the address the STUN server saw must be the UDP socket's own; Copy as
// Jingle ICE-UDP from the context menu and inline, SOCKS5 and JSON put what they say on the
// clipboard; the status-bar tooltip has the verdict; turning xmppSic.udp off in the Settings UI
// removes the UDP node on the next check.
//
// Screenshots go to out/test/screenshots/; with XMPP_SIC_UPDATE_SCREENSHOTS=1 to docs/ as well
// (docs/results-udp.png).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Locator } from "playwright-core";
import type { XmppServer } from "../../scripts/testbed/types";
import { parseStanza } from "../support/xml";
import { openBrowser, type BrowserSession } from "./browser";
import { buildVsix } from "./harness";
import { addStarttlsAccountByKeyboard, uiRun } from "./uiRun";
import { answer, openWorkbench, QUIET_WORKBENCH, partsOf, runCommand, screenshot, STEP_MS, until, viewPane, widenSidebar } from "./uiDriver";
import { contextMenu, contextMenuEntries, errorNotifications } from "./workbench";

const TEST_TIMEOUT_MS = 420_000;
const NS_ICE_UDP = "urn:xmpp:jingle:transports:ice-udp:1";
const NS_S5B = "urn:xmpp:jingle:transports:s5b:1";
/** RFC 8445 §5.1.2.1: a host candidate of component 1 with the highest local preference. */
const HOST_PRIORITY = 126 * 2 ** 24 + 65535 * 2 ** 8 + (256 - 1);

test("the UDP picture and candidates in the Results view, their copies, and xmppSic.udp off", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const stunPortOf = (bed: XmppServer) => {
    const info = bed.describe();
    return info.kind === "ejabberd" ? info.stunPort : undefined;
  };
  const run = await uiRun(t, "ejabberd", "uiu", {
    unless: (bed) => (stunPortOf(bed) ? undefined : "the test bed's ejabberd has no STUN listener (ejabberd_stun)"),
    // ejabberdctl refuses some characters distinctivePassword() uses (the emoji): ASCII only here.
    password: `pw-${randomBytes(12).toString("base64url")}`,
  });
  if (!run) return;
  const { bed: ejabberd, scratch, server, user, password, jid } = run;
  const stunPort = stunPortOf(ejabberd)!;
  let browser: BrowserSession | undefined;
  try {
    await ejabberd.addUser(user, password);
    assert.match(await server.installVsix(await buildVsix(scratch)), /successfully installed/);
    await server.start({ settings: QUIET_WORKBENCH });
    browser = await openBrowser({ width: 1280, height: 900 });
    const { page } = browser;
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    await openWorkbench(page, server.workbenchUrl());

    const results = () => viewPane(page, "Results");
    const row = async (level: number, label: RegExp) => (await results()).locator(`.monaco-list-row[aria-level="${level}"]`).filter({ has: page.locator(".label-name", { hasText: label }) }).first();
    const description = async (r: Locator) => (await r.locator(".label-description").first().innerText({ timeout: 2_000 })).trim();
    const statusItem = () => page.locator("#workbench\\.parts\\.statusbar .statusbar-item", { hasText: /127\.0\.0\.1:\d+/ }).first();
    const expand = async (r: Locator) => {
      if ((await r.getAttribute("aria-expanded")) === "false") await r.click();
      await until(async () => (await r.getAttribute("aria-expanded")) === "true", "the row to expand");
    };
    const clipboard = () => page.evaluate("navigator.clipboard.readText()").then(String, () => "");
    const clearClipboard = () => page.evaluate("navigator.clipboard.writeText('')");
    const copied = async (what: string, test: (text: string) => boolean) => {
      let text = "";
      await until(async () => test((text = await clipboard())), `${what} on the clipboard`);
      return text;
    };
    const part = partsOf(t, page, "ui-udp", consoleLines, {
      after: async () => assert.deepEqual(await errorNotifications(page), [], "an error notification"),
      escapes: 2,
      mouseTo: [640, 450],
    });

    // What the rows say, read once expanded: the STUN Binding's mapped address and the socket's own.
    let mapped = "";

    await part("add an ejabberd account: the check shows UDP and Candidates", async () => {
      await addStarttlsAccountByKeyboard(page, run);
      await statusItem().waitFor({ timeout: STEP_MS });
      await widenSidebar(page);
      await (await row(2, /^UDP$/)).waitFor({ timeout: STEP_MS });
      await (await row(2, /^Candidates$/)).waitFor({ timeout: STEP_MS });
    });

    await part("UDP: the STUN server the test bed runs saw the UDP socket's own loopback address", async () => {
      const udp = await row(2, /^UDP$/);
      // One STUN server announced (ejabberd's): one destination cannot show how the NAT maps others.
      assert.equal(await description(udp), "cannot tell (only one STUN server)");
      await expand(udp);
      // The Binding's row is named after the STUN service ejabberd was configured with.
      const binding = await row(3, new RegExp(`^127\\.0\\.0\\.1:${stunPort}$`));
      await binding.waitFor({ timeout: STEP_MS });
      const seen = /^→ (127\.0\.0\.1):(\d+) · [\d.]+ ms$/.exec(await description(binding));
      assert.ok(seen, `the Binding row: ${await description(binding)}`);
      mapped = `${seen[1]}:${seen[2]}`;
      // The socket's address is the kernel's (socket.address()), the mapped one the STUN server's
      // XOR-MAPPED-ADDRESS: on loopback, with nothing translating, they must be the same, and the
      // socket must be bound to the TCP connection's local address.
      const socket = await description(await row(3, /^UDP socket$/));
      assert.equal(mapped, socket, "the STUN server saw another address than the socket's own");
      const tcpLocal = await description(await row(2, /^Local address$/));
      assert.equal(socket.split(":")[0], tcpLocal.split(":")[0], "the UDP socket is not on the TCP connection's local address");
      assert.notEqual(Number(seen[2]), stunPort);
      assert.match(await description(await row(3, /^Mapping$/)), /^unknown · port kept · same outer address as TCP$/);
      assert.equal(await description(await row(3, /^Verdict$/)), "cannot tell (only one STUN server)");
    });

    await part("Candidates: the host candidate on the socket's address with the RFC 8445 priority; screenshot", async (st) => {
      const candidates = await row(2, /^Candidates$/);
      // On loopback the STUN server saw the socket itself: a server-reflexive candidate would repeat it.
      assert.equal(await description(candidates), "1 candidate");
      await expand(candidates);
      const host = await row(3, /^host udp$/);
      await host.waitFor({ timeout: STEP_MS });
      assert.equal(await description(host), `${mapped} · priority ${HOST_PRIORITY}`);
      await page.mouse.move(900, 850);
      await screenshot(st, (path) => page.locator("#workbench\\.parts\\.sidebar").screenshot({ path }), "results-udp.png");
    });

    const iceFromClipboard = async () => {
      const text = await copied("the ICE-UDP transport", (s) => s.startsWith("<transport"));
      const el = parseStanza(text);
      assert.equal(el.attrs.xmlns, NS_ICE_UDP, text);
      const found = el.getChildren("candidate");
      assert.equal(found.length, 1, text);
      assert.deepEqual([found[0]!.attrs.type, `${found[0]!.attrs.ip}:${found[0]!.attrs.port}`, found[0]!.attrs.priority, found[0]!.attrs.protocol], ["host", mapped, String(HOST_PRIORITY), "udp"]);
      return el.attrs.ufrag as string;
    };

    await part("Copy as Jingle ICE-UDP: from the context menu and inline", async () => {
      const candidates = await row(2, /^Candidates$/);
      const entries = await contextMenuEntries(page, candidates);
      for (const e of ["Copy as Jingle ICE-UDP", "Copy as SOCKS5 Bytestreams (S5B)…", "Copy Candidates as JSON"]) assert.ok(entries.includes(e), `the Candidates menu lacks "${e}": ${entries.join(", ")}`);
      await clearClipboard();
      await contextMenu(page, candidates, "Copy as Jingle ICE-UDP");
      const first = await iceFromClipboard();
      await clearClipboard();
      await candidates.hover();
      await candidates.getByRole("button", { name: "Copy as Jingle ICE-UDP" }).click({ timeout: 5_000 });
      // A fresh ufrag each time: this is the inline action's copy, not the menu's left over.
      assert.notEqual(await iceFromClipboard(), first);
    });

    await part("Copy as SOCKS5 Bytestreams asks the client's port; Copy Candidates as JSON", async () => {
      const candidates = await row(2, /^Candidates$/);
      await clearClipboard();
      await contextMenu(page, candidates, "Copy as SOCKS5 Bytestreams (S5B)…");
      await answer(page, /SOCKS5/i, "8010");
      const s5b = parseStanza(await copied("the S5B transport", (s) => s.startsWith("<transport")));
      assert.equal(s5b.attrs.xmlns, NS_S5B);
      const offered = s5b.getChildren("candidate");
      assert.ok(offered.length > 0 && offered.every((c) => c.attrs.port === "8010" && String(c.attrs.jid).startsWith(`${jid}/`)), s5b.toString());
      assert.ok(offered.some((c) => c.attrs.type === "direct"), s5b.toString());
      await clearClipboard();
      await contextMenu(page, candidates, "Copy Candidates as JSON");
      const json = JSON.parse(await copied("the candidates' JSON", (s) => s.startsWith("{")));
      assert.deepEqual(json.candidates.map((c: { type: string; ip: string; port: number }) => `${c.type} ${c.ip}:${c.port}`), [`host ${mapped}`]);
      assert.equal(`${json.udp.bindings[0].mapped.ip}:${json.udp.bindings[0].mapped.port}`, mapped);
      assert.doesNotMatch(JSON.stringify(json), /password|username|credential/i);
      await clearClipboard();
      await contextMenu(page, await row(3, /^UDP socket$/), "Copy Value");
      assert.equal(await copied("the socket's address", (s) => s.length > 0), mapped);
    });

    await part("the status-bar tooltip has the UDP verdict", async () => {
      const hovers = page.locator(".monaco-hover, .workbench-hover");
      let shown = "";
      // A hover opens after a pause over the item: move off and back until it is there.
      await until(async () => {
        await page.mouse.move(640, 450);
        await page.waitForTimeout(200);
        await statusItem().hover();
        await hovers.first().waitFor({ timeout: 3_000 }).catch(() => {});
        shown = (await hovers.allInnerTexts().catch(() => [] as string[])).join(" | ").replace(/\s+/g, " ");
        return /External/.test(shown);
      }, "the status bar's tooltip");
      assert.match(shown, /UDP \(IPv4\) cannot tell \(only one STUN server\)/);
    });

    await part("xmppSic.udp off in the Settings UI: the next check has no UDP node", async () => {
      const before = await statusItem().innerText();
      await runCommand(page, "Preferences: Open User Settings");
      const editor = page.locator(".settings-editor").first();
      await editor.waitFor({ timeout: STEP_MS });
      await page.keyboard.type("xmppSic.udp");
      const setting = editor.locator(".setting-item-enum").filter({ hasText: /UDP picture/ }).first();
      await setting.waitFor({ timeout: STEP_MS });
      // The enum's <select> as the keyboard and mouse drive it: its change event is what the
      // editor saves (the custom drop-down's click alone did not always commit).
      await setting.locator("select").first().selectOption("off");
      const userSettings = join(server.userDataDir, "User", "settings.json");
      await until(async () => /"xmppSic\.udp":\s*"off"/.test(readFileSync(userSettings, "utf8")), "xmppSic.udp: off in the user settings.json");
      await runCommand(page, "View: Close All Editors");
      const udpRows = async () => (await results()).locator('.monaco-list-row[aria-level="2"]').filter({ has: page.locator(".label-name", { hasText: /^(UDP|Candidates)$/ }) }).count();
      // A check that started before the change reached the extension host may still take the
      // picture: check again (a few times at most) until one ran with the setting.
      let status = before;
      for (let attempt = 1; ; attempt++) {
        await runCommand(page, "XMPP IP Check: Check External Address");
        await until(async () => (await statusItem().innerText().catch(() => status)) !== status, "the next check's result in the status bar");
        status = await statusItem().innerText();
        await (await row(2, /^Local address$/)).waitFor({ timeout: STEP_MS });
        const gone = await until(async () => (await udpRows()) === 0, "the UDP and Candidates nodes to go", 3_000).then(() => true, () => false);
        if (gone) break;
        assert.ok(attempt < 3, "three checks after xmppSic.udp was set to off still show UDP and Candidates");
      }
    });
  } finally {
    await browser?.dispose();
    await server.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
});
