// VS Code's own activation times of installed extensions, read from a real code-server + Chromium
// the way a person reads them: "Developer: Startup Performance" (its "Extension Activation Stats"
// table: Load Code, Call Activate, Finish Activate per extension, from the extension host's
// ActivationTimes) and "Developer: Show Running Extensions" (which shows Load Code + Call Activate).
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
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
  /** The first-use line the extension itself logged, when `firstUseLog` found one. */
  firstUse?: string;
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
export function readActivationStats(page: Page, ids: string[]): Promise<ActivationRow[]> {
  return readActivationStatsUntil(page, (rows) => ids.every((id) => rows.some((r) => r.id.toLowerCase() === id.toLowerCase())), `activation stats for ${ids.join(", ")}`);
}

async function readActivationStatsUntil(page: Page, done: (rows: ActivationRow[]) => boolean, what: string, ms = 240_000): Promise<ActivationRow[]> {
  let rows: ActivationRow[] = [];
  await until(async () => {
    await runCommand(page, "Developer: Startup Performance");
    const text = await activeEditorText(page);
    await runCommand(page, "View: Close All Editors");
    rows = parseActivationStats(text);
    return done(rows);
  }, what, ms);
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
  /**
   * What the person does once the workbench shows, before the times are read: the activity-bar
   * containers to open (their aria-label prefixes), in order. Extensions that activate on first
   * use (onView, onCommand) activate here, each in its own batch.
   */
  openContainers?: string[];
  /** A line to find in the extensions' log files after the start (e.g. what the first use cost). */
  firstUseLog?: RegExp;
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
    if (opts.openContainers?.length) {
      // A person opens a view after start-up, not in its first milliseconds: wait until the
      // extension host has run its start-up activations (some row activated by onStartupFinished).
      await readActivationStatsUntil(page, (rows) => rows.some((r) => r.event === "onStartupFinished"), "the start-up activations", 60_000);
    }
    for (const label of opts.openContainers ?? []) {
      const item = page.locator(`.activitybar .action-item a[aria-label^='${label}']`).first();
      await item.click({ timeout: 60_000 });
      await page.locator("#workbench\\.parts\\.sidebar .composite.title", { hasText: new RegExp(label, "i") }).first().waitFor({ timeout: STEP_MS });
    }
    const rows = await readActivationStats(page, opts.ids);
    for (const [i, id] of opts.ids.entries()) {
      const row = rows.find((r) => r.id.toLowerCase() === id.toLowerCase())!;
      row.runningExtensions = await readRunningExtensions(page, opts.names[i]!);
    }
    if (opts.firstUseLog) {
      const line = findLogLine(server.userDataDir, opts.firstUseLog);
      const row = rows.find((r) => r.id.toLowerCase() === opts.ids[0]!.toLowerCase());
      if (row && line) row.firstUse = line;
    }
    return rows;
  } finally {
    await browser.dispose();
    await server.dispose();
  }
}

/** The first line matching `pattern` in the .log files under `dir` (extension output channels live there). */
function findLogLine(dir: string, pattern: RegExp): string | undefined {
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (!name.endsWith(".log")) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const line = readFileSync(path, "utf8").split("\n").find((l) => pattern.test(l));
    if (line) return line.trim();
  }
  return undefined;
}

/**
 * A one-line extension ("Hello Baseline"), packaged by vsce as ours is, activated by
 * `activationEvents`; with none, by first use as ours is: it has a view in its own activity-bar
 * container ("Hello Baseline"), and opening that container activates it (onView).
 */
export async function packageHelloExtension(dir: string, activationEvents: string[]): Promise<string> {
  mkdirSync(join(dir, "media"), { recursive: true });
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
    contributes: {
      viewsContainers: { activitybar: [{ id: "helloBaseline", title: "Hello Baseline", icon: "media/hello.svg" }] },
      views: { helloBaseline: [{ id: "helloBaseline.view", name: "Hello" }] },
    },
  };
  writeFileSync(join(dir, "media/hello.svg"), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" fill="currentColor"/></svg>\n');
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
