// One esbuild step for everything that runs: the extension (vscode external), the CLI, the demo,
// and, with --tests, every test file bundled on its own so node's test runner can run them as
// plain CommonJS. @xmpp/* is ESM-only; bundling turns it into CommonJS, which VS Code requires.
//
//   node scripts/build.mjs [--production] [--tests [--tests-dir DIR]]
//
// The tests go to out/test/ (emptied first), or to DIR: scripts/test.mjs gives each test run a
// directory of its own (out/run-<pid>/), so runs in one tree do not delete each other's build. DIR
// must sit two levels below the repo root, like out/test/: test files find the root (and
// dist/cli.js) three levels up from their own directory. Every file is written to a temporary
// name and renamed into place, so a test running dist/cli.js never sees a half-written file while
// another build replaces it.
import * as esbuild from "esbuild";
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { coreBundle, coreNames, lazyCore } from "./lazyCore.mjs";
import { vscodeRequire } from "./vscodeRequire.mjs";

const args = process.argv.slice(2);
const withTests = args.includes("--tests");
const production = args.includes("--production");
const dirAt = args.indexOf("--tests-dir");
const testsDir = dirAt >= 0 ? args[dirAt + 1] : "out/test";
if (!testsDir) throw new Error("--tests-dir needs a directory, e.g. out/run-1234");
if (relative(process.cwd(), resolve(testsDir)).split(sep).length !== 2) {
  throw new Error(`--tests-dir ${testsDir}: must be two levels below the repo root, like out/test`);
}

const { version } = JSON.parse(readFileSync("package.json", "utf8"));

const common = {
  define: { __VERSION__: JSON.stringify(version) },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
  legalComments: "none",
  write: false,
};

/** Writes a build's files, each under a temporary name first and then renamed over the old one. */
async function write(build) {
  const { outputFiles } = await build;
  for (const file of outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    const hashbang = file.contents[0] === 0x23 && file.contents[1] === 0x21; // "#!": executable, as esbuild writes it
    writeFileSync(temporary, file.contents, { mode: hashbang ? 0o755 : 0o644 });
    renameSync(temporary, file.path);
  }
}

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

// The core first: the shell's lazy getters are generated from the names it exports.
await write(esbuild.build({ ...common, ...coreBundle }));

const builds = [
  // What activation loads: stand-ins that require dist/workbench.js on the extension's first use.
  esbuild.build({
    ...common,
    entryPoints: { extension: "src/vscode/extension.ts" },
    outdir: "dist",
    external: ["vscode", "./workbench.js"],
    plugins: [vscodeRequire(realpathSync("src/vscode"))],
  }),
  // The workbench (views, commands, status bar, console), which reaches the core through lazy getters.
  esbuild.build({
    ...common,
    entryPoints: { workbench: "src/vscode/workbench.ts" },
    outdir: "dist",
    external: ["vscode"],
    plugins: [lazyCore(coreNames()), vscodeRequire(realpathSync("src/vscode"))],
  }),
  esbuild.build({
    ...common,
    entryPoints: { cli: "src/cli/main.ts", demo: "scripts/demo.ts" },
    outdir: "dist",
    banner: { js: "#!/usr/bin/env node" },
  }),
];

if (withTests) {
  rmSync(testsDir, { recursive: true, force: true });
  builds.push(
    esbuild.build({
      ...common,
      sourcemap: "inline",
      entryPoints: ["test/run.ts", ...findTests("test")],
      outdir: testsDir,
      outbase: "test",
      outExtension: { ".js": ".cjs" },
      external: ["vscode"],
    }),
  );
}

await Promise.all(builds.map(write));
