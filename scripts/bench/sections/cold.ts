// Section 1: a cold check as a user runs it, whole process (spawn → printed answer → exit): the CLI
// on first contact and for a known server (and without the inherited NODE_EXTRA_CA_CERTS), and the
// slixmpp peer, round after round in rotated order; their per-round ratios are the issue's target.
import { EXTRA_CA_CERTS, progress } from "../harness/config";
import { WITHOUT_EXTRA_CA } from "../harness/processes";
import { ms, spread, verdict, type Spread } from "../harness/stats";
import { assertAnswered, cacheDir, cliTool, freshCacheDir, slixmppTool, type RunTarget, type Tool } from "../harness/tools";
import type { Section, SectionContext } from "./section";

export interface ColdResult {
  tools: { name: string; answer: Spread; exit: Spread; /** per run: exit − answer */ tail: Spread }[];
  /** Per-round ratios of each xmpp-sic variant's time to slixmpp's, and their median. */
  ratios: { name: string; median: number; p10: number; p90: number; withoutExtraCa: boolean; known: boolean }[];
  rounds: number;
}

const WITHOUT_EXTRA_CA_NAME = "xmpp-sic CLI, known server, NODE_EXTRA_CA_CERTS unset";

async function coldWholeProcess({ prosody: server, options }: SectionContext): Promise<ColdResult> {
  const prosody = server!;
  const PAIRS = options.pairs;
  const first = cliTool("xmpp-sic CLI, first contact (nothing saved about the server)");
  const known = cliTool("xmpp-sic CLI, known server (profile saved by an earlier run)");
  // The environment's NODE_EXTRA_CA_CERTS costs every Node process start-up time (see the breakdown).
  const knownWithoutExtra = EXTRA_CA_CERTS ? cliTool(WITHOUT_EXTRA_CA_NAME, { env: WITHOUT_EXTRA_CA }) : undefined;
  const tools = [first, known, ...(knownWithoutExtra ? [knownWithoutExtra] : []), slixmppTool];
  const knownCache = cacheDir("cold-known");
  const target = (tool: Tool): RunTarget => ({
    port: prosody.starttlsPort,
    caFile: prosody.certs.caFile,
    cacheHome: tool === known || tool === knownWithoutExtra ? knownCache : freshCacheDir(),
  });
  // Also what teaches the "known server" variants their profile.
  progress("cold whole-process checks: one warm-up run each (page cache, .pyc, the known server's profile) …");
  for (const tool of tools) assertAnswered(tool, await tool.run(target(tool)));

  const answers = tools.map(() => [] as number[]);
  const exits = tools.map(() => [] as number[]);
  for (let round = 0; round < PAIRS; round++) {
    // Rotate the order each round so no tool always runs first or right after another.
    for (let k = 0; k < tools.length; k++) {
      const i = (round + k) % tools.length;
      const run = await tools[i].run(target(tools[i]));
      assertAnswered(tools[i], run);
      answers[i].push(run.answerMs);
      exits[i].push(run.exitMs);
    }
    if ((round + 1) % 5 === 0 || round + 1 === PAIRS) progress(`  round ${round + 1}/${PAIRS}`);
  }
  const peer = tools.length - 1;
  return {
    tools: tools.map((t, i) => ({ name: t.name, answer: spread(answers[i]), exit: spread(exits[i]), tail: spread(exits[i].map((e, r) => e - answers[i][r])) })),
    ratios: tools.slice(0, peer).map((t, i) => {
      const r = answers[i].map((a, round) => a / answers[peer][round]);
      const s = spread(r);
      return { name: t.name, median: s.median, p10: s.p10, p90: s.p90, withoutExtraCa: t === knownWithoutExtra, known: t !== first };
    }),
    rounds: PAIRS,
  };
}

