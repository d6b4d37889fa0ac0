// The benchmark harness behind `npm run bench` (bundled and started by scripts/bench/run.mjs, with
// --expose-gc). Starts a throwaway Prosody (mod_ipcheck) and ejabberd (mod_sic)
// on loopback, measures, prints a Markdown report on stdout and writes it to BENCHMARKS.md.
// Progress goes to stderr. Servers, proxies and child processes are always stopped.
//
// Options (after `npm run bench --`):
//   --quick          small samples, for trying the harness out (the report says so)
//   --no-write       print the report only, leave BENCHMARKS.md alone
//   --only LIST      comma-separated subset of: cold, inproc, rtt, ext
//   --pairs N        rounds of the whole-process comparison (default 20)
//   --n N            in-process checks per server and TLS mode (default 30)
//   --rtt-runs N     runs per tool and delay in the round-trip section (default 9)
//   --delay MS       one-way delay of the round-trip section (default 25)
//   --out FILE       where to write the report (default BENCHMARKS.md at the repo root)
//   --no-wait        start at once, even on a busy machine (default: wait up to 3 min for idle CPUs)
//   --ref REF        (run.mjs) measure src/ as committed at git REF instead of the working tree
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import tls from "node:tls";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { xml, type Element } from "@xmpp/xml";
import { check, type CheckOptions, type CheckResult } from "../../src/core/check";
import { StanzaLog, StanzaRecorder, type StanzaLogEntry } from "../../src/core/stanzaLog";
import { ejabberdUnavailable, prosodyUnavailable, startEjabberd, startProsody, type OwnedXmppServer } from "../testbed/index";
import { DelayProxy, type ConnectionLog } from "./delayProxy";
import { median, mode, ms, spread, type Spread } from "./stats";
import { decodeConnection, readKeyLog, type ConnectionView } from "./tlsView";
import { countWaits, flightTable, type WaitCount } from "./waits";

// ---------------------------------------------------------------------------------------------
// Configuration

const ROOT = process.env.XMPP_SIC_BENCH_ROOT ?? process.cwd();
const DIST = process.env.XMPP_SIC_BENCH_DIST ?? join(ROOT, "dist");
const CLI = join(DIST, "cli.js");
const EXTENSION = join(DIST, "extension.js");
const PYTHON = "/usr/bin/python3";
const SLIXMPP_SCRIPT = join(ROOT, "scripts", "bench", "slixmpp_check.py");
/** Where the round-trip section's TLS key logs go (one file per tool; lines are keyed by client random). */
const KEYLOG_DIR = process.env.XMPP_SIC_BENCH_KEYLOG_DIR ?? os.tmpdir();
const INPROCESS_KEYLOG = join(KEYLOG_DIR, "in-process.keylog");
/** The CLI's cache homes (XDG_CACHE_HOME) for this run; removed at the end. */
const CACHE_ROOT = join(process.env.XMPP_SIC_BENCH_WORK ?? join(os.tmpdir(), `xmpp-sic-bench-${process.pid}`), "cli-cache");

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
function option(name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
}
const QUICK = flag("--quick");
const WRITE = !flag("--no-write");
const ONLY = new Set(option("--only", "cold,inproc,rtt,ext").split(","));
const PAIRS = Number(option("--pairs", QUICK ? "4" : "20"));
const N_INPROC = Number(option("--n", QUICK ? "5" : "30"));
const RTT_RUNS = Number(option("--rtt-runs", QUICK ? "2" : "9"));
const DELAY = Number(option("--delay", "25"));
const OUT = option("--out", join(ROOT, "BENCHMARKS.md"));
const WAIT_QUIET = !flag("--no-wait");
const STANZAS = 100_000;
/** Section 4 is the lead's to fill. */
const WARM_PLACEHOLDER = "not implemented yet";

const USER = "bench";
const PASSWORD = randomBytes(12).toString("base64url");
const JID = `${USER}@localhost`;
const HOST = "127.0.0.1";

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

// ---------------------------------------------------------------------------------------------
// Cleanup: every server, proxy and child this process starts is registered here.

const servers: OwnedXmppServer[] = [];
const proxies = new Set<DelayProxy>();
const children = new Set<ChildProcess>();
let cleaning: Promise<void> | null = null;
let interrupted = false;

/** Servers still starting: a stop must wait for them, or a server started after it would be left running. */
const starting: Promise<unknown>[] = [];

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.allSettled([...proxies].map((p) => p.stop()));
    await Promise.allSettled(starting);
    await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
    rmSync(CACHE_ROOT, { recursive: true, force: true });
  })();
  return cleaning;
}

/** Starts a server and registers it for cleanup the moment it is up. */
function launch(start: () => Promise<OwnedXmppServer>): Promise<OwnedXmppServer> {
  const started = start().then((server) => {
    servers.push(server);
    return server;
  });
  starting.push(started.catch(() => {}));
  return started;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return; // a terminal's Ctrl-C reaches us and run.mjs both
    interrupted = true;
    progress(`${signal}: stopping servers and children …`);
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  for (const server of servers) server.kill();
});

// ---------------------------------------------------------------------------------------------
// Running things

interface ProcessRun {
  /** From spawn() to the first byte on stdout (the answer), ms. */
  answerMs: number;
  /** From spawn() to the process having exited and closed its output, ms. */
  exitMs: number;
  /** performance.timeOrigin-based epoch ms of the first stdout byte. */
  answerAtEpoch: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

const epochNow = () => performance.timeOrigin + performance.now();

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let answerMs = Number.NaN;
    let answerAtEpoch = Number.NaN;
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => {
      if (Number.isNaN(answerMs)) {
        answerMs = performance.now() - started;
        answerAtEpoch = epochNow();
      }
      stdout += d;
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ answerMs, exitMs: performance.now() - started, answerAtEpoch, stdout, stderr, code });
    });
  });
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.SSLKEYLOGFILE;
  return { ...env, ...extra };
}

interface RunTarget {
  port: number;
  caFile: string;
  /** Where the TLS secrets go (Node's --tls-keylog, Python's SSLKEYLOGFILE). */
  keylog?: string;
  /** The CLI's XDG_CACHE_HOME, where it keeps what it learned about servers (xmpp-sic/servers.json). */
  cacheHome: string;
}

interface Tool {
  name: string;
  /** One whole-process check against host:port (Prosody STARTTLS, or the proxy in front of it). */
  run(target: RunTarget): Promise<ProcessRun>;
  answerPattern: RegExp;
}

