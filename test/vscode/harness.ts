// Glue for the Node side of the VS Code tests: find the repo, bundle the in-host suites, run one in
// a code-server + headless Chromium, and look for a secret in the files they left behind.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { TestContext } from "node:test";
import type { Page } from "playwright-core";
import { chromiumUnavailable, openBrowser, type BrowserSession } from "./browser";
import { codeServerUnavailable, type CodeServer } from "./codeServer";
import type { SuiteResult } from "./suite/protocol";

/** The repository root: the nearest parent dir whose package.json is this project's. */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file) && JSON.parse(readFileSync(file, "utf8")).name === "xmpp-sic") return dir;
  }
  throw new Error(`no xmpp-sic package.json above ${__dirname}`);
}

/** Why the VS Code tests cannot run here, or undefined. */
export function vscodeTestsUnavailable(): string | undefined {
  return codeServerUnavailable() ?? chromiumUnavailable();
}

/** Marks the test skipped with the reason the VS Code tests cannot run, and returns true, if so. */
export function skipWithoutVscode(t: TestContext): boolean {
  const reason = vscodeTestsUnavailable();
  if (reason) t.skip(reason);
  return reason !== undefined;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Bundles test/vscode/suite/*.suite.ts into `dir`; returns the path of the named suite's bundle. */
export async function buildSuite(name: string, dir: string): Promise<string> {
  const root = repoRoot();
  await run(process.execPath, [join(root, "test/vscode/build.mjs"), dir], root, 60_000);
  const file = join(dir, `${name}.suite.cjs`);
  if (!existsSync(file)) throw new Error(`suite bundle ${file} was not built`);
  return file;
}

/**
 * Builds the .vsix a user would install, with `npm run package` (vsce, which first runs the
 * vscode:prepublish production build), in a copy of the packaging inputs under `dir`: the
 * production build must not overwrite the dist/ that other tests of this run are using.
 */
export async function buildVsix(dir: string): Promise<string> {
  const root = repoRoot();
  const stage = join(dir, "package");
  mkdirSync(stage, { recursive: true });
  // Sources and tools are read only: link them. What vsce packs is copied.
  for (const name of ["src", "scripts", "node_modules"]) symlinkSync(join(root, name), join(stage, name));
  for (const name of ["package.json", "package.nls.json", "package-lock.json", ".vscodeignore", "README.md", "CHANGELOG.md", "LICENSE", "media", "docs", "l10n", "snippets", "tsconfig.json"]) {
    if (existsSync(join(root, name))) cpSync(join(root, name), join(stage, name), { recursive: true });
  }
  const pkg = JSON.parse(readFileSync(join(stage, "package.json"), "utf8"));
  if (pkg.scripts?.package) {
    await run("npm", ["run", "--silent", "package"], stage, 240_000);
  } else {
    const vsce = join(root, "node_modules/@vscode/vsce/vsce");
    await run(process.execPath, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "-o", "xmpp-sic.vsix"], stage, 240_000);
  }
  const vsix = readdirSync(stage).find((name) => name.endsWith(".vsix"));
  if (!vsix) throw new Error(`no .vsix in ${stage} after packaging`);
  return join(stage, vsix);
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface SuiteRun {
  /** What the workbench reported through window.codeAutomationExit: 0 when run() resolved. */
  exitCode: number;
  result: SuiteResult | undefined;
  /** The browser console, which includes what the extension host logs. */
  console: string[];
  browser: BrowserSession;
}

/**
 * Opens the workbench with the repo as the extension under development and `suiteFile` as its
 * extensionTestsPath, and waits until the workbench reports the suite's exit. The workbench calls
 * window.codeAutomationExit(code) when the extension host's test run settles (the hook VS Code's
 * own web test runner uses); the per-test results come from the suite's result file.
 * The browser stays open for the caller to close.
 */
export async function runSuite(server: CodeServer, suiteFile: string, resultFile: string, timeoutMs: number): Promise<SuiteRun> {
  const browser = await openBrowser();
  const consoleLines: string[] = [];
  browser.page.on("console", (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  browser.page.on("pageerror", (error) => consoleLines.push(`[pageerror] ${error.message}`));
  let reportExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (reportExit = resolve));
  await browser.context.exposeFunction("codeAutomationExit", (code: number) => reportExit(Number(code)));
  await browser.context.exposeFunction("codeAutomationLog", (type: string, args: unknown[]) => {
    consoleLines.push(`[exthost ${type}] ${(Array.isArray(args) ? args : [args]).map(String).join(" ")}`);
  });
  const url = server.workbenchUrl({
    payload: [
      ["extensionDevelopmentPath", server.remoteUri(repoRoot())],
      ["extensionTestsPath", server.remoteUri(suiteFile)],
    ],
  });
  await browser.page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  const exitCode = await withTimeout(exited, timeoutMs, "the in-host suite");
  let result: SuiteResult | undefined;
  try {
    result = JSON.parse(readFileSync(resultFile, "utf8")) as SuiteResult;
  } catch {
    result = undefined;
  }
  return { exitCode, result, console: consoleLines, browser };
}

/** Every regular file under `dir`, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue; // a socket or a dangling link
      }
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found;
}

/** The files under `dir` (minus those `exclude` matches) that contain any of `needles`, with which. */
export function filesContaining(dir: string, needles: string[], exclude: (relPath: string) => boolean = () => false): string[] {
  const hits: string[] = [];
  const encoded = needles.flatMap((n) => [Buffer.from(n, "utf8"), Buffer.from(n, "utf16le")]);
  for (const rel of filesUnder(dir)) {
    if (exclude(rel)) continue;
    let data: Buffer;
    try {
      data = readFileSync(join(dir, rel));
    } catch {
      continue;
    }
    const found = encoded.find((needle) => data.includes(needle));
    if (found) hits.push(`${rel} (${JSON.stringify(found.toString(found.length % 2 === 0 && found[1] === 0 ? "utf16le" : "utf8"))})`);
  }
  return hits;
}

// Runs in the page: everything the workbench keeps in the browser (every IndexedDB database, where
// VS Code web keeps extensions' globalState, and localStorage, where it keeps the sealed secrets),
// as JSON text. Read through the browser, it does not depend on when or how (compressed) the
// browser writes it to disk. A string, since this project's TypeScript has no DOM types.
const DUMP_BROWSER_STORAGE = `(async () => {
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const out = { localStorage: {}, indexedDB: {} };
  for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); out.localStorage[k] = localStorage.getItem(k); }
  for (const { name } of await indexedDB.databases()) {
    const db = await request(indexedDB.open(name));
    const stores = {};
    for (const storeName of Array.from(db.objectStoreNames)) {
      const store = db.transaction(storeName, "readonly").objectStore(storeName);
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      stores[storeName] = keys.map((key, i) => [key, values[i]]);
    }
    db.close();
    out.indexedDB[name] = stores;
  }
  const text = new TextDecoder();
  return JSON.stringify(out, (key, value) =>
    value instanceof Uint8Array ? text.decode(value) : value instanceof ArrayBuffer ? text.decode(new Uint8Array(value)) : value);
})()`;

/** What the workbench page has stored in the browser (IndexedDB and localStorage), as JSON text. */
export async function browserStorage(page: Page): Promise<string> {
  return (await page.evaluate(DUMP_BROWSER_STORAGE)) as string;
}

/** Waits until the browser's storage contains `needle` (state is flushed there within moments). */
export async function waitForBrowserStorage(page: Page, needle: string, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const dump = await browserStorage(page);
    if (dump.includes(needle)) return dump;
    if (Date.now() > deadline) throw new Error(`the workbench's browser storage never held ${JSON.stringify(needle)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
