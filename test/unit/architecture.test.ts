// The core must stay free of VS Code so the CLI (and any other shell) can use it unchanged.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(__dirname, "..", "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

test("nothing under src/core imports vscode", () => {
  const files = sources(join(ROOT, "src", "core"));
  assert.ok(files.length > 5, "src/core not found");
  const offenders = files.filter((f) => /from\s+["']vscode["']|require\(\s*["']vscode["']\s*\)/.test(readFileSync(f, "utf8")));
  assert.deepEqual(offenders, []);
});

/** Source text without comments, so explaining a rule does not count as breaking it. */
function code(file: string): string {
  return readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

test("no source touches the process-wide TLS settings", () => {
  const offenders = sources(join(ROOT, "src")).filter((f) => /NODE_TLS_REJECT_UNAUTHORIZED|NODE_EXTRA_CA_CERTS/.test(code(f)));
  assert.deepEqual(offenders, []);
});
