// The Stanza Log pane as the UI tests read it: its rows (groups at level 1, stanzas at level 2),
// each as "label  description", the pane's description, the editor a row opens, the toasts and
// the save dialog of its exports.
import type { Locator, Page } from "playwright-core";
import { clearNotifications, notificationTexts, quickInput, STEP_MS, until } from "./workbench";

export const rowsOf = (pane: Locator) => pane.locator(".monaco-list-row");
export const groupRows = (pane: Locator) => pane.locator(".monaco-list-row[aria-level='1']");
export const entryRows = (pane: Locator) => pane.locator(".monaco-list-row[aria-level='2']");
export const description = async (pane: Locator) => ((await pane.locator(".pane-header .description").first().innerText({ timeout: 1_000 }).catch(() => "")) || "").trim();

/** Each row as "label  description" (the DOM puts them side by side with no space between). */
export async function rowTexts(rows: Locator): Promise<string[]> {
  const texts: string[] = await rows.evaluateAll((list: any[]) =>
    list.map((row) => [".label-name", ".label-description"].map((c) => (row.querySelector(c)?.innerText ?? "").replace(/\s+/g, " ").trim()).join("  ")),
  );
  return texts.map((t) => t.trim());
}

export async function activeEditorText(page: Page): Promise<string> {
  return (await page.locator(".editor-instance .view-lines").first().innerText({ timeout: 1_000 })).replace(/\u00a0/g, " ");
}

/** Waits for an editor tab whose title matches, active, and returns the editor's text. */
export async function editorWith(page: Page, tab: RegExp, contains: RegExp): Promise<string> {
  const active = page.locator(".tabs-container .tab.active");
  await until(async () => tab.test(await active.innerText({ timeout: 500 }).catch(() => "")), `an editor tab ${tab}`);
  let text = "";
  await until(async () => contains.test((text = await activeEditorText(page).catch(() => ""))), `${contains} in the editor of ${tab}`);
  return text;
}

/** The toast matching `pattern`, its text; then dismissed. */
export async function toast(page: Page, pattern: RegExp): Promise<string> {
  const found = page.locator(".notifications-toasts .notification-toast", { hasText: pattern }).first();
  await found.waitFor({ state: "visible", timeout: STEP_MS }).catch(async (error) => {
    throw new Error(`no notification ${pattern}; on screen: ${(await notificationTexts(page)).join(" / ") || "none"}`, { cause: error });
  });
  const text = (await found.innerText()).replace(/\s+/g, " ").trim();
  await clearNotifications(page);
  return text;
}

/** The save dialog (VS Code's own, in the browser): returns the proposed path and accepts it. */
export async function acceptSaveDialog(page: Page, extension = "xml"): Promise<string> {
  const widget = quickInput(page);
  const input = widget.locator(".quick-input-box input");
  await widget.waitFor({ state: "visible", timeout: STEP_MS });
  let proposed = "";
  await until(async () => new RegExp(`\\.${extension}$`).test((proposed = await input.inputValue().catch(() => ""))), `the save dialog to propose a .${extension} file`);
  await input.press("Enter");
  await widget.waitFor({ state: "hidden", timeout: STEP_MS });
  return proposed;
}
