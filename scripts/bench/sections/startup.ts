// Section 1, its breakdown: where a cold CLI process's time goes. Plain processes (node, the CLI's
// --version, python, import slixmpp), a probed known-server CLI check per environment (with and
// without NODE_EXTRA_CA_CERTS), and the ways of building a secure context, in rotated rounds.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, EXTRA_CA_CERTS, PYTHON, WORK, progress } from "../harness/config";
import { scratchDir } from "../harness/owned";
import { baseEnv, runProcess, WITHOUT_EXTRA_CA, type ProcessRun } from "../harness/processes";
import { median, ms, range, spread, type Spread } from "../harness/stats";
import { assertAnswered, cacheDir, cliTool } from "../harness/tools";
import { cold as coldSection } from "./cold";
import { inproc as inprocSection, VARIANTS } from "./inproc";
import type { Section, SectionContext } from "./section";
import { CONTEXT_CHILD, CONTEXT_VARIANTS, PROBE_SOURCE, type ProbeReport } from "./startupProbe";

/** Where the probe and its reports go; removed at the end. */
const PROBE_DIR = join(WORK, "probe");

export interface StartupResult {
  rounds: number;
  /** Secure-context variants, ms inside a fresh process, per environment. */
  contexts: { name: string; env: string; ms: Spread }[];
  /** Plain processes (no probe): spawn → exit. */
  plain: { name: string; exit: Spread }[];
  /** Probed CLI checks (known server), with and without NODE_EXTRA_CA_CERTS: per-run phase lengths. */
  probed: {
    env: string;
    phases: { name: string; how: string; ms: Spread }[];
    /** spawn → net.connect(), and the part of it that is Node's own start-up (spawn → the preload runs). */
    toDial: Spread;
    nodeStart: Spread;
    answer: Spread;
    exit: Spread;
    cpu: Spread;
    rssMiB: Spread;
    ctxMs: Spread;
    pbkdf2Ms: Spread;
    dialToAnswer: Spread;
    ctxCalls: number;
    pbkdf2Calls: number;
  }[];
}

