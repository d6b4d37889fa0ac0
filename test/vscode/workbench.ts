// Driving the VS Code workbench in Chromium as a person does: the command palette, quick inputs,
// view panes and their title buttons, tree rows and their context menus, notifications.
// The basics (palette, views, waiting, screenshots) are uiDriver.ts's; this adds what the Stanza
// Log and first-run tests need on top.
import type { Locator, Page } from "playwright-core";
import { escapeRegExp, QUIET_WORKBENCH, runCommand, STEP_MS, until } from "./uiDriver";

export { escapeRegExp, runCommand, screenshot, STEP_MS, until, viewPane } from "./uiDriver";
/** User settings for a workbench under test: nothing opens or asks on its own. */
export const QUIET_SETTINGS: Record<string, unknown> = QUIET_WORKBENCH;

export const quickInput = (page: Page) => page.locator(".quick-input-widget");

export async function quickInputText(page: Page): Promise<string> {
  const widget = quickInput(page);
  const input = widget.locator(".quick-input-box input");
  return [
    await widget.locator(".quick-input-title").innerText({ timeout: 500 }).catch(() => ""),
    await widget.locator(".quick-input-message").innerText({ timeout: 500 }).catch(() => ""),
    await input.getAttribute("placeholder", { timeout: 500 }).catch(() => ""),
    await input.getAttribute("aria-label", { timeout: 500 }).catch(() => ""),
  ].join(" | ");
}

export interface Answer {
  /** Matched against the quick input's text (title, prompt, placeholder). */
  asks: RegExp;
  value: string;
  /** A quick pick: `value` filters the items and Enter takes the focused one. */
  pick?: boolean;
}

/**
 * Answers a run of prompts (input boxes and quick picks, in any order and number) until none is
 * open: each by the first answer whose `asks` matches; a prompt no answer matches is accepted
 * as proposed (Enter). Robust to steps being added, reordered or numbered.
 */
export async function answerAll(page: Page, answers: Answer[], maxSteps = 15): Promise<string[]> {
  const widget = quickInput(page);
  const input = widget.locator(".quick-input-box input");
  const asked: string[] = [];
  await widget.waitFor({ state: "visible", timeout: STEP_MS });
  for (let step = 0; step < maxSteps && (await widget.isVisible()); step++) {
    const text = await quickInputText(page);
    asked.push(text);
    const answer = answers.find((a) => a.asks.test(text));
    if (answer) {
      await input.fill(answer.value);
      if (answer.pick) {
        const rows = widget.locator(".quick-input-list .monaco-list-row.focused", { hasText: answer.value });
        await rows.first().waitFor({ timeout: STEP_MS });
      }
    }
    await input.press("Enter");
    // The next prompt (another text), or none; two prompts in a row may also read the same.
    await until(async () => !(await widget.isVisible()) || (await quickInputText(page)) !== text, `the prompt "${text}" to move on`, 5_000).catch(() => {});
    await page.waitForTimeout(200);
  }
  return asked;
}

/** A view-title button of a pane, by its command's exact title (the button's accessible name). */
export function titleButton(pane: Locator, title: string): Locator {
  return pane.locator(".pane-header .actions").getByRole("button", { name: title, exact: true }).first();
}

/** Right-clicks `row` and runs the context-menu entry `entry`. */
export async function contextMenu(page: Page, row: Locator, entry: string): Promise<void> {
  await row.click({ button: "right" });
  const item = page.locator(".context-view .monaco-menu .action-item:not(.disabled) .action-label", { hasText: new RegExp(`^\\s*${escapeRegExp(entry)}\\s*$`) }).first();
  await item.waitFor({ state: "visible", timeout: STEP_MS });
  // The menu acts on mouse-up over a hovered entry; a menu still open then takes Enter on it.
  await item.hover();
  await page.waitForTimeout(150);
  await item.click();
  // Enter only if the click did not take: pressed while the menu is already closing, it would land
  // on the row beneath and run the row's own command (a stanza row opens its document).
  const menu = page.locator(".context-view .monaco-menu").first();
  const closed = await menu.waitFor({ state: "hidden", timeout: 1_000 }).then(
    () => true,
    () => false,
  );
  if (closed) return;
  await page.keyboard.press("Enter");
  await menu.waitFor({ state: "hidden", timeout: 5_000 });
}

/** The entries of the context menu of `row` (then closed again with Escape). */
export async function contextMenuEntries(page: Page, row: Locator): Promise<string[]> {
  await row.click({ button: "right" });
  const labels = page.locator(".context-view .monaco-menu .action-item .action-label");
  await labels.first().waitFor({ state: "visible", timeout: STEP_MS });
  const entries = (await labels.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  await page.keyboard.press("Escape");
  return entries;
}

/** Every notification toast's text, newest first. */
export async function notificationTexts(page: Page): Promise<string[]> {
  const toasts = page.locator(".notifications-toasts .notification-toast");
  return (await toasts.allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, " ").trim());
}

/** Error notifications on screen (the toast's icon says which severity). */
export async function errorNotifications(page: Page): Promise<string[]> {
  const toasts = page.locator(".notifications-toasts .notification-toast").filter({ has: page.locator(".codicon-error") });
  return (await toasts.allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, " ").trim());
}

export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, "Notifications: Clear All Notifications");
  await until(async () => (await page.locator(".notifications-toasts .notification-toast").count()) === 0, "the notifications to clear", 5_000).catch(() => {});
}
