// Driving the workbench as a person does, shared by the UI tests: the command palette, the quick
// input (input boxes, quick picks, the file dialog), views and their rows, screenshots.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { Locator, Page } from "playwright-core";
import { repoRoot } from "./harness";

export const STEP_MS = 30_000;

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Command palette: F1, type the command's title, run the matching entry. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const widget = page.locator(".quick-input-widget");
  await page.keyboard.press("F1");
  await widget.waitFor({ state: "visible", timeout: STEP_MS });
  const input = widget.locator(".quick-input-box input");
  await input.fill(`>${title}`);
  // Enter runs the highlighted entry: wait until that is ours.
  const entry = widget.locator(".monaco-list-row.focused", { hasText: new RegExp(`^\\s*${escapeRegExp(title)}`) }).first();
  await entry.waitFor({ state: "visible", timeout: STEP_MS });
  await input.press("Enter");
}

/**
 * Answers the input box (or, with `pick`, the quick pick) currently asking something that matches
 * `asks` (its prompt, placeholder or title): types `value` and presses Enter. In a quick pick the
 * value filters the items and Enter takes the first one left, which must contain `value`.
 */
export async function answer(page: Page, asks: RegExp, value: string, pick = false): Promise<void> {
  const widget = page.locator(".quick-input-widget");
  const input = widget.locator(".quick-input-box input");
  const items = widget.locator(".quick-input-list .monaco-list-row");
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    if (await widget.isVisible()) {
      const text = [
        await widget.locator(".quick-input-title").innerText({ timeout: 500 }).catch(() => ""),
        await widget.locator(".quick-input-message").innerText({ timeout: 500 }).catch(() => ""),
        await input.getAttribute("placeholder", { timeout: 500 }).catch(() => ""),
        await input.getAttribute("aria-label", { timeout: 500 }).catch(() => ""),
      ].join(" | ");
      const listed = await items.filter({ hasText: pick ? value : /./ }).count();
      if (asks.test(text) && (pick ? listed > 0 : listed === 0)) break;
      if (Date.now() > deadline) throw new Error(`no ${pick ? "quick pick" : "input box"} asking for ${asks} (the widget shows: ${text})`);
    } else if (Date.now() > deadline) {
      throw new Error(`no ${pick ? "quick pick" : "input box"} asking for ${asks}`);
    }
    await page.waitForTimeout(100);
  }
  await input.fill(value);
  if (pick) await items.and(page.locator(".focused")).filter({ hasText: value }).waitFor({ timeout: STEP_MS });
  await input.press("Enter");
  // Gone, or replaced by the next question.
  await until(async () => !(await widget.isVisible()) || (await input.inputValue().catch(() => "")) !== value, `the prompt for ${asks} to close`);
}

export async function until(condition: () => Promise<boolean>, what: string, ms = STEP_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens our view container from the activity bar (once) and returns the pane with that title. */
export async function viewPane(page: Page, title: string): Promise<Locator> {
  const sidebar = page.locator("#workbench\\.parts\\.sidebar");
  const isHeader = page.locator(".pane-header", { hasText: new RegExp(`^\\s*${escapeRegExp(title)}`, "i") });
  const pane = sidebar.locator(".pane").filter({ has: isHeader }).first();
  if (!(await pane.isVisible().catch(() => false))) {
    await page.locator(".activitybar .action-item a[aria-label^='XMPP IP Check']").first().click({ timeout: STEP_MS });
    await pane.waitFor({ state: "visible", timeout: STEP_MS });
  }
  const header = pane.locator(".pane-header").first();
  if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  return pane;
}

/**
 * Visits every row of a (virtualised) tree in `pane` once, scrolling as it goes: only the rows in
 * view exist in the DOM, and they are re-created as the list scrolls, so each is identified by its
 * data-index and looked up afresh when visited.
 */
export async function forEachRow(page: Page, pane: Locator, visit: (row: Locator, label: string, level: string) => Promise<void>): Promise<number> {
  const seen = new Set<string>();
  for (let stale = 0; stale < 3; ) {
    // One snapshot of the rendered rows that are wholly in view (the list also renders some rows
    // beyond its edges, which a click would miss); the callback runs in the page.
    const rendered: [string, string, string, boolean][] = await pane.locator(".monaco-list-row").evaluateAll((rows: any[]) =>
      rows.map((r) => {
        const box = r.getBoundingClientRect();
        const list = r.closest(".monaco-list").getBoundingClientRect();
        const inView = box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
        // Label and description apart: the DOM puts them side by side with no space between.
        const parts = Array.from(r.querySelectorAll(".label-name, .label-description")).map((e: any) => e.innerText);
        return [r.getAttribute("data-index") ?? "", parts.length ? parts.join("  ") : (r.innerText ?? ""), r.getAttribute("aria-level") ?? "", inView];
      }),
    );
    let fresh = 0;
    for (const [index, label, level, inView] of rendered.sort((a, b) => Number(a[0]) - Number(b[0]))) {
      if (!index || !inView || seen.has(index)) continue;
      seen.add(index);
      fresh++;
      await visit(pane.locator(`.monaco-list-row[data-index="${index}"]`), label.trim(), level);
    }
    stale = fresh === 0 ? stale + 1 : 0;
    const box = await pane.locator(".monaco-list").first().boundingBox();
    if (!box) break;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, Math.max(44, box.height - 44));
    await page.waitForTimeout(150);
  }
  return seen.size;
}