const cliTool = (name: string): Tool => ({
  name,
  answerPattern: /127\.0\.0\.1/,
  run: ({ port, caFile, keylog, cacheHome }) =>
    runProcess(
      process.execPath,
      [...(keylog ? [`--tls-keylog=${keylog}`] : []), CLI, "check", JID, "--host", HOST, "--port", String(port), "--tls", "starttls", "--ca", caFile],
      // Never the user's own cache: each measurement decides what the CLI knows.
      baseEnv({ XMPP_PASSWORD: PASSWORD, XDG_CACHE_HOME: cacheHome }),
    ),
});

const slixmppTool: Tool = {
  name: "slixmpp 1.8 (xep_0279 check_ip, sic:0)",
  answerPattern: /^127\.0\.0\.1\s*$/m,
  run: ({ port, caFile, keylog }) =>
    runProcess(PYTHON, [SLIXMPP_SCRIPT, JID, HOST, String(port), caFile], baseEnv({ XMPP_PASSWORD: PASSWORD, ...(keylog ? { SSLKEYLOGFILE: keylog } : {}) })),
};

/** A CLI cache dir: `fresh` ones are new and empty for every use (a first contact), others persist for the run. */
function cacheDir(name: string): string {
  const dir = join(CACHE_ROOT, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
let freshCaches = 0;
function freshCacheDir(): string {
  const dir = join(CACHE_ROOT, `fresh-${++freshCaches}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function assertAnswered(tool: Tool, run: ProcessRun): void {
  if (run.code !== 0 || !tool.answerPattern.test(run.stdout)) {
    throw new Error(`${tool.name} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/**
 * Runs `body` with the TLS secrets of every tls.connect() in this process appended to `file` (what
 * node --tls-keylog does, but only here: the in-process timings of section 2 run without it). The
 * core calls tls.connect() through the module object, so a wrapper installed there sees its sockets;
 * should that ever change, the round-trip section falls back to counting without a decrypted view.
 */
async function withKeylog<T>(file: string, body: () => Promise<T>): Promise<T> {
  const original = tls.connect;
  const patched = (...args: Parameters<typeof tls.connect>) => {
    const socket = (original as (...a: unknown[]) => tls.TLSSocket)(...args);
    socket.on("keylog", (line: Buffer) => appendFileSync(file, line, { mode: 0o600 }));
    return socket;
  };
  (tls as { connect: unknown }).connect = patched;
  try {
    return await body();
  } finally {
    (tls as { connect: unknown }).connect = original;
  }
}

function checkOptions(server: OwnedXmppServer, tls: "starttls" | "direct", extra: Partial<CheckOptions> = {}): CheckOptions {
  return {
    jid: JID,
    password: PASSWORD,
    host: HOST,
    port: tls === "direct" ? server.directTlsPort : server.starttlsPort,
    tls,
    caFile: server.certs.caFile,
    timeoutMs: 15_000,
    ...extra,
  };
}

async function timedCheck(options: CheckOptions): Promise<{ ms: number; result: CheckResult; resolvedAtEpoch: number }> {
  const started = performance.now();
  const result = await check(options);
  return { ms: performance.now() - started, result, resolvedAtEpoch: epochNow() };
}

// ---------------------------------------------------------------------------------------------
// Machine and versions

/** The share of all CPUs' time spent idle over `ms` (Linux /proc/stat), or NaN elsewhere. */
async function idleShare(ms = 1_000): Promise<number> {
  const sample = () => {
    try {
      const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
      return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = sample();
  return a && b && b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : Number.NaN;
}

/** Other work on the machine is this harness's noise: wait (a while) for the CPUs to be mostly idle. */
async function waitForQuiet(): Promise<string> {
  const deadline = Date.now() + 180_000;
  let idle = await idleShare();
  while (WAIT_QUIET && idle < 0.75 && Date.now() < deadline) {
    progress(`the CPUs are ${(100 * (1 - idle)).toFixed(0)}% busy with other work; waiting for them to quieten (--no-wait to skip) …`);
    await new Promise((r) => setTimeout(r, 5_000));
    idle = await idleShare();
  }
  return Number.isNaN(idle) ? "unknown" : `${(100 * idle).toFixed(0)}% idle just before the start${idle < 0.75 ? " (still busy: expect wide spreads)" : ""}`;
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function environment() {
  const cpu = os.cpus()[0]?.model?.trim() ?? "unknown CPU";
  const version = process.env.XMPP_SIC_VERSION ?? JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  const ref = process.env.XMPP_SIC_BENCH_REF ?? "";
  const commit = tryRun("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]);
  const dirty = tryRun("git", ["-C", ROOT, "status", "--porcelain", "--", "src"]) !== "";
  const pkg = (name: string) => tryRun("dpkg-query", ["-W", "-f=${Version}", name]) || "not installed";
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    machine: `${cpu}, ${os.availableParallelism()} cores available (${os.cpus().length} CPUs), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    node: process.version,
    prosody: pkg("prosody"),
    ejabberd: pkg("ejabberd"),
    slixmpp:
      tryRun(PYTHON, ["-c", "import slixmpp, sys; print(slixmpp.__version__, '(Python ' + sys.version.split()[0] + ')')"]) ||
      "not installed (apt-get install python3-slixmpp)",
    load: os.loadavg().map((l) => l.toFixed(2)).join(", "),
    xmppSic: ref
      ? `${version}, src/ as committed at ${ref} (\`npm run bench -- --ref ...\`; the working tree's src/ not used)`
      : `${version}${commit ? `, commit ${commit}` : ""}${dirty ? " + uncommitted changes in src/" : ""}`,
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Cold check, whole process

interface ColdResult {
  tools: { name: string; answer: Spread; exit: Spread }[];
  /** Per-round ratios of each xmpp-sic variant's time to slixmpp's, and their median. */
  ratios: { name: string; median: number; p10: number; p90: number }[];
  rounds: number;
}

async function coldWholeProcess(prosody: OwnedXmppServer): Promise<ColdResult> {
  const first = cliTool("xmpp-sic CLI, first contact (nothing saved about the server)");
  const known = cliTool("xmpp-sic CLI, known server (profile saved by an earlier run)");
  const tools = [first, known, slixmppTool];
  const knownCache = cacheDir("cold-known");
  const target = (tool: Tool): RunTarget => ({
    port: prosody.starttlsPort,
    caFile: prosody.certs.caFile,
    cacheHome: tool === known ? knownCache : freshCacheDir(),
  });
  // Also what teaches the "known server" variant its profile.
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
    tools: tools.map((t, i) => ({ name: t.name, answer: spread(answers[i]), exit: spread(exits[i]) })),
    ratios: tools.slice(0, peer).map((t, i) => {
      const r = answers[i].map((a, round) => a / answers[peer][round]);
      const s = spread(r);
      return { name: t.name, median: s.median, p10: s.p10, p90: s.p90 };
    }),
    rounds: PAIRS,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Cold check in process

interface InProcessRow {
  server: string;
  tls: string;
  variant: string;
  mechanism: string;
  tlsProtocol: string;
  /** The very first check of this server and TLS mode in the process: nothing known, nothing to resume. */
  first: number;
  total: Spread;
  phases: { connect: number; tls: number; auth: number; query: number; answer: number; close: Spread };
  /** How many of the checks resumed a TLS session / went without disco#info (pipelined on a known profile). */
  resumed: number;
  withoutDisco: number;
}

/** What a check's StanzaLog tells: a resumed TLS session, and whether it asked disco#info. */
function logFacts(log: StanzaLog): { resumed: boolean; disco: boolean } {
  const entries = log.list();
  return {
    resumed: entries.some((e) => e.kind === "tls" && /resumed session/.test(e.summary)),
    disco: entries.some((e) => e.direction === "out" && /disco#info/.test(e.summary)),
  };
}

const VARIANTS = [
  // check() as callers use it: what it learned about the server (profiles) and TLS sessions are reused.
  { name: "repeat (default: profile + TLS resumption)", extra: {} as Partial<CheckOptions> },
  // `profiles: null` (a no-op before profiles existed): step by step; TLS resumption still applies.
  { name: "step by step (profiles: null)", extra: { profiles: null } as Partial<CheckOptions> },
];

async function coldInProcess(targets: { name: string; server: OwnedXmppServer }[]): Promise<InProcessRow[]> {
  const configs = targets.flatMap(({ name, server }) =>
    (["starttls", "direct"] as const).flatMap((tls) =>
      VARIANTS.map((variant) => ({ name, server, tls, variant, times: [] as number[], results: [] as CheckResult[], facts: [] as ReturnType<typeof logFacts>[], first: Number.NaN })),
    ),
  );
  progress(`in-process checks: ${configs.length} configurations × ${N_INPROC}, after one first check per server and TLS mode …`);
  for (const c of configs) {
    if (c.variant !== VARIANTS[0]) continue;
    c.first = (await timedCheck(checkOptions(c.server, c.tls))).ms;
    for (const other of configs) if (other.server === c.server && other.tls === c.tls) other.first = c.first;
  }
  for (let i = 0; i < N_INPROC; i++) {
    for (const c of configs) {
      const log = new StanzaLog();
      const { ms, result } = await timedCheck(checkOptions(c.server, c.tls, { ...c.variant.extra, log }));
      c.times.push(ms);
      c.results.push(result);
      c.facts.push(logFacts(log));
    }
    if ((i + 1) % 10 === 0 || i + 1 === N_INPROC) progress(`  ${i + 1}/${N_INPROC}`);
  }
  return configs.map((c) => ({
    server: c.name,
    tls: c.tls === "starttls" ? "STARTTLS" : "direct TLS",
    variant: c.variant.name,
    mechanism: c.results[0].server.mechanism,
    tlsProtocol: c.results[0].server.tlsProtocol ?? "none",
    first: c.first,
    total: spread(c.times),
    phases: {
      connect: median(c.results.map((r) => r.timingsMs.connect)),
      tls: median(c.results.map((r) => r.timingsMs.tls)),
      auth: median(c.results.map((r) => r.timingsMs.auth)),
      query: median(c.results.map((r) => r.timingsMs.query)),
      answer: median(c.results.map((r) => r.timingsMs.total)),
      close: spread(c.times.map((t, i) => t - c.results[i].timingsMs.total)),
    },
    resumed: c.facts.filter((f) => f.resumed).length,
    withoutDisco: c.facts.filter((f) => !f.disco).length,
  }));
}

// ---------------------------------------------------------------------------------------------
// 3. Round trips

interface RttRun {
  /** What the user waits for: the printed answer (processes) or check() resolving (in process). Epoch ms. */
  doneAtEpoch: number;
  /** In process: the StanzaLog, and the time its answer entry was logged. */
  log?: StanzaLogEntry[];
  answerLoggedAtEpoch?: number;
}

interface RttTool {
  name: string;
  /** Runs one check through the proxy at `proxyPort`. */
  run(proxyPort: number): Promise<RttRun>;
  keylog: string;
  /** Direct TLS (XEP-0368) to Prosody's direct TLS port instead of STARTTLS. */
  direct?: boolean;
  /**
   * false: first contact, a new proxy (a new port, so nothing learned or resumed applies) and, for
   * the CLI, an empty cache for every run. true: one proxy (one port) for all runs, after a warm-up
   * run through it, so the client knows the server (profile, TLS session) as a repeat check does.
   */
  known: boolean;
  userVisible: string;
  /** Whether a run was really what `known` says (in process: from its StanzaLog), when that can be told. */
  asExpected?(run: RttRun): boolean;
}

interface RttRow {
  name: string;
  direct: boolean;
  known: boolean;
  userVisible: string;
  /** Medians, ms after the proxy accepted the connection: what the user waits for, and the answer's arrival. */
  base: { done: number; answer: number };
  delayed: { done: number; answer: number };
  /** Median over runs of (time with D − time with D = 0) / 2D. */
  roundTrips: { done: number; answer: number };
  waits: WaitCount;
  waitsVaried: string;
  sample: { count: WaitCount; stanzas?: StanzaLogEntry[]; acceptedAt: number };
}

/** One check through a delay proxy: `proxy` if given (set to `delayMs`), else a new one stopped afterwards. */
async function throughProxy<T>(
  target: number,
  delayMs: number,
  body: (port: number) => Promise<T>,
  proxy?: DelayProxy,
): Promise<{ value: T; log: ConnectionLog }> {
  const own = proxy === undefined;
  const p = proxy ?? (await DelayProxy.start({ targetHost: HOST, targetPort: target, delayMs, keepData: true }));
  p.setDelay(delayMs);
  proxies.add(p);
  try {
    const closed = p.nextClosed();
    const value = await body(p.port);
    const log = await Promise.race([
      closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the proxied connection did not close")), 4 * delayMs + 5_000).unref()),
    ]);
    return { value, log };
  } finally {
    if (own) {
      await p.stop();
      proxies.delete(p);
    }
  }
}

/** Keeps each delayed connection's chunk log and flights as JSON, for a closer look (.cache/bench/rtt/). */
function dumpConnection(tool: string, run: number, log: ConnectionLog, count: WaitCount): void {
  const dir = join(KEYLOG_DIR, "..", "rtt");
  try {
    mkdirSync(dir, { recursive: true });
    const chunks = log.chunks.map(({ data: _data, ...rest }) => ({
      ...rest,
      readAt: rest.readAt - log.acceptedAt,
      deliveredAt: rest.deliveredAt - log.acceptedAt,
    }));
    const file = join(dir, `${tool.replace(/[^\w]+/g, "-").replace(/^-|-$/g, "")}-run${run + 1}.json`);
    writeFileSync(file, JSON.stringify({ tool, delayMs: DELAY, chunks, flights: count.flights, waits: { total: count.total, toAnswer: count.toAnswer } }, null, 1));
  } catch {
    // A debugging aid only.
  }
}

async function roundTrips(prosody: OwnedXmppServer): Promise<RttRow[]> {
  const ca = prosody.certs.caFile;
  const processTool = (tool: Tool, key: string, known: boolean): RttTool => {
    const keylog = join(KEYLOG_DIR, `${key}.keylog`);
    const knownCache = cacheDir(`rtt-${key}`);
    return {
      name: tool.name,
      keylog,
      known,
      userVisible: "answer printed",
      async run(port) {
        const run = await tool.run({ port, caFile: ca, keylog, cacheHome: known ? knownCache : freshCacheDir() });
        assertAnswered(tool, run);
        return { doneAtEpoch: run.answerAtEpoch };
      },
    };
  };
  const inProcess = (name: string, known: boolean, direct = false): RttTool => ({
    name,
    keylog: INPROCESS_KEYLOG,
    direct,
    known,
    userVisible: "check() resolved",
    async run(port) {
      const log = new StanzaLog();
      const options = { ...checkOptions(prosody, direct ? "direct" : "starttls"), port, log };
      const { resolvedAtEpoch } = await withKeylog(INPROCESS_KEYLOG, () => timedCheck(options));
      const answer = log.list().find((e) => e.direction === "in" && e.kind === "iq" && /urn:xmpp:sic:[01]/.test(e.summary) && /result/.test(e.summary));
      return { doneAtEpoch: resolvedAtEpoch, answerLoggedAtEpoch: answer?.time, log: [...log.list()] };
    },
    // A new proxy may get the port of an earlier one, whose profile and TLS session would apply.
    asExpected: (run) => {
      const entries = run.log ?? [];
      const resumed = entries.some((e) => e.kind === "tls" && /resumed session/.test(e.summary));
      const disco = entries.some((e) => e.direction === "out" && /disco#info/.test(e.summary));
      return known || (!resumed && disco);
    },
  });
  const tools: RttTool[] = [
    processTool(cliTool("xmpp-sic CLI, first contact"), "cli-first", false),
    processTool(cliTool("xmpp-sic CLI, known server (saved profile)"), "cli-known", true),
    inProcess("xmpp-sic check() in process, first contact", false),
    inProcess("xmpp-sic check() in process, known server (profile + TLS session)", true),
    processTool(slixmppTool, "slixmpp", false),
    // For comparison with the STARTTLS rows: what XEP-0368 direct TLS saves.
    inProcess("xmpp-sic check() in process, first contact, direct TLS", false, true),
    inProcess("xmpp-sic check() in process, known server, direct TLS", true, true),
  ];

  const rows: RttRow[] = [];
  for (const tool of tools) {
    progress(`round trips: ${tool.name}: ${RTT_RUNS} × (D = 0, D = ${DELAY} ms) …`);
    const target = tool.direct ? prosody.directTlsPort : prosody.starttlsPort;
    let stable: DelayProxy | undefined;
    if (tool.known) {
      stable = await DelayProxy.start({ targetHost: HOST, targetPort: target, delayMs: 0, keepData: true });
      proxies.add(stable);
      await throughProxy(target, 0, (port) => tool.run(port), stable); // the warm-up that makes the server known
    }
    const measure = async (delayMs: number) => {
      for (let attempt = 1; ; attempt++) {
        const { value, log } = await throughProxy(target, delayMs, (port) => tool.run(port), stable);
        if (tool.asExpected && !tool.asExpected(value) && attempt < 3) continue;
        const view: ConnectionView | null = decodeConnection(log.chunks, readKeyLog(tool.keylog), tool.direct === true);
        const count = countWaits(log, view, value.answerLoggedAtEpoch !== undefined ? { answerAtEpochMs: value.answerLoggedAtEpoch } : {});
        return { done: value.doneAtEpoch - log.acceptedAt, answer: count.answerAt ?? Number.NaN, count, value, log };
      }
    };
    const base: { done: number; answer: number }[] = [];
    const delayed: { done: number; answer: number }[] = [];
    const runs: { count: WaitCount; sample: RttRow["sample"] }[] = [];
    try {
      for (let i = 0; i < RTT_RUNS; i++) {
        const b = await measure(0);
        const d = await measure(DELAY);
        base.push(b);
        delayed.push(d);
        runs.push({ count: d.count, sample: { count: d.count, stanzas: d.value.log, acceptedAt: d.log.acceptedAt } });
        dumpConnection(tool.name, i, d.log, d.count);
        progress(
          `  run ${i + 1}: connect → ${tool.userVisible}: ${ms(b.done)} ms at D = 0, ${ms(d.done)} ms at D = ${DELAY}; ` +
            `waits to the answer ${d.count.toAnswer.real} (+${d.count.toAnswer.ack} ACK-only)`,
        );
      }
    } finally {
      if (stable) {
        await stable.stop();
        proxies.delete(stable);
      }
    }
    const perRun = (pick: (x: { done: number; answer: number }) => number) => median(delayed.map((d, i) => (pick(d) - pick(base[i])) / (2 * DELAY)));
    const typical = mode(runs.map((r) => r.count.toAnswer.real));
    const chosen = runs.find((r) => r.count.toAnswer.real === typical) ?? runs[0];
    const key = (c: WaitCount) => `${c.toAnswer.real}+${c.toAnswer.ack} / ${c.total.real}+${c.total.ack}+${c.total.close}`;
    const distinct = [...new Set(runs.map((r) => key(r.count)))];
    rows.push({
      name: tool.name,
      direct: tool.direct === true,
      known: tool.known,
      userVisible: tool.userVisible,
      base: { done: median(base.map((b) => b.done)), answer: median(base.map((b) => b.answer)) },
      delayed: { done: median(delayed.map((d) => d.done)), answer: median(delayed.map((d) => d.answer)) },
      roundTrips: { done: perRun((x) => x.done), answer: perRun((x) => x.answer) },
      waits: chosen.count,
      waitsVaried: distinct.length === 1 ? `same in all ${RTT_RUNS}` : `varied: ${distinct.join("; ")}`,
      sample: chosen.sample,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 5. Extension

function realisticStanzas(i: number): { dir: "in" | "out"; el: Element }[] {
  const id = `${i.toString(36)}-${(i * 2654435761 % 2 ** 32).toString(16)}`;
  const features = [
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "urn:xmpp:sic:0",
    "urn:xmpp:sic:1",
    "urn:xmpp:ping",
    "jabber:iq:roster",
    "jabber:iq:version",
    "urn:xmpp:time",
    "vcard-temp",
    "urn:xmpp:carbons:2",
    "urn:xmpp:mam:2",
    "msgoffline",
  ];
  return [
    { dir: "out", el: xml("iq", { type: "get", to: "example.org", id: `disco-${id}` }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })) },
    {
      dir: "in",
      el: xml(
        "iq",
        { type: "result", from: "example.org", to: `alice@example.org/xmpp-sic-${id}`, id: `disco-${id}` },
        xml(
          "query",
          { xmlns: "http://jabber.org/protocol/disco#info" },
          xml("identity", { category: "server", type: "im", name: "Prosody" }),
          ...features.map((f) => xml("feature", { var: f })),
        ),
      ),
    },
    { dir: "out", el: xml("iq", { type: "get", id: `sic-${id}` }, xml("address", { xmlns: "urn:xmpp:sic:1" })) },
    {
      dir: "in",
      el: xml(
        "iq",
        { type: "result", to: `alice@example.org/xmpp-sic-${id}`, id: `sic-${id}` },
        xml("address", { xmlns: "urn:xmpp:sic:1" }, xml("ip", {}, `203.0.113.${i % 250}`), xml("port", {}, String(1024 + (i % 60000)))),
      ),
    },
    {
      dir: "in",
      el: xml("presence", { from: `bob@example.org/phone-${i % 7}`, to: "alice@example.org" }, xml("c", { xmlns: "http://jabber.org/protocol/caps", hash: "sha-1", node: "https://conversations.im", ver: "Fb0KnOl3wWk8pMxFQ6dY5U3x3mQ=" })),
    },
    {
      dir: "in",
      el: xml(
        "message",
        { type: "chat", from: `bob@example.org/phone-${i % 7}`, to: "alice@example.org", id: `m-${id}` },
        xml("body", {}, `Message ${i}: did the address change after the router restart? It looked like a new port mapping each time.`),
      ),
    },
  ];
}

function stanzaMemory(): { entries: number; kib: number; heapDeltaMiB: number; ms: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (npm run bench does)");
  const collect = () => {
    for (let i = 0; i < 3; i++) gc();
  };
  collect();
  const before = process.memoryUsage().heapUsed;
  const log = new StanzaLog();
  const recorder = new StanzaRecorder(log, "bench", [PASSWORD]);
  const started = performance.now();
  for (let i = 0, n = 0; n < STANZAS; i++) {
    for (const { dir, el } of realisticStanzas(i)) {
      if (n++ >= STANZAS) break;
      recorder.element(dir, el);
    }
  }
  const elapsed = performance.now() - started;
  collect();
  const after = process.memoryUsage().heapUsed;
  const { entries, bytes } = log.size; // keeps `log` alive until after the measurement
  return { entries, kib: bytes / 1024, heapDeltaMiB: (after - before) / 2 ** 20, ms: elapsed };
}

function extensionNumbers() {
  const bytes = statSync(EXTENSION).size;
  const gzip = gzipSync(readFileSync(EXTENSION)).length;
  progress(`stanza log: ${STANZAS} stanzas through StanzaRecorder …`);
  return { bytes, gzip, memory: stanzaMemory() };
}

// ---------------------------------------------------------------------------------------------
// The report

function report(parts: {
  env: ReturnType<typeof environment> & { quiet: string };
  cold?: ColdResult;
  inproc?: InProcessRow[];
  rtt?: RttRow[];
  ext?: ReturnType<typeof extensionNumbers>;
  skipped: string[];
  seconds: number;
}): string {
  const { env, cold, inproc, rtt, ext } = parts;
  const L: string[] = [];
  L.push("# Benchmarks", "");
  L.push(
    `Written by \`npm run bench\`${QUICK ? " **with --quick (small samples: smoke test, not numbers to quote)**" : ""} on ${env.date}, ` +
      `in ${parts.seconds.toFixed(0)} s. Every number is measured on loopback against the throwaway test-bed servers ` +
      "(scripts/testbed/), so it shows what the client and the servers cost, not what a network costs; " +
      "the round-trip section is what turns the protocol's waits into network time.",
    "",
  );
  L.push("| | |", "|---|---|");
  L.push(`| Machine | ${env.machine} |`);
  L.push(`| Node | ${env.node} |`);
  L.push(`| Prosody | ${env.prosody} (Debian package, mod_ipcheck from prosody-modules) |`);
  L.push(`| ejabberd | ${env.ejabberd} (Debian package, mod_sic) |`);
  L.push(`| slixmpp | ${env.slixmpp} (Debian python3-slixmpp, /usr/bin/python3) |`);
  L.push(`| xmpp-sic | ${env.xmppSic}; the CLI and extension bundled as \`node scripts/build.mjs --production\` does |`);
  L.push(
    `| Other load | CPUs ${env.quiet}; load average (1, 5, 15 min) at the start ${env.load}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(", ")} ` +
      "(other work on the machine shows up as spread) |",
  );
  L.push(`| Command | \`npm run bench${process.env.XMPP_SIC_BENCH_REF ? ` -- --ref ${process.env.XMPP_SIC_BENCH_REF.split(" ")[0]}` : ""}\` |`);
  L.push("");
  if (parts.skipped.length > 0) L.push(...parts.skipped.map((s) => `> Skipped: ${s}`), "");

  L.push("## Summary", "");
  L.push("| Measurement | xmpp-sic | Comparison / note |", "|---|---|---|");
  if (cold) {
    const [first, known, peer] = cold.tools;
    L.push(
      `| Cold check, whole process to printed answer (Prosody, STARTTLS), median | first contact ${ms(first.answer.median)} ms; known server ${ms(known.answer.median)} ms | ` +
        `slixmpp ${ms(peer.answer.median)} ms; per-pair ratio xmpp-sic ÷ slixmpp: ${cold.ratios.map((r) => r.median.toFixed(2)).join(" (first contact) / ")} (known server) |`,
    );
  }
  if (inproc) {
    for (const r of inproc) {
      L.push(
        `| Check in process, fresh connection, ${r.server} ${r.tls}, ${r.variant}, median (p10–p90) | ${ms(r.total.median)} ms (${ms(r.total.p10)}–${ms(r.total.p90)}) | ` +
          `n = ${r.total.n}; the first check of ${r.server} ${r.tls} in the process: ${ms(r.first)} ms |`,
      );
    }
  }
  if (rtt) {
    for (const r of rtt) {
      const w = r.waits;
      L.push(
        `| Round trips, ${r.name} (Prosody${r.direct ? "" : ", STARTTLS"}) | ${w.toAnswer.real} waits to the answer (+${w.toAnswer.ack} whitespace-ACK only), so ${w.toAnswer.real + 1} round trips; by time ≈ ${r.roundTrips.answer.toFixed(1)} RTT to the answer, ${r.roundTrips.done.toFixed(1)} to ${r.userVisible} | ` +
          `whole connection: ${w.total.real} waits + ${w.total.ack} ACK-only + ${w.total.close} close |`,
      );
    }
  }
  L.push(`| Warm re-check on an open session | ${WARM_PLACEHOLDER} | see section 4 |`);
  if (ext) {
    L.push(`| Extension: dist/extension.js (production build) | ${(ext.bytes / 1024).toFixed(1)} KiB (${(ext.gzip / 1024).toFixed(1)} KiB gzipped) | |`);
    L.push("| Extension: activate() time | measured in the real VS Code tests — see test/vscode | _placeholder: not measured by this harness_ |");
    L.push(
      `| Extension: stanza log after ${STANZAS.toLocaleString("en")} stanzas | ${ext.memory.heapDeltaMiB.toFixed(2)} MiB heap after GC | ` +
        `${ext.memory.entries} entries (${ext.memory.kib.toFixed(0)} KiB of XML) kept by the default limits |`,
    );
  }
  L.push("");

  if (cold) {
    L.push("## 1. Cold check, whole process", "");
    L.push(
      `From \`spawn()\` to the first byte of the answer on the child's stdout (what a user waits for), and to the process's exit. ` +
        `Prosody, STARTTLS, the same account and certificate check (the test-bed CA), SCRAM-SHA-1 on both sides (all Prosody 0.12 offers here). ` +
        "The CLI keeps what it learns about a server (a profile: features, mechanism, the query that answered; nothing secret) in $XDG_CACHE_HOME/xmpp-sic/servers.json " +
        "and pipelines the next check with it. The bench gives it a cache of its own: empty for every \"first contact\" run, and one kept across the \"known server\" runs " +
        "(taught by the warm-up run). The CLI keeps no TLS session between processes. " +
        `${cold.rounds} rounds; each round runs every tool once, in an order rotated round by round; one unmeasured warm-up run each. ` +
        "`xmpp-sic` prints only after it has closed the stream (its check() awaits the close); the slixmpp script prints as soon as the answer arrives and then closes.",
      "",
    );
    L.push("| Tool | median to answer (ms) | p10 | p90 | min | max | median to exit (ms) |", "|---|---:|---:|---:|---:|---:|---:|");
    for (const t of cold.tools) {
      L.push(`| ${t.name} | ${ms(t.answer.median)} | ${ms(t.answer.p10)} | ${ms(t.answer.p90)} | ${ms(t.answer.min)} | ${ms(t.answer.max)} | ${ms(t.exit.median)} |`);
    }
    L.push("");
    L.push("Ratio of times, measured pair by pair (xmpp-sic ÷ slixmpp within each round; below 1 means xmpp-sic answers sooner):", "");
    L.push("| xmpp-sic variant | median ratio | p10 | p90 |", "|---|---:|---:|---:|");
    for (const r of cold.ratios) L.push(`| ${r.name} | ${r.median.toFixed(3)} | ${r.p10.toFixed(3)} | ${r.p90.toFixed(3)} |`);
    L.push("");
  }

  if (inproc) {
    L.push("## 2. Check in process, fresh connection each time", "");
    L.push(
      `The core's \`check()\` called in the bench process, a fresh connection (TCP, TLS, SASL, bind, query, close) each time, protocol "auto". ` +
        "Wall time until `check()` resolves (it resolves after the stream close). Two ways to call it: as callers do (\"repeat\": check() pipelines with " +
        "what it learned about the server, and resumes its TLS session), and with `profiles: null` (\"step by step\": disco#info and every wait of the " +
        "negotiation; TLS sessions are still resumed, which no option turns off). \"resumed\" and \"no disco\" count, from each check's StanzaLog, the checks " +
        "that resumed a TLS session and that did without disco#info (pipelined on a known profile). " +
        `"first" is the very first check of that server and TLS mode in this process: a first contact (nothing learned, no TLS session, ` +
        `and the TLS context for the test-bed CA still to build); it is not in the sample. The configurations take turns, ${N_INPROC} rounds. ` +
        "Phase columns are medians of the check's own timings (connect, TLS, auth = SASL + bind, query = disco#info + query; answer = their sum), " +
        "and \"close\" the median (and p90) of what check() took after the answer (its wait for the server's side of the stream close, at most 500 ms).",
      "",
    );
    L.push(
      "| Server | TLS | check | mechanism | n | median (ms) | p10 | p90 | min | max | first | resumed | no disco | connect | tls | auth | query | answer | close (p90) |",
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const r of inproc) {
      const p = r.phases;
      L.push(
        `| ${r.server} | ${r.tls} (${r.tlsProtocol}) | ${r.variant} | ${r.mechanism} | ${r.total.n} | ${ms(r.total.median)} | ${ms(r.total.p10)} | ${ms(r.total.p90)} | ` +
          `${ms(r.total.min)} | ${ms(r.total.max)} | ${ms(r.first)} | ${r.resumed}/${r.total.n} | ${r.withoutDisco}/${r.total.n} | ${ms(p.connect)} | ${ms(p.tls)} | ${ms(p.auth)} | ${ms(p.query)} | ${ms(p.answer)} | ${ms(p.close.median)} (${ms(p.close.p90)}) |`,
      );
    }
    const repeats = inproc.filter((r) => r.variant === VARIANTS[0].name);
    const resumed = repeats.reduce((n, r) => n + r.resumed, 0);
    const total = repeats.reduce((n, r) => n + r.total.n, 0);
    if (resumed === 0 && total > 0) {
      L.push(
        "",
        `None of the ${total} repeat checks resumed a TLS session. check() offers the ticket it kept, but both servers answered with a full ` +
          "handshake (certificate included): see the known-server flights in section 3, whose ClientHello is larger (it carries the ticket) while the " +
          "server's flight still holds the Certificate.",
      );
    }
    L.push("");
  }

  if (rtt) {
    L.push("## 3. Round trips", "");
    L.push(
      `Each check goes through scripts/bench/delayProxy.ts, a userspace TCP proxy on loopback that holds every chunk for a fixed one-way delay D in each direction ` +
        `(order kept; netem is not available here). Prosody, STARTTLS (the direct TLS rows are there for comparison). ${RTT_RUNS} runs per tool at D = 0 and at D = ${DELAY} ms, alternating. ` +
        "**First contact**: a new proxy, so a new port, for every run (nothing learned about that server:port applies, no TLS session to resume) and, for the CLI, an empty cache. " +
        "**Known server**: one proxy, one port, for all the runs of that row, after one warm-up run through it, so the client knows the server " +
        "(check() in process: the profile and a TLS session; the CLI: the profile it saved, no TLS session). " +
        "Times are taken from the proxy's accept of the connection, so process start-up (and its noise) is left out, and the TCP handshake too: " +
        "the kernel completes it before the proxy accepts, so on a real network add one round trip for it. " +
        `**By time** = median over the runs of (time with D − time with D = 0) / 2D, for two times: the arrival at the client of the flight that carries the answer, ` +
        "and what the user waits for: the printed answer (processes) or check() resolving (in process; it resolves only after the stream close). " +
        `**Waits** are counted from the connections with D = ${DELAY} ms (below); the typical run is shown, and the last column says whether the runs agreed. ` +
        "Each delayed connection's chunk log and flights are also kept as JSON in .cache/bench/rtt/ (not committed) for a closer look.",
      "",
    );
    const rt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "—");
    L.push(
      `| Tool | **waits to the answer** | + whitespace-ACK only | round trips to the answer, counted (waits + 1) | whole connection: waits / ACK-only / close | round trips to the answer, by time | user-visible end | round trips to it, by time | connect → answer, D = 0 / ${DELAY} ms (ms) | connect → user-visible end, D = 0 / ${DELAY} ms (ms) | to the answer: client's / server's own time (ms) | runs (to answer real+ACK / whole real+ACK+close) |`,
      "|---|---:|---:|---:|---|---:|---|---:|---|---|---|---|",
    );
    for (const r of rtt) {
      const w = r.waits;
      L.push(
        `| ${r.name} | **${w.toAnswer.real}** | ${w.toAnswer.ack} | ${w.toAnswer.real + 1} | ${w.total.real} / ${w.total.ack} / ${w.total.close} | ${rt(r.roundTrips.answer)} | ${r.userVisible} | ${rt(r.roundTrips.done)} | ` +
          `${ms(r.base.answer)} / ${ms(r.delayed.answer)} | ${ms(r.base.done)} / ${ms(r.delayed.done)} | ${ms(w.clientMs)} / ${ms(w.serverMs)} | ${r.waitsVaried} |`,
      );
    }
    L.push(
      "",
      "Reading the columns: the client's first flight (the stream header, or the ClientHello with direct TLS) is a round trip without being a wait " +
        "(it follows no server flight), so the round trips to the answer are the waits + 1 (counted), and the time-based estimate matches that when nothing else costs time. More than that: noise (the proxy shares the CPUs with everything " +
        "else; a late timer adds to a flight's time), or time on the critical path that grows with the delay. Less: work a client does after a send, " +
        "which at D = 0 is on the critical path and with a delay hides in the wait. The client's / server's own time (from the typical D run) is, " +
        "summed over the flights up to the answer, the time each side took between receiving the other side's data and sending: CPU, not network.",
      "",
      "What the proxy does not reproduce: it terminates TCP on both sides, so the server's TCP peer is the proxy, on loopback, which acknowledges " +
        "at once. A server write that Nagle's algorithm holds until the previous segment is acknowledged (Prosody, e.g. behind a TLS session ticket " +
        "the client has no reason to answer) is released here after microseconds, where a real client's delayed ACK would hold it for up to ~40 ms " +
        "or more. So the whitespace ticket ACK's benefit does not show in these times; its flights are counted separately so they do not inflate the waits.",
      "",
    );
    L.push("### How waits are counted", "");
    L.push(
      "From the proxy's log of the connection (with D = " + DELAY + " ms), on the client's clock: a client chunk counts when the proxy reads it, a server chunk when the proxy delivers it. " +
        "Consecutive chunks in one direction with nothing in the other between them form a *flight*. A **wait** is a client flight that follows a server flight: " +
        "each time the client sends after having received data from the server since its previous send. Counting starts after the TCP connect (the first client flight, " +
        "the stream header, waits for nothing) and, for \"waits to the answer\", stops at the server flight that carries the XEP-0279 result.",
      "",
      "Client flights that follow a server flight are sorted into three kinds, using the decrypted view (below) when there is one:",
      "",
      "- **wait**: the client needed the server's flight to go on (it sends a new request or handshake step);",
      "- **whitespace-ACK only**: the flight carries nothing but XML whitespace. xmpp-sic answers each TLS 1.3 session ticket with one space (src/core/tls.ts) so the ticket's TCP ACK leaves at once instead of Prosody's Nagle holding its next write for the delayed ACK; the client waits for nothing there. Without a decrypted view, a client flight made only of TLS 1.3 records with one byte of data each (23 bytes of ciphertext apiece: 5 header + 1 + 1 content type + 16 tag) counts as this;",
      "- **close**: only `</stream:stream>` and/or a TLS close_notify, after the answer (without a decrypted view: any client flight after the answer).",
      "",
      "The **decrypted view**: the client's TLS secrets (Node's `--tls-keylog` for the CLI, a 'keylog' listener on the in-process check's TLS socket, Python's `SSLKEYLOGFILE` for slixmpp) let scripts/bench/tlsView.ts " +
        "decrypt the TLS 1.3 records in the proxy's log, so each flight below shows what it carried. The in-process run also lines up with its StanzaLog (entry times and directions).",
      "",
    );
    for (const r of rtt) {
      const { count, stanzas, acceptedAt } = r.sample;
      L.push(`### Flights: ${r.name}`, "");
      L.push(
        `One run with D = ${DELAY} ms (t = when the client sent / received, from the proxy's accept). ` +
          `${count.decrypted ? "Decrypted with the client's key log." : "Not decrypted (no key log): kinds from sizes."} Answer identified by: ${count.answerFoundBy}. ` +
          "Sender's own time: from the delivery to the sender of the last chunk it had received from the other side to its first chunk of this flight (client flights: the client's processing; server flights: the server's). " +
          `Up to the answer: client ${ms(count.clientMs)} ms, server ${ms(count.serverMs)} ms.`,
        "",
      );
      L.push(...flightTable(count), "");
      if (stanzas && stanzas.length > 0) {
        L.push("<details><summary>Its StanzaLog, on the same clock (ms after the proxy's accept; entries are logged when written or parsed)</summary>", "");
        L.push("| t (ms) | direction | summary |", "|---:|---|---|");
        for (const e of stanzas) L.push(`| ${(e.time - acceptedAt).toFixed(0)} | ${e.direction} | ${e.summary.replace(/\|/g, "\\|")} |`);
        L.push("", "</details>", "");
      }
    }
  }

  L.push("## 4. Warm re-check on an open session", "");
  L.push("| Measurement | xmpp-sic | note |", "|---|---|---|");
  L.push(
    `| Re-check on an open session (query only) | ${WARM_PLACEHOLDER} | placeholder for the lead: checkAndKeepOpen() / recheck() landed after this harness was specified; ` +
      "measure recheck() time and its waits through the delay proxy (expected: one request, one answer) |",
  );
  L.push("");

  if (ext) {
    L.push("## 5. The extension", "");
    L.push("| Measurement | Value | How |", "|---|---|---|");
    L.push(`| dist/extension.js size | ${ext.bytes.toLocaleString("en")} bytes (${(ext.gzip / 1024).toFixed(1)} KiB gzipped) | production bundle, same esbuild options as \`node scripts/build.mjs --production\` |`);
    L.push("| activate() time | measured in the real VS Code tests — see test/vscode | _placeholder_ |");
    L.push(
      `| Stanza log memory after ${STANZAS.toLocaleString("en")} stanzas | ${ext.memory.heapDeltaMiB.toFixed(2)} MiB | heap used after GC, minus before; ` +
        `StanzaLog with its default limits, fed through StanzaRecorder (redaction included) with a realistic mix: disco#info get/result (12 features), sic:1 get/result, presence with caps, chat message. ` +
        `Kept: ${ext.memory.entries} entries, ${ext.memory.kib.toFixed(0)} KiB of XML. Building and recording the stanzas took ${ext.memory.ms.toFixed(0)} ms (${((ext.memory.ms * 1000) / STANZAS).toFixed(1)} µs per stanza). |`,
    );
    L.push("");
  }
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const quiet = await waitForQuiet();
  const started = performance.now();
  const env = { ...environment(), quiet };
  const skipped: string[] = [];
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the bench through \`npm run bench\` (scripts/bench/run.mjs builds it)`);
  const needServers = ONLY.has("cold") || ONLY.has("inproc") || ONLY.has("rtt");
  const slixmppMissing = env.slixmpp.startsWith("not installed");
  if (slixmppMissing && (ONLY.has("cold") || ONLY.has("rtt"))) {
    throw new Error(`slixmpp is missing for ${PYTHON}: run sudo bash scripts/install-system-deps.sh`);
  }

  let prosody: OwnedXmppServer | undefined;
  let ejabberd: OwnedXmppServer | undefined;
  if (needServers) {
    const why = prosodyUnavailable();
    if (why) throw new Error(`${why}; run sudo bash scripts/install-system-deps.sh`);
    const users = [{ user: USER, password: PASSWORD }];
    const ejabberdWhy = ONLY.has("inproc") ? ejabberdUnavailable() : "not needed";
    if (ejabberdWhy && ONLY.has("inproc")) skipped.push(`ejabberd rows: ${ejabberdWhy}`);
    progress(`starting Prosody${ejabberdWhy ? "" : " and ejabberd"} …`);
    const [p, e] = await Promise.allSettled([launch(() => startProsody({ users })), ...(ejabberdWhy ? [] : [launch(() => startEjabberd({ users }))])]);
    if (p.status === "rejected") throw p.reason;
    prosody = p.value;
    if (e?.status === "rejected") {
      const reason = e.reason instanceof Error ? e.reason.message.split("\n")[0] : String(e.reason);
      skipped.push(`ejabberd rows: ejabberd did not start: ${reason}`);
      progress(`ejabberd did not start, its rows are skipped: ${reason}`);
    } else if (e) {
      ejabberd = e.value;
    }
    progress(`Prosody STARTTLS ${prosody!.starttlsPort} / direct ${prosody!.directTlsPort}${ejabberd ? `; ejabberd STARTTLS ${ejabberd.starttlsPort} / direct ${ejabberd.directTlsPort}` : ""}`);
  }

  const cold = ONLY.has("cold") ? await coldWholeProcess(prosody!) : undefined;
  const inproc = ONLY.has("inproc")
    ? await coldInProcess([{ name: "Prosody", server: prosody! }, ...(ejabberd ? [{ name: "ejabberd", server: ejabberd }] : [])])
    : undefined;
  const rtt = ONLY.has("rtt") ? await roundTrips(prosody!) : undefined;
  await cleanup();
  const ext = ONLY.has("ext") ? extensionNumbers() : undefined;

  const text = report({ env, cold, inproc, rtt, ext, skipped, seconds: (performance.now() - started) / 1000 });
  process.stdout.write(text + "\n");
  if (WRITE) {
    writeFileSync(OUT, text + "\n");
    progress(`wrote ${OUT}`);
  }
}

main()
  .catch(async (err) => {
    if (interrupted) return; // what fails after an interrupt is the interrupt's doing
    process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
