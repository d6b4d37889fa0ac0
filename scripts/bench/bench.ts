// `npm run bench` (bundled and started by scripts/bench/run.mjs, with --expose-gc): chooses the
// sections (all, or --only LIST), starts the servers they need, runs them in order, and writes the
// report (report.ts). The harness is in harness/, the sections in sections/ (listed in
// sections/index.ts). Progress goes to stderr; servers, proxies and children are always stopped.
//
// `npm run bench -- --help` lists the options and the sections. A section may also run as a child
// mode of this bundle (`bench.cjs --child-scram HASH ITERATIONS`: section 6's fresh process).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import { CLI, PYTHON, progress } from "./harness/config";
import { environment } from "./harness/environment";
import { parseOptions, outFile, USAGE, type Options } from "./harness/options";
import { cleanup, stopOnSignals, wasInterrupted } from "./harness/owned";
import { waitForQuiet } from "./harness/quiet";
import { startServers } from "./harness/servers";
import { report } from "./report";
import { SECTIONS } from "./sections/index";
import type { Section, SectionContext } from "./sections/section";

const HELP = `${USAGE}\n\nSections (in the order they run):\n${SECTIONS.map((s) => `  ${s.name.padEnd(9)}${s.about}`).join("\n")}`;

/** The sections --only names, in registry order; an unknown name is an error that lists the known ones. */
function choose(options: Options): Section<unknown>[] {
  if (options.only === undefined) return [...SECTIONS];
  const unknown = options.only.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0 || options.only.length === 0) {
    throw new Error(`--only: ${unknown.length ? `no section named ${unknown.map((n) => JSON.stringify(n)).join(", ")}` : "name at least one section"}; the sections are ${SECTIONS.map((s) => s.name).join(", ")}`);
  }
  return SECTIONS.filter((s) => options.only!.includes(s.name));
}

async function main(options: Options, chosen: Section<unknown>[]): Promise<void> {
  const quiet = await waitForQuiet(options.waitQuiet);
  const started = performance.now();
  const env = { ...environment(), quiet };
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the bench through \`npm run bench\` (scripts/bench/run.mjs builds it)`);
  const needs = (key: keyof Section<unknown>["needs"], from = chosen) => from.some((s) => s.needs[key]);
  if (needs("slixmpp") && env.slixmpp.startsWith("not installed")) throw new Error(`slixmpp is missing for ${PYTHON}: run sudo bash scripts/install-system-deps.sh`);

  const { prosody, ejabberd, skipped } = await startServers({ prosody: needs("prosody") || needs("ejabberd"), ejabberd: needs("ejabberd") });
  const servers = prosody ? [{ name: "Prosody", server: prosody }, ...(ejabberd ? [{ name: "ejabberd", server: ejabberd }] : [])] : [];
  const context: SectionContext = { options, prosody, servers };
  const results = new Map<Section<unknown>, unknown>();
  const quietBefore: string[] = [];
  for (const [i, section] of chosen.entries()) {
    // Servers cost CPU: stop them once no section still to run needs them.
    if (!needs("prosody", chosen.slice(i)) && !needs("ejabberd", chosen.slice(i))) await cleanup();
    if (section.quietLabel !== undefined) quietBefore.push(`${section.quietLabel} ${await waitForQuiet(options.waitQuiet)}`);
    results.set(section, await section.measure(context));
  }
  await cleanup();

  const text = report({ env, options, sections: SECTIONS, results, quiet: quietBefore, skipped, seconds: (performance.now() - started) / 1000 });
  process.stdout.write(text + "\n");
  const file = outFile(options, chosen.map((s) => s.name), SECTIONS.map((s) => s.name));
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text + "\n");
    progress(`wrote ${file}${chosen.length < SECTIONS.length && options.out === undefined ? " (a subset: BENCHMARKS.md keeps the last full run)" : ""}`);
  }
}

const argv = process.argv.slice(2);
const childMode = SECTIONS.find((s) => s.child && argv[0] === s.child.flag);
if (childMode) {
  childMode.child!.run(argv.slice(1));
} else {
  let options: Options | undefined;
  let chosen: Section<unknown>[] = [];
  try {
    options = parseOptions(argv);
    chosen = choose(options);
  } catch (err) {
    options = undefined;
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
  if (options?.help) process.stdout.write(`${HELP}\n`);
  else if (options) {
    stopOnSignals();
    main(options, chosen)
      .catch(async (err) => {
        if (wasInterrupted()) return; // what fails after an interrupt is the interrupt's doing
        process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 1;
      })
      .finally(() => cleanup());
  }
}