/** Where a screenshot goes: out/test/screenshots/, and docs/ with XMPP_SIC_UPDATE_SCREENSHOTS=1. */
export function screenshotTargets(name: string, docsName = name): string[] {
  const root = repoRoot();
  const targets = [join(root, "out/test/screenshots", name)];
  if (process.env.XMPP_SIC_UPDATE_SCREENSHOTS === "1") targets.push(join(root, "docs", docsName));
  return targets;
}

export async function screenshot(t: TestContext, take: (path: string) => Promise<unknown>, name: string, docsName = name): Promise<string> {
  const [first, ...more] = screenshotTargets(name, docsName);
  for (const path of [first!, ...more]) mkdirSync(join(path, ".."), { recursive: true });
  await take(first!);
  for (const path of more) copyFileSync(first!, path);
  t.diagnostic(`screenshot: ${[first, ...more].join(", ")}`);
  return first!;
}

/** The quick input's title, message, placeholder and value, for assertions and waiting. */
export async function quickInputState(page: Page): Promise<{ visible: boolean; title: string; message: string; placeholder: string; value: string }> {
  const widget = page.locator(".quick-input-widget");
  const visible = await widget.isVisible();
  const text = (l: Locator) => l.innerText({ timeout: 500 }).catch(() => "");
  return {
    visible,
    title: visible ? await text(widget.locator(".quick-input-title")) : "",
    message: visible ? await text(widget.locator(".quick-input-message")) : "",
    placeholder: visible ? ((await widget.locator(".quick-input-box input").getAttribute("placeholder", { timeout: 500 }).catch(() => "")) ?? "") : "",
    value: visible ? await widget.locator(".quick-input-box input").inputValue({ timeout: 500 }).catch(() => "") : "",
  };
}

/** Waits until the quick input's title matches `title` (e.g. /\(3\/7\)/). */
export async function waitForTitle(page: Page, title: RegExp, what = `a quick input titled ${title}`): Promise<void> {
  await until(async () => title.test((await quickInputState(page)).title), what);
}

/** Presses Enter in the quick input as it is (keeping the selected item or the value shown). */
export async function enter(page: Page): Promise<void> {
  await page.locator(".quick-input-widget .quick-input-box input").press("Enter");
}

/** The quick input's Back button (VS Code's own, at the title's left). */
export async function clickBack(page: Page): Promise<void> {
  await page.locator(".quick-input-widget .quick-input-titlebar .codicon-quick-input-back").first().click({ timeout: STEP_MS });
}

/**
 * Answers VS Code's file dialog (in the web workbench its own quick input, the "simple file
 * dialog"): types the file's path and accepts it.
 */
export async function chooseFile(page: Page, asks: RegExp, path: string): Promise<void> {
  await waitForTitle(page, asks, `a file dialog asking for ${asks}`);
  const input = page.locator(".quick-input-widget .quick-input-box input");
  // The dialog fills in its starting folder on its own, possibly after we typed: type again until
  // the box holds exactly our path (else it would read "folder//our/path").
  await until(async () => {
    await input.fill(path);
    await page.waitForTimeout(300);
    return (await input.inputValue().catch(() => "")) === path;
  }, `the file dialog for ${asks} to hold ${path}`);
  await input.press("Enter");
  await until(async () => !asks.test((await quickInputState(page)).title), `the file dialog for ${asks} to close`);
}