async function startupBreakdown({ prosody: server, options }: SectionContext): Promise<StartupResult> {
  const prosody = server!;
  const PAIRS = options.pairs;
  mkdirSync(scratchDir(PROBE_DIR), { recursive: true });
  const probeFile = join(PROBE_DIR, "probe.cjs");
  writeFileSync(probeFile, PROBE_SOURCE);
  const knownCache = cacheDir("cold-known"); // taught by section 1's warm-up run (or the first probe run)
  const envs: { label: string; env: Record<string, string | undefined> }[] = [
    { label: EXTRA_CA_CERTS ? "inherited (NODE_EXTRA_CA_CERTS set)" : "inherited", env: {} },
    ...(EXTRA_CA_CERTS ? [{ label: "NODE_EXTRA_CA_CERTS unset", env: WITHOUT_EXTRA_CA }] : []),
  ];
  let probes = 0;
  const probeRun = async (env: Record<string, string | undefined>) => {
    const out = join(PROBE_DIR, `run-${++probes}.json`);
    const tool = cliTool("xmpp-sic CLI (probed)", {
      nodeArgs: ["-r", probeFile],
      env: { ...env, XMPP_SIC_BENCH_PROBE: out, XMPP_SIC_BENCH_PROBE_MAIN: CLI },
    });
    const run = await tool.run({ port: prosody.starttlsPort, caFile: prosody.certs.caFile, cacheHome: knownCache });
    assertAnswered(tool, run);
    const report = JSON.parse(readFileSync(out, "utf8")) as ProbeReport;
    rmSync(out, { force: true });
    return { run, report };
  };
  const plainKinds: { name: string; run: () => Promise<ProcessRun> }[] = [];
  for (const { label, env } of envs) {
    plainKinds.push(
      { name: `\`node -e ''\`, ${label}`, run: () => runProcess(process.execPath, ["-e", ""], baseEnv(env)) },
      { name: `\`node dist/cli.js --version\`, ${label}`, run: () => runProcess(process.execPath, [CLI, "--version"], baseEnv(env)) },
    );
  }
  plainKinds.push(
    { name: "`python3 -c ''`", run: () => runProcess(PYTHON, ["-c", ""], baseEnv({})) },
    { name: "`python3 -c 'import slixmpp'`", run: () => runProcess(PYTHON, ["-c", "import slixmpp"], baseEnv({})) },
  );
  const jobs: (() => Promise<void>)[] = [];
  const plainTimes = plainKinds.map(() => [] as number[]);
  plainKinds.forEach((kind, i) =>
    jobs.push(async () => {
      const run = await kind.run();
      if (run.code !== 0) throw new Error(`${kind.name} failed (exit ${run.code}): ${run.stderr}`);
      plainTimes[i].push(run.exitMs);
    }),
  );
  const probedRuns = envs.map(() => [] as { run: ProcessRun; report: ProbeReport }[]);
  envs.forEach(({ env }, i) => jobs.push(async () => void probedRuns[i].push(await probeRun(env))));
  const contexts = envs.flatMap(({ label, env }) => CONTEXT_VARIANTS.map((v) => ({ name: v.name, key: v.key, env: label, vars: env, times: [] as number[] })));
  for (const c of contexts) {
    jobs.push(async () => {
      const run = await runProcess(process.execPath, ["-e", CONTEXT_CHILD], baseEnv({ ...c.vars, XMPP_SIC_BENCH_CA: prosody.certs.caFile, XMPP_SIC_BENCH_CTX: c.key }));
      if (run.code !== 0) throw new Error(`the secure-context child (${c.key}) failed (exit ${run.code}): ${run.stderr}`);
      c.times.push(Number(run.stdout));
    });
  }

  progress(`where the CLI's time goes: ${PAIRS} rounds of ${jobs.length} processes …`);
  await probeRun({}); // warm-up (page cache), and teaches the known server when section 1 did not run
  for (let round = 0; round < PAIRS; round++) {
    for (let k = 0; k < jobs.length; k++) await jobs[(round + k) % jobs.length]();
    if ((round + 1) % 5 === 0 || round + 1 === PAIRS) progress(`  round ${round + 1}/${PAIRS}`);
  }

  const probed = envs.map(({ label }, i) => {
    const runs = probedRuns[i];
    const per = (f: (r: ProbeReport, run: ProcessRun) => number) => spread(runs.map(({ run, report }) => f(report, run)));
    const handshake = (r: ProbeReport) => r.handshakes.reduce((n, [a, b]) => n + (b - a), 0);
    const phases = [
      { name: "spawn → Node's process start", how: "fork/exec and loading the node binary, up to performance.timeOrigin", ms: per((r, run) => r.timeOrigin - run.startedAtEpoch) },
      {
        name: "Node: per-process initialisation",
        how: "timeOrigin → nodeTiming.v8Start: OpenSSL, options; NODE_EXTRA_CA_CERTS is read here, and Node's root store built for it (every bundled root parsed)",
        ms: per((r) => r.v8Start - r.timeOrigin),
      },
      { name: "Node: V8 and the environment", how: "nodeTiming.v8Start → nodeTiming.environment (from the start-up snapshot)", ms: per((r) => r.environment - r.v8Start) },
      { name: "Node: bootstrap, pre-execution", how: "nodeTiming.environment → the preload runs", ms: per((r) => r.preloadAt - r.environment) },
      { name: "→ CLI bundle starts to run", how: "the probe's own set-up, resolving and reading dist/cli.js", ms: per((r) => r.loadStart! - r.preloadAt) },
      { name: "CLI bundle compiled and run", how: "Module._compile of dist/cli.js: its top level, then main() up to its first await (argument parsing)", ms: per((r) => r.loadEnd! - r.loadStart!) },
      { name: "→ dial", how: "password, profile cache, the CA file read and checked, targets; up to net.connect()", ms: per((r) => r.dialAt! - r.loadEnd!) },
      { name: "dial → answer printed", how: "the check on loopback (connect, STARTTLS, SASL, bind, query) and printing", ms: per((r) => r.answerAt! - r.dialAt!) },
      {
        name: "  of which: tls.createSecureContext()",
        how: "building secure contexts, synchronous; the first one builds Node's root store (every bundled root parsed) unless NODE_EXTRA_CA_CERTS had it built at start-up (the native addCACert() after it, ~1 ms, is not in this sum)",
        ms: per((r) => r.ctxMs),
      },
      { name: "  of which: PBKDF2 (SCRAM)", how: "crypto.pbkdf2Sync(), synchronous", ms: per((r) => r.pbkdf2Ms) },
      { name: "  of which: TLS handshake", how: "tls.connect() → 'secureConnect', wall (includes the server's part)", ms: per(handshake) },
      { name: "answer printed → 'exit' event", how: "the background close: the server's close_notify and FIN after the client's footer (at most 500 ms)", ms: per((r) => r.exitAt - r.answerAt!) },
      { name: "'exit' event → the parent sees the process gone", how: "process teardown", ms: per((r, run) => run.exitAtEpoch - r.exitAt) },
    ];
    return {
      env: label,
      phases,
      toDial: per((r, run) => r.dialAt! - run.startedAtEpoch),
      nodeStart: per((r, run) => r.preloadAt - run.startedAtEpoch),
      ctxMs: per((r) => r.ctxMs),
      pbkdf2Ms: per((r) => r.pbkdf2Ms),
      dialToAnswer: per((r) => r.answerAt! - r.dialAt!),
      answer: spread(runs.map(({ run }) => run.answerMs)),
      exit: spread(runs.map(({ run }) => run.exitMs)),
      cpu: per((r) => r.cpuMs),
      rssMiB: per((r) => r.maxRssKiB / 1024),
      ctxCalls: median(runs.map(({ report }) => report.ctxCalls)),
      pbkdf2Calls: median(runs.map(({ report }) => report.pbkdf2Calls)),
    };
  });
  return {
    rounds: PAIRS,
    plain: plainKinds.map((k, i) => ({ name: k.name, exit: spread(plainTimes[i]) })),
    probed,
    contexts: contexts.map((c) => ({ name: c.name, env: c.env, ms: spread(c.times) })),
  };
}

