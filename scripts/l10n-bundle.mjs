// Writes l10n/bundle.l10n.json, the English bundle of the extension's runtime strings: every
// string literal passed to vscode.l10n.t(…) in src/vscode. A translation is a copy of this file
// (bundle.l10n.<locale>.json) with the values translated. `--check` only reports a stale bundle.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BUNDLE = "l10n/bundle.l10n.json";

export function sourceFiles(dir = "src/vscode") {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** Every message passed to l10n.t as a string literal, in file order, once each. */
export function extractMessages(files = sourceFiles()) {
  const messages = new Set();
  for (const file of files) {
    for (const m of readFileSync(file, "utf8").matchAll(/\bl10n\.t\(\s*("(?:[^"\\\n]|\\.)*")/g)) messages.add(JSON.parse(m[1]));
  }
  return [...messages].sort();
}

export function bundleText(messages = extractMessages()) {
  return `${JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2)}\n`;
}

if (process.argv[1]?.endsWith("l10n-bundle.mjs")) {
  const text = bundleText();
  if (process.argv.includes("--check")) {
    const current = readFileSync(BUNDLE, "utf8");
    if (current !== text) {
      console.error(`${BUNDLE} is out of date: run node scripts/l10n-bundle.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(BUNDLE, text);
    console.log(`${BUNDLE}: ${Object.keys(JSON.parse(text)).length} messages`);
  }
}
