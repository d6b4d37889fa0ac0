// Debian's Chromium, headless, driven by playwright-core (which never downloads a browser here).
// Each session has its own temp profile, so what the workbench stores in the browser (IndexedDB,
// localStorage) can be inspected after the browser has closed, and is removed afterwards.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";

export const CHROMIUM = process.env.XMPP_SIC_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

type Playwright = typeof import("playwright-core");

// Loaded at run time from node_modules, not bundled into the test file by esbuild: playwright-core
// finds its own files (injected scripts, package.json) relative to where it is installed.
const load = createRequire(__filename);

/** Why Chromium or playwright-core cannot be used here, or undefined. */
export function chromiumUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium; see scripts/install-system-deps.sh)`;
  try {
    load.resolve("playwright-core");
  } catch {
    return "playwright-core is not installed (npm ci)";
  }
  return undefined;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** The Chromium profile dir, readable after close(). */
  profileDir: string;
  /** Closes the browser (ending its process group); the profile stays until dispose(). */
  close(): Promise<void>;
  dispose(): Promise<void>;
}

export async function openBrowser(opts: { width?: number; height?: number } = {}): Promise<BrowserSession> {
  const { chromium } = load("playwright-core") as Playwright;
  const profileDir = mkdtempSync(join(tmpdir(), "xmpp-sic-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
      // Chromium's crash handler keeps its database under XDG_CONFIG_HOME, not the profile.
      env: { ...process.env, XDG_CONFIG_HOME: join(profileDir, "xdg-config"), XDG_CACHE_HOME: join(profileDir, "xdg-cache") },
      timeout: 30_000,
      // Playwright also kills the browser on SIGINT/SIGTERM/exit of this process.
      handleSIGINT: true,
      handleSIGTERM: true,
      handleSIGHUP: true,
    });
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= closeGracefully(context));
  return {
    context,
    page,
    profileDir,
    close,
    async dispose() {
      await close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * Closes the pages the way a person closing the tab would (the workbench's shutdown handlers run
 * and flush its storage, e.g. extensions' globalState to IndexedDB), then the browser.
 */
async function closeGracefully(context: BrowserContext): Promise<void> {
  await Promise.all(
    context.pages().map(async (page) => {
      const gone = page.waitForEvent("close", { timeout: 10_000 }).catch(() => {});
      await page.close({ runBeforeUnload: true }).catch(() => {});
      await gone;
    }),
  );
  await context.close().catch(() => {});
}
