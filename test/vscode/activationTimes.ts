// VS Code's own activation times of installed extensions, read from a real code-server + Chromium
// the way a person reads them: "Developer: Startup Performance" (its "Extension Activation Stats"
// table: Load Code, Call Activate, Finish Activate per extension, from the extension host's
// ActivationTimes) and "Developer: Show Running Extensions" (which shows Load Code + Call Activate).
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { openBrowser } from "./browser";
import { CodeServer } from "./codeServer";
import { repoRoot } from "./harness";
import { QUIET_WORKBENCH, runCommand, STEP_MS, until } from "./uiDriver";

/** One extension's row of the Extension Activation Stats table. */
export interface ActivationRow {
  id: string;
  eager: boolean;
  loadCodeMs: number;
  callActivateMs: number;
  finishActivateMs: number;
  event: string;
  /** What Running Extensions shows for it ("Startup Activation: 12ms"), when read. */
  runningExtensions?: string;
}

/** `| id | eager | load | call | finish | event | by |` rows of the Startup Performance text. */
export function parseActivationStats(text: string): ActivationRow[] {
  const rows: ActivationRow[] = [];
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 8 || !/^[\w-]+\.[\w.-]+$/.test(cells[1]!)) continue;
    const [load, call, finish] = [cells[3], cells[4], cells[5]].map(Number);
    if (![load, call, finish].every((n) => Number.isFinite(n))) continue;
    rows.push({ id: cells[1]!, eager: cells[2] === "true", loadCodeMs: load!, callActivateMs: call!, finishActivateMs: finish!, event: cells[6]! });
  }
  return rows;
}

/** The text of the active editor, through the clipboard (Monaco renders only the visible lines). */
async function activeEditorText(page: Page): Promise<string> {
  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.waitFor({ timeout: STEP_MS });
  await editor.click({ position: { x: 200, y: 20 } });
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Control+C");
  return (await page.evaluate("navigator.clipboard.readText()")) as string;
}

/** Reads the Startup Performance document's Extension Activation Stats until `ids` all have a row. */
export async function readActivationStats(page: Page, ids: string[]): Promise<ActivationRow[]> {
  let rows: ActivationRow[] = [];
  await until(async () => {
    await runCommand(page, "Developer: Startup Performance");
    const text = await activeEditorText(page);
    await runCommand(page, "View: Close All Editors");
    rows = parseActivationStats(text);
    return ids.every((id) => rows.some((r) => r.id.toLowerCase() === id.toLowerCase()));
  }, `activation stats for ${ids.join(", ")}`, 240_000);
  return rows;
}

/** What Running Extensions shows as the activation time of the extension shown as `name`. */
export async function readRunningExtensions(page: Page, name: RegExp): Promise<string> {
  await runCommand(page, "Developer: Show Running Extensions");
  const editor = page.locator(".runtime-extensions-editor");
  await editor.waitFor({ timeout: STEP_MS });
  const row = editor.locator(".monaco-list-row", { hasText: name }).first();
  for (let i = 0; i < 30 && !(await row.isVisible()); i++) {
    const box = await editor.locator(".monaco-list").first().boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 140);
    }
    await page.waitForTimeout(150);
  }
  const time = row.locator(".activation-time");
  await until(async () => /Activation: \d+ms/.test(await time.innerText().catch(() => "")), `an activation time for ${name}`);
  const text = (await time.innerText()).trim();
  await runCommand(page, "View: Close All Editors");
  return text;
}

export interface StartOptions {
  /** The .vsix files to install before the start. */
  vsixes: string[];
  /** Extension ids (publisher.name) whose activation to wait for and read. */
  ids: string[];
  /** Their display names, as Running Extensions lists them (same order as ids). */
  names: RegExp[];
  settings?: Record<string, unknown>;
}

/** One fresh code-server (own user data, own extensions dir) and browser: every extension's activation row. */
export async function activationOnFreshStart(opts: StartOptions): Promise<ActivationRow[]> {
  const server = new CodeServer();
  const browser = await openBrowser({ width: 1280, height: 800 });
  try {
    for (const vsix of opts.vsixes) await server.installVsix(vsix);
    await server.start({ settings: { ...QUIET_WORKBENCH, ...opts.settings } });
    const { page, context } = browser;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await page.goto(server.workbenchUrl(), { waitUntil: "domcontentloaded", timeout: 60_000 });
    await page.locator("#workbench\\.parts\\.statusbar").waitFor({ timeout: 60_000 });
    const rows = await readActivationStats(page, opts.ids);
    for (const [i, id] of opts.ids.entries()) {
      const row = rows.find((r) => r.id.toLowerCase() === id.toLowerCase())!;
      row.runningExtensions = await readRunningExtensions(page, opts.names[i]!);
    }
    return rows;
  } finally {
    await browser.dispose();
    await server.dispose();
  }
}

/** A one-line extension ("Hello Baseline"), packaged by vsce as ours is, activated by `activationEvents`. */
export async function packageHelloExtension(dir: string, activationEvents: string[]): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: "hello",
    displayName: "Hello Baseline",
    description: "A one-line extension: what loading and activating any extension costs in this extension host",
    version: "0.0.1",
    publisher: "xmpp-sic-bench",
    license: "MIT",
    engines: { vscode: "^1.100.0" },
    main: "./extension.js",
    activationEvents,
    extensionKind: ["ui", "workspace"],
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, "extension.js"), "exports.activate = () => {};\n");
  writeFileSync(join(dir, "README.md"), "# Hello Baseline\n\nA one-line extension for the benchmark.\n");
  const vsce = join(repoRoot(), "node_modules/@vscode/vsce/vsce");
  await run(process.execPath, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "-o", "hello.vsix"], dir);
  return join(dir, "hello.vsix");
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 120_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stdout}${stderr}`)) : resolve()));
  });
}
