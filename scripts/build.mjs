// One esbuild step for everything that runs: the extension (vscode external), the CLI, the demo,
// and, with --tests, every test file bundled on its own so node's test runner can run them as
// plain CommonJS. @xmpp/* is ESM-only; bundling turns it into CommonJS, which VS Code requires.
import * as esbuild from "esbuild";
import { readdirSync, readFileSync, realpathSync, statSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve, sep } from "node:path";

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

// The extension in two bundles, so that activation loads only the shell: dist/core.js holds the
// core and its dependencies; dist/extension.js reaches it through a module of lazy getters that
// require("./core.js") on the first use of any core value (a check, a validation, a pretty-print).
// StanzaLog is the one core value activation needs (the views subscribe to it): it is small, has no
// dependencies, and is bundled into the shell as well (the core only calls its methods).
const root = resolve(".");
// Real paths: esbuild reports importers by their real path, and src/ may be a symlink (the test
// harness packages a .vsix from a staging copy that links to the sources).
const CORE_DIR = realpathSync(join(root, "src/core"));
const SHELL_DIR = realpathSync(join(root, "src/vscode"));
/** The core modules the shell may import values from; dist/core.js re-exports them all. */
const SHELL_CORE_MODULES = ["index.ts", "account.ts"];
const EAGER = { StanzaLog: "src/core/stanzaLog.ts" };
const LAZY_NS = "xmpp-sic-lazy-core";

async function buildCore() {
  await esbuild.build({
    ...common,
    stdin: { contents: SHELL_CORE_MODULES.map((m) => `export * from "./src/core/${m}";`).join("\n"), resolveDir: root, loader: "ts" },
    outfile: "dist/core.js",
  });
  // The names the shell can import: read from the bundle just built.
  const require = createRequire(import.meta.url);
  const file = join(root, "dist/core.js");
  delete require.cache[file];
  return Object.keys(require(file));
}

function lazyCoreSource(names) {
  const eager = Object.entries(EAGER).map(([name, path]) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(join(root, path))}).${name},`);
  return [
    `let core;`,
    `const load = () => (core ??= require("./core.js"));`,
    `const eager = {\n${eager.join("\n")}\n};`,
    `for (const name of ${JSON.stringify(names)}) {`,
    `  Object.defineProperty(exports, name, { enumerable: true, get: eager[name] ?? (() => load()[name]) });`,
    `}`,
  ].join("\n");
}

const lazyCore = (names) => ({
  name: "lazy-core",
  setup(build) {
    build.onResolve({ filter: /core/ }, (args) => {
      if (args.namespace === LAZY_NS && args.path === "./core.js") return { path: "./core.js", external: true };
      if (!args.importer.startsWith(SHELL_DIR + sep)) return undefined;
      const target = resolve(args.resolveDir, args.path);
      if (target !== CORE_DIR && !target.startsWith(CORE_DIR + sep)) return undefined;
      const module = target === CORE_DIR ? "index.ts" : `${relative(CORE_DIR, target).replace(/\.ts$/, "")}.ts`;
      if (!SHELL_CORE_MODULES.includes(module)) {
        return { errors: [{ text: `src/vscode imports src/core/${module}: add it to SHELL_CORE_MODULES in scripts/build.mjs` }] };
      }
      return { path: "core", namespace: LAZY_NS };
    });
    build.onLoad({ filter: /.*/, namespace: LAZY_NS }, () => ({ contents: lazyCoreSource(names), loader: "js", resolveDir: root }));
  },
});

const coreNames = await buildCore();

const builds = [
  esbuild.build({
    ...common,
    entryPoints: { extension: "src/vscode/extension.ts" },
    outdir: "dist",
    external: ["vscode"],
    plugins: [lazyCore(coreNames)],
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
