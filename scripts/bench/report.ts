// The report writer: the header (machine, versions, load), the summary (the issue's targets, then
// one table of all measurements) and each section's chapter, from the sections that ran.
import os from "node:os";
import { REF_LABEL } from "./harness/config";
import type { Environment } from "./harness/environment";
import type { Options } from "./harness/options";
import type { ReportContext, Section } from "./sections/section";

export interface RunRecord {
  env: Environment & { quiet: string };
  options: Options;
  /** Every registered section, in report order. */
  sections: readonly Section<unknown>[];
  results: Map<Section<unknown>, unknown>;
  /** "label idle%" for each section that waited for quiet CPUs, in run order. */
  quiet: string[];
  skipped: string[];
  seconds: number;
}

export function report(run: RunRecord): string {
  const { env, options } = run;
  const context: ReportContext = {
    options,
    env,
    result: <R>(section: Section<R>) => run.results.get(section as Section<unknown>) as R | undefined,
  };
  const ran = run.sections.filter((s) => run.results.has(s));
  const L: string[] = [];
  L.push("# Benchmarks", "");
  L.push(
    `Written by \`npm run bench\`${options.quick ? " **with --quick (small samples: smoke test, not numbers to quote)**" : ""} on ${env.date}, ` +
      `in ${run.seconds.toFixed(0)} s. Every number is measured on loopback against the throwaway test-bed servers ` +
      "(scripts/testbed/), so it shows what the client and the servers cost, not what a network costs; " +
      "the round-trip sections (3 and 4) are what turn the protocol's waits into network time.",
    "",
  );
  L.push("| | |", "|---|---|");
  L.push(`| Machine | ${env.machine} |`);
  L.push(`| Node | ${env.node} |`);
  L.push(`| NODE_EXTRA_CA_CERTS | ${env.extraCa} |`);
  L.push(`| Prosody | ${env.prosody} (Debian package, mod_ipcheck from prosody-modules) |`);
  L.push(`| ejabberd | ${env.ejabberd} (Debian package, mod_sic) |`);
  L.push(`| slixmpp | ${env.slixmpp} (Debian python3-slixmpp, /usr/bin/python3) |`);
  L.push(`| xmpp-sic | ${env.xmppSic}; the CLI and extension bundled as \`node scripts/build.mjs --production\` does |`);
  L.push(
    `| Other load | CPUs ${env.quiet} idle just before the start${run.quiet.length ? `, and before each section (after the same wait for idle CPUs): ${run.quiet.join(", ")}` : ""}; load average (1, 5, 15 min) at the start ${env.load}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(", ")} ` +
      "(other work on the machine shows up as spread) |",
  );
  L.push(`| Command | \`${command(ran.length < run.sections.length ? ran : undefined)}\` |`);
  L.push("");
  if (run.skipped.length > 0) L.push(...run.skipped.map((s) => `> Skipped: ${s}`), "");

  L.push("## Summary", "");
  L.push("### The issue's targets", "");
  L.push(
    "Round trips are counted past TCP: the TCP handshake is not in the proxy's log (add one on a real network), the client's first flight is one, and each wait is one more (section 3).",
    "",
  );
  L.push(...targetRows(run.sections, context), "");
  L.push("### All measurements", "");
  L.push("| Measurement | xmpp-sic | Comparison / note |", "|---|---|---|");
  for (const section of ran) L.push(...(section.summary?.(run.results.get(section), context) ?? []));
  L.push("");
  for (const section of ran) L.push(...(section.chapter?.(run.results.get(section), context) ?? []));
  return L.join("\n");
}

/** The issue's targets, each with what this run measured (or "not measured"), in the sections' order for them. */
function targetRows(sections: readonly Section<unknown>[], context: ReportContext): string[] {
  const rows = sections.flatMap((section) => (section.targets ?? []).map((target) => ({ order: target.order, text: target.row(context.result(section), context) })));
  return [
    "| Target (from the issue) | Measured here | Verdict |",
    "|---|---|---|",
    ...rows
      .sort((a, b) => a.order - b.order)
      .flatMap((r) => (r.text === undefined ? [] : [r.text])),
  ];
}

/** The command that reproduces this run (--only when not every section ran). */
function command(subset: readonly Section<unknown>[] | undefined): string {
  const args = [
    ...(REF_LABEL ? ["--ref", REF_LABEL.split(" ")[0]] : []),
    ...(subset ? ["--only", subset.map((s) => s.name).join(",")] : []),
  ];
  return `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`;
}
