// The shell and the core in separate bundles, so that the shell loads without the core: dist/core.js
// holds the core and its dependencies; dist/workbench.js (the shell, itself loaded on the
// extension's first use by dist/extension.js) reaches it through a module of lazy getters that
// require("./core.js") on the first use of any core value (a check, a validation, a pretty-print).
// StanzaLog is the one core value the shell needs at once (the views subscribe to it): it is small,
// has no dependencies, and is bundled into the shell as well (the core only calls its methods).
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve, sep } from "node:path";

const root = resolve(".");
// Real paths: esbuild reports importers by their real path, and src/ may be a symlink (the test
// harness packages a .vsix from a staging copy that links to the sources).
const CORE_DIR = realpathSync(join(root, "src/core"));
const SHELL_DIR = realpathSync(join(root, "src/vscode"));
/** The core modules the shell may import values from; dist/core.js re-exports them all. */
const SHELL_CORE_MODULES = ["index.ts", "account.ts"];
const EAGER = { StanzaLog: "src/core/stanzaLog.ts" };
const LAZY_NS = "xmpp-sic-lazy-core";
const GETTERS = "core-getters";

/** esbuild options for dist/core.js. */
export const coreBundle = {
  stdin: { contents: SHELL_CORE_MODULES.map((m) => `export * from "./src/core/${m}";`).join("\n"), resolveDir: root, loader: "ts" },
  outfile: "dist/core.js",
};

/** The names the shell can import: read from the core bundle just written. */
export function coreNames() {
  const require = createRequire(import.meta.url);
  const file = join(root, coreBundle.outfile);
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

/** The esbuild plugin that turns the shell's imports of src/core into the lazy getters. */
export const lazyCore = (names) => ({
  name: "lazy-core",
  setup(build) {
    build.onResolve({ filter: /core/ }, (args) => {
      if (args.namespace === LAZY_NS && args.path === "./core.js") return { path: "./core.js", external: true };
      if (args.namespace === LAZY_NS && args.path === GETTERS) return { path: GETTERS, namespace: LAZY_NS };
      if (!args.importer.startsWith(SHELL_DIR + sep)) return undefined;
      const target = resolve(args.resolveDir, args.path);
      if (target !== CORE_DIR && !target.startsWith(CORE_DIR + sep)) return undefined;
      const module = target === CORE_DIR ? "index.ts" : `${relative(CORE_DIR, target).replace(/\.ts$/, "")}.ts`;
      if (!SHELL_CORE_MODULES.includes(module)) {
        return { errors: [{ text: `src/vscode imports src/core/${module}: add it to SHELL_CORE_MODULES in scripts/lazyCore.mjs` }] };
      }
      return { path: "core", namespace: LAZY_NS };
    });
    // The shell's files import an ES module that re-exports the getters: esbuild then copies the
    // getters onto one namespace object once, not once per importing file (as it does for a
    // CommonJS module imported from ESM).
    build.onLoad({ filter: /^core$/, namespace: LAZY_NS }, () => ({ contents: `export * from "${GETTERS}";`, loader: "js", resolveDir: root }));
    build.onLoad({ filter: new RegExp(`^${GETTERS}$`), namespace: LAZY_NS }, () => ({ contents: lazyCoreSource(names), loader: "js", resolveDir: root }));
  },
});
