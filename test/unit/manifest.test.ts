// The manifest and runtime strings are localisable: every title and description in package.json
// is a %key% with an English text in package.nls.json, and every vscode.l10n.t message in the
// extension is in the English bundle l10n/bundle.l10n.json (scripts/l10n-bundle.mjs writes it).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(__dirname, "..", "..", "..");
const json = (name: string) => JSON.parse(readFileSync(join(ROOT, name), "utf8"));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith(".ts") ? [path] : [];
  });
}

test("every user-visible manifest string is a %key% defined in package.nls.json", () => {
  const pkg = json("package.json");
  const nls = json("package.nls.json");
  const plain: string[] = [];
  const check = (where: string, value: unknown) => {
    if (typeof value !== "string") return;
    const key = /^%(.+)%$/.exec(value)?.[1];
    if (!key) plain.push(`${where}: ${value}`);
    else assert.ok(typeof nls[key] === "string" && nls[key].length > 0, `${where}: ${value} has no text in package.nls.json`);
  };
  check("displayName", pkg.displayName);
  check("description", pkg.description);
  const c = pkg.contributes;
  for (const cmd of c.commands) {
    check(`${cmd.command}.title`, cmd.title);
    check(`${cmd.command}.category`, cmd.category);
  }
  for (const v of Object.values(c.views).flat() as { id: string; name: string; contextualTitle?: string }[]) {
    check(`${v.id}.name`, v.name);
    check(`${v.id}.contextualTitle`, v.contextualTitle);
  }
  for (const w of c.viewsWelcome) check(`viewsWelcome ${w.view}`, w.contents);
  for (const container of c.viewsContainers.activitybar) check(`viewsContainer ${container.id}`, container.title);
  for (const section of [c.configuration].flat()) {
    check("configuration.title", section.title);
    for (const [key, prop] of Object.entries(section.properties) as [string, Record<string, unknown>][]) {
      check(`${key}.markdownDescription`, prop.markdownDescription ?? prop.description);
    }
  }
  for (const w of c.walkthroughs ?? []) {
    check(`${w.id}.title`, w.title);
    check(`${w.id}.description`, w.description);
    for (const s of w.steps) {
      check(`${s.id}.title`, s.title);
      check(`${s.id}.description`, s.description);
      check(`${s.id}.altText`, s.media?.altText);
    }
  }
  assert.deepEqual(plain, [], "manifest strings not in package.nls.json");
});

test("settings are typed, bounded, scoped and ordered", () => {
  for (const section of [json("package.json").contributes.configuration].flat()) {
    for (const [key, prop] of Object.entries(section.properties) as [string, Record<string, unknown>][]) {
      assert.notEqual(prop.type, "number", `${key}: a count of minutes or seconds is an integer`);
      if (prop.type === "integer") assert.equal(typeof prop.minimum, "number", `${key} has no minimum`);
      assert.equal(typeof prop.scope, "string", `${key} has no scope`);
      assert.equal(typeof prop.order, "number", `${key} has no order`);
    }
  }
});

test("every vscode.l10n.t message is in the English bundle", () => {
  const bundle = json("l10n/bundle.l10n.json");
  const missing: string[] = [];
  for (const file of sources(join(ROOT, "src/vscode"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/\bl10n\.t\(\s*("(?:[^"\\\n]|\\.)*")/g)) {
      const message = JSON.parse(m[1]!) as string;
      if (bundle[message] !== message) missing.push(`${file}: ${message}`);
    }
  }
  assert.deepEqual(missing, [], "run node scripts/l10n-bundle.mjs");
  assert.equal(json("package.json").l10n, "./l10n");
});

test("every picture the walkthrough shows is packed into the .vsix; the README's are files to inline", () => {
  const ignore = readFileSync(join(ROOT, ".vscodeignore"), "utf8");
  const readme = readFileSync(join(ROOT, "docs/README.vsix.md"), "utf8");
  const inReadme = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  const inWalkthrough = (json("package.json").contributes.walkthroughs as { steps: { media: { image: string } }[] }[]).flatMap((w) => w.steps.map((s) => s.media.image));
  assert.ok(inReadme.length >= 3 && inWalkthrough.length >= 4, `pictures: README ${inReadme.length}, walkthrough ${inWalkthrough.length}`);
  for (const picture of [...inReadme, ...inWalkthrough]) {
    assert.doesNotMatch(picture, /^[a-z]+:/, `${picture}: an absolute URL (the project has no public home yet)`);
    assert.ok(statSync(join(ROOT, picture)).size > 0, `${picture} is missing`);
  }
  for (const picture of inWalkthrough) {
    assert.ok(ignore.split("\n").includes(`!${picture}`), `${picture} is not packed: no "!${picture}" line in .vscodeignore`);
  }
  assert.match(json("package.json").scripts.package, /scripts\/vsix-readme\.mjs && vsce package .*--readme-path dist\/README\.vsix\.md/);
});

// Activation registers a stand-in for each contributed command (src/vscode/firstUse.ts) and the
// workbench replaces them on first use: a command it registers but the manifest does not list
// would be missing until then, and one the manifest lists but it never registers would fail.
test("the workbench registers exactly the commands the manifest contributes", () => {
  const contributed = (json("package.json").contributes.commands as { command: string }[]).map((c) => c.command).sort();
  const registered = sources(join(ROOT, "src", "vscode"))
    .flatMap((path) => [...readFileSync(path, "utf8").matchAll(/\bregister(?:Command)?\(\s*"(xmppSic\.[\w.]+)"/g)].map((m) => m[1]!))
    .sort();
  assert.ok(registered.length >= 40, `only ${registered.length} registrations found: has the registration helper changed name?`);
  assert.deepEqual(registered, [...new Set(registered)], "a command is registered twice");
  assert.deepEqual(registered, contributed);
});

// Issue 11 §8: nothing at start-up. Its views and commands activate it (VS Code derives those
// events from contributes), so a window that never uses it never loads it.
test("the extension declares no start-up activation", () => {
  const events: string[] = json("package.json").activationEvents ?? [];
  for (const eager of ["*", "onStartupFinished"]) assert.ok(!events.includes(eager), `activationEvents has ${eager}`);
  assert.ok(json("package.json").contributes.views.xmppSic.length > 0, "no view left to activate it");
});
