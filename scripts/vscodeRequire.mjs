// `import * as vscode from "vscode"` compiled as a plain require("vscode"). For a namespace import
// of a CommonJS module, esbuild's CommonJS output calls __toESM(), which copies every property of
// the module onto a new object, asking Object.getOwnPropertyDescriptor() for each. On VS Code's
// API object (about 300 properties) that lookup is slow: measured in code-server's extension host,
// one copy took 31 ms while a plain copy took 0.5 ms, and with one copy per importing file it was
// most of the extension's "Load Code" time. TypeScript's `import vscode = require("vscode")` means
// the same to this code and compiles to a plain require, so the shell's files are read that way.
import { readFile } from "node:fs/promises";

const NAMESPACE_IMPORT = /^import \* as (\w+) from "vscode";$/gm;

/** An esbuild plugin for the files under `dir` (a real path). */
export const vscodeRequire = (dir) => ({
  name: "vscode-require",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(dir)) return undefined;
      const source = await readFile(args.path, "utf8");
      return { contents: source.replace(NAMESPACE_IMPORT, 'import $1 = require("vscode");'), loader: "ts" };
    });
  },
});
