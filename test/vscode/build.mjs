// Bundles the suites that run inside VS Code's extension host (test/vscode/suite/*.suite.ts) into
// <outdir>/*.suite.cjs (default out/test/vscode/suite). test/vscode/*.test.ts run this into a temp
// dir of their own before they start code-server (scripts/build.mjs bundles only *.test.ts files,
// which node's test runner runs directly, into out/test/ or a test run's own out/run-<pid>/, and
// empties that directory when it runs).
// `vscode` is provided by the extension host; mocha is bundled in, so the bundle runs from anywhere.
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const suiteDir = join(root, "test/vscode/suite");
const outdir = resolve(process.argv[2] ?? join(root, "out/test/vscode/suite"));
const entryPoints = readdirSync(suiteDir)
  .filter((name) => name.endsWith(".suite.ts"))
  .map((name) => join(suiteDir, name));

await esbuild.build({
  entryPoints,
  outdir,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "inline",
  external: ["vscode"],
  // mocha's parallel mode (unused here) resolves its worker files at run time.
  logOverride: { "require-resolve-not-external": "silent" },
  logLevel: "warning",
  legalComments: "none",
});
console.log(outdir);
