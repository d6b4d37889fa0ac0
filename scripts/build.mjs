// One esbuild step for everything that runs: the extension (vscode external), the CLI, the demo,
// and, with --tests, every test file bundled on its own so node's test runner can run them as
// plain CommonJS. @xmpp/* is ESM-only; bundling turns it into CommonJS, which VS Code requires.
import * as esbuild from "esbuild";
import { readdirSync, readFileSync, statSync, rmSync } from "node:fs";
import { join } from "node:path";

const withTests = process.argv.includes("--tests");
const production = process.argv.includes("--production");

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
};

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const builds = [
  esbuild.build({
    ...common,
    entryPoints: { extension: "src/vscode/extension.ts" },
    outdir: "dist",
    external: ["vscode"],
  }),
  esbuild.build({
    ...common,
    entryPoints: { cli: "src/cli/main.ts", demo: "scripts/demo.ts" },
    outdir: "dist",
    banner: { js: "#!/usr/bin/env node" },
  }),
];

if (withTests) {
  rmSync("out", { recursive: true, force: true });
  builds.push(
    esbuild.build({
      ...common,
      sourcemap: "inline",
      entryPoints: ["test/run.ts", ...findTests("test")],
      outdir: "out/test",
      outbase: "test",
      outExtension: { ".js": ".cjs" },
      external: ["vscode"],
    }),
  );
}

await Promise.all(builds);