export const cold: Section<ColdResult> = {
  name: "cold",
  about: "1. cold check, whole process: the CLI (first contact, known server) against slixmpp, pair by pair",
  quietLabel: "1",
  needs: { prosody: true, slixmpp: true },
  measure: coldWholeProcess,
  targets: [
    {
      order: 5,
      row(cold) {
        if (!cold) return undefined;
        const inherited = cold.ratios.filter((r) => !r.withoutExtraCa);
        const unset = cold.ratios.find((r) => r.withoutExtraCa);
        const peer = cold.tools[cold.tools.length - 1];
        return (
          "| Whole-process cold check: **≤ 0.5 × slixmpp's wall time**, pair by pair | " +
            `median per-pair ratio ${inherited.map((r) => `${r.median.toFixed(2)} (${r.known ? "known server" : "first contact"}; p10–p90 ${r.p10.toFixed(2)}–${r.p90.toFixed(2)})`).join(", ")}; ` +
            `slixmpp's median is ${ms(peer.answer.median)} ms, so the target means printing within ≈ ${ms(peer.answer.median / 2)} ms` +
            (unset ? `. With NODE_EXTRA_CA_CERTS unset (set in this environment, see section 1): ${unset.median.toFixed(2)}` : "") +
            " (section 1, where the time goes: its breakdown) | " +
            `${verdict(inherited.every((r) => r.median <= 0.5))}${unset ? (unset.median <= 0.5 ? " (met with NODE_EXTRA_CA_CERTS unset)" : " (not with NODE_EXTRA_CA_CERTS unset either)") : ""} |`
        );
      },
    },
  ],
  summary(cold) {
    const L: string[] = [];
    const peer = cold.tools[cold.tools.length - 1];
    const byName = (r: ColdResult["ratios"][number]) => (r.withoutExtraCa ? "known server, NODE_EXTRA_CA_CERTS unset" : r.known ? "known server" : "first contact");
    L.push(
      `| Cold check, whole process to printed answer (Prosody, STARTTLS), median | ${cold.tools
        .slice(0, -1)
        .map((t, i) => `${byName(cold.ratios[i])} ${ms(t.answer.median)} ms`)
        .join("; ")} | ` +
        `slixmpp ${ms(peer.answer.median)} ms; per-pair ratio xmpp-sic ÷ slixmpp: ${cold.ratios.map((r) => `${r.median.toFixed(2)} (${byName(r)})`).join(" / ")} |`,
    );
    const [known] = cold.tools.slice(1, 2);
    if (known) {
      L.push(
        `| CLI process exit after the printed answer (known server), median (p90) | ${ms(known.tail.median)} ms (${ms(known.tail.p90)}) | ` +
          "check() resolves without waiting for the server's close, but the process exits only once the socket has closed (the server's close_notify and FIN) |",
      );
    }
    return L;
  },
  chapter(cold, { env }) {
    const L: string[] = [];
    L.push("## 1. Cold check, whole process", "");
    L.push(
      `From \`spawn()\` to the first byte of the answer on the child's stdout (what a user waits for), and to the process's exit. ` +
        `Prosody, STARTTLS, the same account and certificate check (the test-bed CA), SCRAM-SHA-1 on both sides (all Prosody 0.12 offers here). ` +
        "The CLI keeps what it learns about a server (a profile: features, mechanism, the query that answered; nothing secret) in $XDG_CACHE_HOME/xmpp-sic/servers.json " +
        "and pipelines the next check with it. The bench gives it a cache of its own: empty for every \"first contact\" run, and one kept across the \"known server\" runs " +
        "(taught by the warm-up run). The CLI keeps no TLS session between processes. " +
        `${cold.rounds} rounds; each round runs every tool once, in an order rotated round by round; one unmeasured warm-up run each. ` +
        "`xmpp-sic` prints as soon as check() resolves, and check() resolves right after the answer: it writes its stream footer and TLS close_notify and does not wait " +
        "for the server's side of the close (src/core/xmlStream.ts `close()`). The process still exits only after that close has finished in the background: " +
        "the socket keeps the event loop alive until the server's close_notify and FIN arrive (or a 500 ms grace timer destroys it), so \"exit − answer\" is about " +
        "one round trip plus the server's close handling. The slixmpp script prints as soon as the answer arrives, then closes the way slixmpp does (footer, wait for the server's close) and exits." +
        (EXTRA_CA_CERTS
          ? ` This environment sets NODE_EXTRA_CA_CERTS (${env.extraCa}); Node loads that file at every start-up, before any JavaScript runs, and every row inherits it, as it would for a user ` +
            "who has it set. The row \"NODE_EXTRA_CA_CERTS unset\" is the known-server check in the same rounds without it. The difference is smaller than the difference in Node's " +
            "start-up: with the variable set, Node builds its root store (every bundled root parsed) at start-up; without it, the CLI's first secure context builds it during the check instead (see the breakdown below)."
          : ""),
      "",
    );
    L.push("| Tool | median to answer (ms) | p10 | p90 | min | max | median to exit (ms) | exit − answer, per run: median (p90) (ms) |", "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const t of cold.tools) {
      L.push(
        `| ${t.name} | ${ms(t.answer.median)} | ${ms(t.answer.p10)} | ${ms(t.answer.p90)} | ${ms(t.answer.min)} | ${ms(t.answer.max)} | ${ms(t.exit.median)} | ${ms(t.tail.median)} (${ms(t.tail.p90)}) |`,
      );
    }
    L.push("");
    L.push("Ratio of times, measured pair by pair (xmpp-sic ÷ slixmpp within each round; below 1 means xmpp-sic answers sooner; the target is ≤ 0.5):", "");
    L.push("| xmpp-sic variant | median ratio | p10 | p90 |", "|---|---:|---:|---:|");
    for (const r of cold.ratios) L.push(`| ${r.name} | ${r.median.toFixed(3)} | ${r.p10.toFixed(3)} | ${r.p90.toFixed(3)} |`);
    L.push("");
    return L;
  },
};