export const startup: Section<StartupResult> = {
  name: "startup",
  about: "1. (breakdown) where a cold CLI process's time goes: Node start-up, secure contexts, PBKDF2",
  quietLabel: "1 (breakdown)",
  needs: { prosody: true, slixmpp: true },
  measure: startupBreakdown,
  summary(startup) {
    const L: string[] = [];
    const p = startup.probed[0];
    const plain = (prefix: string) => startup.plain.find((x) => x.name.startsWith(prefix));
    const nodeBare = startup.plain.filter((x) => x.name.startsWith("`node -e"));
    const version = startup.plain.filter((x) => x.name.startsWith("`node dist/cli.js"));
    L.push(
      `| Where a cold CLI check's time goes (known server), medians | spawn → dial ${ms(p.toDial.median)} ms (Node start-up ${ms(p.nodeStart.median)}); dial → answer ${ms(p.dialToAnswer.median)} ms ` +
        `(TLS contexts ${ms(p.ctxMs.median)}, PBKDF2 ${ms(p.pbkdf2Ms.median)}); CPU ${ms(p.cpu.median)} ms | ` +
        `\`node -e ''\` ${nodeBare.map((x) => `${ms(x.exit.median)} ms (${x.name.split(", ").slice(1).join(", ")})`).join(" / ")}; ` +
        `\`node dist/cli.js --version\` ${version.map((x) => `${ms(x.exit.median)} ms`).join(" / ")}; ` +
        `\`python3 -c ''\` ${ms(plain("`python3 -c ''")?.exit.median ?? Number.NaN)} ms, \`import slixmpp\` ${ms(plain("`python3 -c 'import")?.exit.median ?? Number.NaN)} ms (section 1) |`,
    );
    return L;
  },
  chapter(startup, report) {
    const cold = report.result(coldSection);
    const inproc = report.result(inprocSection);
    const L: string[] = [];
    L.push("### Where a CLI process's time goes", "");
    L.push(
      `${startup.rounds} rounds; each round runs, in an order rotated round by round, every plain process below once and one probed known-server CLI check per environment ` +
        "(after one unmeasured probed run). Plain processes: from `spawn()` to the exit (their output closed).",
      "",
    );
    L.push("| Process | median spawn → exit (ms) | p10 | p90 |", "|---|---:|---:|---:|");
    for (const x of startup.plain) L.push(`| ${x.name} | ${ms(x.exit.median)} | ${ms(x.exit.p10)} | ${ms(x.exit.p90)} |`);
    L.push("");
    L.push(
      "The probed check is `node -r probe.cjs dist/cli.js check …` (known server, Prosody STARTTLS, the test-bed CA given with `--ca`): a preload, written by the bench, notes on the child's own clock " +
        "Node's start-up milestones (`performance.nodeTiming`: v8Start, environment) and when the preload itself runs, when `Module._compile` of dist/cli.js starts and returns, the first `net.connect()` (the dial), the first stdout write (the answer) " +
        "and the `exit` event, and adds up the synchronous time inside `tls.createSecureContext()` and `crypto.pbkdf2Sync()` (the core calls both through their module objects, so the wrappers see every call). " +
        "The child's clock is epoch-based like the bench's, so \"spawn →\" spans both. Each cell is the median (p10–p90) over the runs of that phase's length; medians of parts need not add up to the median whole.",
      "",
    );
    const heads = startup.probed.map((p) => p.env);
    L.push(`| Phase | what | ${heads.join(" | ")} |`, `|---|---|${heads.map(() => "---:").join("|")}|`);
    const phaseNames = startup.probed[0].phases.map((p) => p.name);
    phaseNames.forEach((name, i) => {
      L.push(`| ${name} | ${startup.probed[0].phases[i].how} | ${startup.probed.map((p) => range(p.phases[i].ms)).join(" | ")} |`);
    });
    L.push(`| **spawn → dial** | everything before the first byte could go out | ${startup.probed.map((p) => `**${range(p.toDial)}**`).join(" | ")} |`);
    L.push(`| **spawn → answer printed** (probed) | | ${startup.probed.map((p) => `**${range(p.answer)}**`).join(" | ")} |`);
    L.push(`| spawn → exit (probed) | | ${startup.probed.map((p) => range(p.exit)).join(" | ")} |`);
    L.push(`| CPU of the process (user + system) | process.cpuUsage() at exit | ${startup.probed.map((p) => range(p.cpu)).join(" | ")} |`);
    L.push(`| max RSS (MiB) | process.resourceUsage() | ${startup.probed.map((p) => range(p.rssMiB)).join(" | ")} |`);
    L.push(
      `| calls | secure contexts built / PBKDF2 runs, per process | ${startup.probed.map((p) => `${p.ctxCalls} / ${p.pbkdf2Calls}`).join(" | ")} |`,
    );
    L.push("");
    const p0 = startup.probed[0];
    const peer = cold?.tools[cold.tools.length - 1];
    const known = cold?.tools[1];
    const warmRepeat = inproc?.find((r) => r.server === "Prosody" && r.tls === "STARTTLS" && r.variant === VARIANTS[0].name);
    const nodeBare = startup.plain.filter((x) => x.name.startsWith("`node -e"));
    const pyBare = startup.plain.find((x) => x.name.startsWith("`python3 -c ''"));
    const pyImport = startup.plain.find((x) => x.name.startsWith("`python3 -c 'import"));
    const notes: string[] = [];
    if (peer) {
      notes.push(
        `The target (≤ 0.5 × slixmpp) means printing within ≈ ${ms(peer.answer.median / 2)} ms here (slixmpp's median ${ms(peer.answer.median)} ms); ` +
          `the known-server CLI prints after ${ms(known?.answer.median ?? Number.NaN)} ms (section 1).`,
      );
    }
    notes.push(
      `Before the CLI can send its first byte, ${ms(p0.toDial.median)} ms have passed (${p0.env}), ${ms(p0.nodeStart.median)} ms of them in Node's own start-up; ` +
        `an empty \`node -e ''\` takes ${nodeBare.map((x) => `${ms(x.exit.median)} ms (${x.name.split(", ").slice(1).join(", ")})`).join(", ")} from spawn to exit.` +
        (startup.probed[1] ? ` Without NODE_EXTRA_CA_CERTS the CLI reaches its dial after ${ms(startup.probed[1].toDial.median)} ms (Node start-up ${ms(startup.probed[1].nodeStart.median)} ms).` : ""),
    );
    notes.push(
      `The process is on a CPU nearly all the time: ${ms(p0.cpu.median)} ms of CPU (user + system, all threads) against ${ms(p0.exit.median)} ms from spawn to exit. ` +
        "On loopback the network costs next to nothing, so the whole-process time is start-up and first-run CPU work.",
    );
    notes.push(
      `From the dial to the printed answer the cold process takes ${ms(p0.dialToAnswer.median)} ms, where the same check in a warm process takes ${ms(warmRepeat?.total.median ?? Number.NaN)} ms (section 2, Prosody STARTTLS, repeat). ` +
        `Of the difference, ${ms(p0.ctxMs.median)} ms are spent in tls.createSecureContext()` +
        (startup.probed[1] ? ` (${ms(startup.probed[1].ctxMs.median)} ms without NODE_EXTRA_CA_CERTS, when the first context has to build Node's root store: see the table below)` : "") +
        ` and ${ms(p0.pbkdf2Ms.median)} ms in PBKDF2; the rest is not broken down further here (code running for the first time in the process, on both the JavaScript and the OpenSSL side). ` +
        "prepareTrust() builds the context in a setImmediate once the dial has started, which hides it behind the TCP and STARTTLS round trips on a real link; on loopback there is no network time to hide it in.",
    );
    if (pyBare && pyImport) {
      notes.push(
        `For the peer: Python starts in ${ms(pyBare.exit.median)} ms and \`import slixmpp\` brings that to ${ms(pyImport.exit.median)} ms, ` +
          `so ≈ ${ms(pyImport.exit.median - pyBare.exit.median)} ms of slixmpp's time is importing it.`,
      );
    }
    L.push(...notes.map((n) => `- ${n}`), "");
    L.push(
      "Building a secure context that trusts the test-bed CA, timed inside a fresh Node process (`node -e`, the same rounds): Node 20 parses every bundled root into its root store " +
        "on first use, or at start-up when NODE_EXTRA_CA_CERTS is set, and passing `ca` makes it build that store too (to compare against it), so a fresh process pays for it whichever way; " +
        "listing the roots again in `ca` parses them a second time.",
      "",
    );
    const envNames = [...new Set(startup.contexts.map((c) => c.env))];
    L.push(`| Secure context | ${envNames.map((e) => `${e}: median (p10–p90) (ms)`).join(" | ")} |`, `|---|${envNames.map(() => "---:").join("|")}|`);
    for (const v of CONTEXT_VARIANTS) {
      const cells = envNames.map((e) => {
        const c = startup.contexts.find((x) => x.env === e && x.name === v.name);
        return c ? range(c.ms) : "—";
      });
      L.push(`| ${v.name} | ${cells.join(" | ")} |`);
    }
    L.push("");
    return L;
  },
};