/** The text of every notification toast shown now. */
export async function toasts(page: Page): Promise<string[]> {
  return (await page.locator(".notification-toast").allInnerTexts().catch(() => [] as string[])).map((t) => t.replace(/\s+/g, " ").trim());
}

/** The error notifications among them (VS Code marks those with the error codicon). */
export async function errorToasts(page: Page): Promise<string[]> {
  return (await page.locator(".notification-toast:has(.codicon-error)").allInnerTexts().catch(() => [] as string[])).map((t) => t.replace(/\s+/g, " ").trim());
}

/** Settings for a quiet workbench: no start-up editor, tips, telemetry, update checks or trust prompt. */
export const QUIET_WORKBENCH = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "window.commandCenter": false,
  "security.workspace.trust.enabled": false,
  // No "Your application running on port N is available" for the test servers' ports.
  "remote.autoForwardPorts": false,
};

/** Loads the workbench at `url` and waits until it shows our view container (the extension was read). */
export async function openWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  await page.locator("#workbench\\.parts\\.statusbar").waitFor({ timeout: 60_000 });
  await page.locator(".activitybar .action-item a[aria-label^='XMPP IP Check']").first().waitFor({ timeout: 60_000 });
}

/** Wider than the default 300 px, so the descriptions are not cut off in screenshots. */
export async function widenSidebar(page: Page): Promise<void> {
  const sidebarBox = await page.locator("#workbench\\.parts\\.sidebar").boundingBox();
  if (sidebarBox && sidebarBox.width < 480) {
    const edge = sidebarBox.x + sidebarBox.width;
    await page.mouse.move(edge, sidebarBox.y + sidebarBox.height / 2);
    await page.mouse.down();
    await page.mouse.move(edge + 200, sidebarBox.y + sidebarBox.height / 2, { steps: 5 });
    await page.mouse.up();
  }
}

/**
 * What a failed UI step leaves for the reader: a screenshot of the page (out/test/screenshots/
 * `<prefix>-failure-<step>.png`), the notifications on screen and the last browser errors and
 * warnings, as diagnostics of `t`.
 */
export async function reportFailure(t: TestContext, page: Page, prefix: string, step: string, consoleLines: readonly string[]): Promise<void> {
  const path = join(repoRoot(), "out/test/screenshots", `${prefix}-failure-${step.replace(/\W+/g, "-").slice(0, 40)}.png`);
  mkdirSync(join(path, ".."), { recursive: true });
  await page.screenshot({ path }).catch(() => {});
  t.diagnostic(`failure screenshot: ${path}; notifications: ${JSON.stringify(await toasts(page))}`);
  for (const line of consoleLines.filter((l) => /^\[(error|warning)\]/.test(l)).slice(-15)) t.diagnostic(`browser console: ${line}`);
}

export interface PartOptions {
  /** Run after each part's own steps, as part of it (e.g. "no error notification appeared"). */
  after?: () => Promise<void>;
  /** More diagnostics for a failed part, after reportFailure's. */
  onFailure?: (st: TestContext) => void;
  /** Escapes pressed after each part, to close what it left open. */
  escapes?: number;
  /** Where the mouse goes after each part, so no hover is left behind. */
  mouseTo?: [number, number];
}

/**
 * A test's parts as subtests of `t`: one that fails reports itself (reportFailure, with `prefix`)
 * and leaves the others to say what still works.
 */
export function partsOf(t: TestContext, page: Page, prefix: string, consoleLines: readonly string[], options: PartOptions = {}) {
  return (name: string, fn: (st: TestContext) => Promise<void>) =>
    t.test(name, async (st) => {
      try {
        await fn(st);
        await options.after?.();
      } catch (error) {
        await reportFailure(st, page, prefix, name, consoleLines);
        options.onFailure?.(st);
        throw error;
      } finally {
        for (let i = 0; i < (options.escapes ?? 0); i++) await page.keyboard.press("Escape").catch(() => {});
        if (options.mouseTo) await page.mouse.move(...options.mouseTo).catch(() => {});
      }
    });
}
