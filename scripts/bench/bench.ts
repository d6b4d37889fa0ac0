// The benchmark harness behind `npm run bench` (bundled and started by scripts/bench/run.mjs, with
// --expose-gc). Starts a throwaway Prosody (mod_ipcheck) and ejabberd (mod_sic)
// on loopback, measures, prints a Markdown report on stdout and writes it to BENCHMARKS.md.
// Progress goes to stderr. Servers, proxies and child processes are always stopped.
//
// Options (after `npm run bench --`):
//   --quick          small samples, for trying the harness out (the report says so)
//   --no-write       print the report only, leave BENCHMARKS.md alone
//   --only LIST      comma-separated subset of: cold, inproc, rtt, warm, scram, ext
//   --pairs N        rounds of the whole-process comparison and of its breakdown (default 20)
//   --n N            in-process checks per server and TLS mode, and warm re-checks per server (default 30)
//   --rtt-runs N     runs per tool and delay in the round-trip sections (default 9)
//   --delay MS       one-way delay of the round-trip sections (default 25)
//   --out FILE       where to write the report (default BENCHMARKS.md at the repo root)
//   --no-wait        start at once, even on a busy machine (default: wait up to 3 min for idle CPUs)
//   --ref REF        (run.mjs) measure src/ as committed at git REF instead of the working tree
//
// Internal: `bench.cjs --child-scram HASH ITERATIONS` times one SCRAM client-final in a fresh
// process (section 6 spawns it) and prints JSON.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import tls from "node:tls";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { xml, type Element } from "@xmpp/xml";
import { check, checkAndKeepOpen, type CheckOptions, type CheckResult, type LiveCheck } from "../../src/core/check";
import { ScramClient, type ScramHash } from "../../src/core/scram";
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
/** Scratch space of this run (.cache/bench/ under npm run bench). */
const WORK = process.env.XMPP_SIC_BENCH_WORK ?? join(os.tmpdir(), `xmpp-sic-bench-${process.pid}`);
/** The CLI's cache homes (XDG_CACHE_HOME) for this run; removed at the end. */
const CACHE_ROOT = join(WORK, "cli-cache");
/** Key log of the warm re-check sessions (section 4). */
const WARM_KEYLOG = join(KEYLOG_DIR, "warm.keylog");
/** The preload that times the phases of one CLI process (section 1's breakdown), and its reports. */
const PROBE_DIR = join(WORK, "probe");
/**
 * Node reads this file of extra CAs at start-up, before any JavaScript runs. The bench's children
 * inherit it; when it is set, section 1 also measures the CLI without it.
 */
const EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS || undefined;

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
function option(name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
}
const QUICK = flag("--quick");
const WRITE = !flag("--no-write");
const ONLY = new Set(option("--only", "cold,inproc,rtt,warm,scram,ext").split(","));
const PAIRS = Number(option("--pairs", QUICK ? "4" : "20"));
const N_INPROC = Number(option("--n", QUICK ? "5" : "30"));
const RTT_RUNS = Number(option("--rtt-runs", QUICK ? "2" : "9"));
const DELAY = Number(option("--delay", "25"));
const OUT = option("--out", join(ROOT, "BENCHMARKS.md"));
const WAIT_QUIET = !flag("--no-wait");
const STANZAS = 100_000;

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
    rmSync(PROBE_DIR, { recursive: true, force: true });
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
  /** The same clock: just before spawn(), and when the process had exited and closed its output. */
  startedAtEpoch: number;
  exitAtEpoch: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

const epochNow = () => performance.timeOrigin + performance.now();

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const startedAtEpoch = epochNow();
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
      const exitMs = performance.now() - started;
      resolve({ answerMs, exitMs, answerAtEpoch, startedAtEpoch, exitAtEpoch: startedAtEpoch + exitMs, stdout, stderr, code });
    });
  });
}

/** The bench's environment without NODE_OPTIONS and SSLKEYLOGFILE, plus `extra` (undefined: unset). */
function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.SSLKEYLOGFILE;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** For the CLI variants that run without the inherited NODE_EXTRA_CA_CERTS. */
const WITHOUT_EXTRA_CA = { NODE_EXTRA_CA_CERTS: undefined };

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

/** `env`: changes to the bench's environment (undefined unsets); `nodeArgs` go before the CLI's path. */
const cliTool = (name: string, opts: { env?: Record<string, string | undefined>; nodeArgs?: string[] } = {}): Tool => ({
  name,
  answerPattern: /127\.0\.0\.1/,
  run: ({ port, caFile, keylog, cacheHome }) =>
    runProcess(
      process.execPath,
      [
        ...(opts.nodeArgs ?? []),
        ...(keylog ? [`--tls-keylog=${keylog}`] : []),
        CLI,
        "check",
        JID,
        "--host",
        HOST,
        "--port",
        String(port),
        "--tls",
        "starttls",
        "--ca",
        caFile,
      ],
      // Never the user's own cache: each measurement decides what the CLI knows.
      baseEnv({ XMPP_PASSWORD: PASSWORD, XDG_CACHE_HOME: cacheHome, ...opts.env }),
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
  return Number.isNaN(idle) ? "unknown" : `${(100 * idle).toFixed(0)}%${idle < 0.75 ? " (still busy: expect wide spreads)" : ""}`;
}

/** The idle share found before each section (other engineers' work comes and goes during a run). */
const sectionQuiet: string[] = [];
async function quietBefore(section: string): Promise<void> {
  sectionQuiet.push(`${section} ${await waitForQuiet()}`);
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function countCertificates(file: string): string {
  try {
    return String(readFileSync(file, "utf8").split("-----BEGIN CERTIFICATE-----").length - 1);
  } catch {
    return "unreadable";
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
    extraCa: EXTRA_CA_CERTS ? `set: ${EXTRA_CA_CERTS} (${countCertificates(EXTRA_CA_CERTS)} certificates), inherited by every Node child` : "unset",
    xmppSic: ref
      ? `${version}, src/ as committed at ${ref} (\`npm run bench -- --ref ...\`; the working tree's src/ not used)`
      : `${version}${commit ? `, commit ${commit}` : ""}${dirty ? " + uncommitted changes in src/" : ""}`,
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Cold check, whole process

interface ColdResult {
  tools: { name: string; answer: Spread; exit: Spread; /** per run: exit − answer */ tail: Spread }[];
  /** Per-round ratios of each xmpp-sic variant's time to slixmpp's, and their median. */
  ratios: { name: string; median: number; p10: number; p90: number; withoutExtraCa: boolean; known: boolean }[];
  rounds: number;
}

const WITHOUT_EXTRA_CA_NAME = "xmpp-sic CLI, known server, NODE_EXTRA_CA_CERTS unset";

async function coldWholeProcess(prosody: OwnedXmppServer): Promise<ColdResult> {
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

// Where a CLI process's time goes. A preload (node -r) notes, on the child's own clock, when Node
// had bootstrapped, when the CLI bundle was compiled and run, the dial, the printed answer and the
// exit, and adds up the synchronous time spent in tls.createSecureContext() and crypto.pbkdf2Sync()
// (the core calls both through their module objects, so wrappers installed there see every call).
const PROBE_SOURCE = String.raw`"use strict";
const { performance } = require("node:perf_hooks");
const fs = require("node:fs");
const Module = require("node:module");
const net = require("node:net");
const tls = require("node:tls");
const crypto = require("node:crypto");
const epoch = () => performance.timeOrigin + performance.now();
const main = fs.realpathSync(process.env.XMPP_SIC_BENCH_PROBE_MAIN);
const p = {
  timeOrigin: performance.timeOrigin,
  preloadAt: epoch(),
  ctxMs: 0, ctxCalls: 0, pbkdf2Ms: 0, pbkdf2Calls: 0, handshakes: [],
};
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (filename !== main || p.loadStart !== undefined) return compile.apply(this, arguments);
  p.loadStart = epoch();
  try { return compile.apply(this, arguments); } finally { p.loadEnd = epoch(); }
};
const connect = net.connect;
net.connect = function () { if (p.dialAt === undefined) p.dialAt = epoch(); return connect.apply(this, arguments); };
const createSecureContext = tls.createSecureContext;
tls.createSecureContext = function () {
  const t = performance.now();
  try { return createSecureContext.apply(this, arguments); } finally { p.ctxMs += performance.now() - t; p.ctxCalls++; }
};
const tlsConnect = tls.connect;
tls.connect = function () {
  const t = epoch();
  const socket = tlsConnect.apply(this, arguments);
  socket.once("secureConnect", () => p.handshakes.push([t, epoch()]));
  return socket;
};
const pbkdf2Sync = crypto.pbkdf2Sync;
crypto.pbkdf2Sync = function () {
  const t = performance.now();
  try { return pbkdf2Sync.apply(this, arguments); } finally { p.pbkdf2Ms += performance.now() - t; p.pbkdf2Calls++; }
};
const write = process.stdout.write;
process.stdout.write = function () { if (p.answerAt === undefined) p.answerAt = epoch(); return write.apply(this, arguments); };
process.on("exit", () => {
  p.exitAt = epoch();
  // Milestones of Node's own start-up (final only now: bootstrapComplete comes after the preloads).
  const n = performance.nodeTiming;
  p.v8Start = p.timeOrigin + n.v8Start;
  p.environment = p.timeOrigin + n.environment;
  const cpu = process.cpuUsage();
  p.cpuMs = (cpu.user + cpu.system) / 1000;
  p.maxRssKiB = process.resourceUsage().maxRSS;
  fs.writeFileSync(process.env.XMPP_SIC_BENCH_PROBE, JSON.stringify(p));
});
`;

interface ProbeReport {
  timeOrigin: number;
  v8Start: number;
  environment: number;
  preloadAt: number;
  loadStart?: number;
  loadEnd?: number;
  dialAt?: number;
  answerAt?: number;
  exitAt: number;
  ctxMs: number;
  ctxCalls: number;
  pbkdf2Ms: number;
  pbkdf2Calls: number;
  handshakes: [number, number][];
  cpuMs: number;
  maxRssKiB: number;
}

/**
 * Ways to build a secure context that trusts the test-bed CA, each timed inside a fresh Node
 * process: what it costs a one-shot CLI. Node 20 builds its root store (every bundled root parsed)
 * on first use, or at start-up when NODE_EXTRA_CA_CERTS is set.
 */
const CONTEXT_VARIANTS: { key: string; name: string }[] = [
  {
    key: "native",
    name: "`createSecureContext()`, then the native context's `addRootCerts()` and `addCACert(pem)`: system roots + the CA, the way src/core/tls.ts builds it (since 8d0e8aa)",
  },
  { key: "documented", name: "`createSecureContext({ ca: [...tls.rootCertificates, pem] })`: system roots + the CA, the documented way (src/core/tls.ts's fall-back, and its way before 8d0e8aa)" },
  { key: "alone", name: "`createSecureContext({ ca: [pem] })`: the CA alone, no system roots" },
  { key: "default", name: "`createSecureContext()`: the system roots only, as any verified TLS connection needs" },
];
const CONTEXT_CHILD = String.raw`const tls = require("node:tls");
const { performance } = require("node:perf_hooks");
const pem = require("node:fs").readFileSync(process.env.XMPP_SIC_BENCH_CA, "utf8");
const v = process.env.XMPP_SIC_BENCH_CTX;
const t = performance.now();
if (v === "documented") tls.createSecureContext({ ca: [...tls.rootCertificates, pem], minVersion: "TLSv1.2" });
else if (v === "native") {
  const native = tls.createSecureContext({ minVersion: "TLSv1.2" }).context;
  native.addRootCerts();
  native.addCACert(pem);
}
else if (v === "alone") tls.createSecureContext({ ca: [pem], minVersion: "TLSv1.2" });
else tls.createSecureContext({ minVersion: "TLSv1.2" });
process.stdout.write(String(performance.now() - t));`;

interface StartupResult {
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

async function startupBreakdown(prosody: OwnedXmppServer): Promise<StartupResult> {
  mkdirSync(PROBE_DIR, { recursive: true });
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
  /** Processes: when the process had exited (after the background close). Epoch ms. */
  exitAtEpoch?: number;
  /** In process: the StanzaLog, and the time its answer entry was logged. */
  log?: StanzaLogEntry[];
  answerLoggedAtEpoch?: number;
}

interface RttTool {
  /** Names the row for the summary's targets. */
  key: string;
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
  key: string;
  name: string;
  direct: boolean;
  known: boolean;
  userVisible: string;
  /** Medians, ms after the proxy accepted the connection: what the user waits for, the answer's arrival, and (processes) the exit. */
  base: { done: number; answer: number; exit: number };
  delayed: { done: number; answer: number; exit: number };
  /** Median over runs of (time with D − time with D = 0) / 2D. */
  roundTrips: { done: number; answer: number; exit: number };
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
      key,
      name: tool.name,
      keylog,
      known,
      userVisible: "answer printed",
      async run(port) {
        const run = await tool.run({ port, caFile: ca, keylog, cacheHome: known ? knownCache : freshCacheDir() });
        assertAnswered(tool, run);
        return { doneAtEpoch: run.answerAtEpoch, exitAtEpoch: run.exitAtEpoch };
      },
    };
  };
  const inProcess = (key: string, name: string, known: boolean, direct = false): RttTool => ({
    key,
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
    inProcess("inproc-first", "xmpp-sic check() in process, first contact", false),
    inProcess("inproc-known", "xmpp-sic check() in process, known server (profile + TLS session)", true),
    processTool(slixmppTool, "slixmpp", false),
    // For comparison with the STARTTLS rows: what XEP-0368 direct TLS saves.
    inProcess("inproc-first-direct", "xmpp-sic check() in process, first contact, direct TLS", false, true),
    inProcess("inproc-known-direct", "xmpp-sic check() in process, known server, direct TLS", true, true),
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
        const exit = value.exitAtEpoch !== undefined ? value.exitAtEpoch - log.acceptedAt : Number.NaN;
        return { done: value.doneAtEpoch - log.acceptedAt, answer: count.answerAt ?? Number.NaN, exit, count, value, log };
      }
    };
    type Times = { done: number; answer: number; exit: number };
    const base: Times[] = [];
    const delayed: Times[] = [];
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
    const perRun = (pick: (x: Times) => number) => median(delayed.map((d, i) => (pick(d) - pick(base[i])) / (2 * DELAY)));
    const medians = (list: Times[]): Times => ({
      done: median(list.map((x) => x.done)),
      answer: median(list.map((x) => x.answer)),
      exit: median(list.map((x) => x.exit)),
    });
    const typical = mode(runs.map((r) => r.count.toAnswer.real));
    const chosen = runs.find((r) => r.count.toAnswer.real === typical) ?? runs[0];
    const key = (c: WaitCount) => `${c.toAnswer.real}+${c.toAnswer.ack} / ${c.total.real}+${c.total.ack}+${c.total.close}`;
    const distinct = [...new Set(runs.map((r) => key(r.count)))];
    rows.push({
      key: tool.key,
      name: tool.name,
      direct: tool.direct === true,
      known: tool.known,
      userVisible: tool.userVisible,
      base: medians(base),
      delayed: medians(delayed),
      roundTrips: { done: perRun((x) => x.done), answer: perRun((x) => x.answer), exit: perRun((x) => x.exit) },
      waits: chosen.count,
      waitsVaried: distinct.length === 1 ? `same in all ${RTT_RUNS}` : `varied: ${distinct.join("; ")}`,
      sample: chosen.sample,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 4. Warm re-check on an open session

interface WarmLatencyRow {
  server: string;
  mechanism: string;
  /** checkAndKeepOpen(): the first check, whose session stays open. */
  opened: number;
  /** The first recheck() of the session, not in the sample. */
  first: number;
  /** recheck() wall time, from the call to its resolution. */
  total: Spread;
  /** recheck()'s own timing (timingsMs.total). */
  own: Spread;
  /** Re-checks that saw the same IP and port as the opening check (the same socket, so expected). */
  same: number;
}

interface WarmRttRow {
  server: string;
  /** Medians, ms after recheck() was called: the answer's arrival at the client (from the proxy's log) and recheck() resolving. */
  base: { done: number; answer: number };
  delayed: { done: number; answer: number };
  /** Median over the pairs of (time with D − time with D = 0) / 2D. */
  roundTrips: { done: number; answer: number };
  waits: WaitCount;
  waitsVaried: string;
  runs: number;
  stanzas: StanzaLogEntry[];
  startedAt: number;
}

type WarmTarget = { name: string; server: OwnedXmppServer };

/** recheck() timed, with the epoch times of its call and resolution. */
async function timedRecheck(live: LiveCheck): Promise<{ ms: number; start: number; end: number; result: CheckResult }> {
  const start = epochNow();
  const t = performance.now();
  const result = await live.recheck();
  const ms = performance.now() - t;
  return { ms, start, end: epochNow(), result };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function warmLatency(targets: WarmTarget[]): Promise<WarmLatencyRow[]> {
  progress(`warm re-checks: one kept-open session per server (STARTTLS), ${N_INPROC} re-checks each, taking turns …`);
  const sessions: {
    target: WarmTarget;
    live: LiveCheck;
    /** The opening check's answer (live.result follows the latest re-check). */
    address: CheckResult["address"];
    opened: number;
    first: number;
    times: number[];
    own: number[];
    same: number;
  }[] = [];
  try {
    for (const target of targets) {
      const t = performance.now();
      const live = await checkAndKeepOpen(checkOptions(target.server, "starttls"));
      const opened = performance.now() - t;
      const address = live.result.address;
      sessions.push({ target, live, address, opened, first: (await timedRecheck(live)).ms, times: [], own: [], same: 0 });
    }
    for (let i = 0; i < N_INPROC; i++) {
      for (const s of sessions) {
        const { ms, result } = await timedRecheck(s.live);
        s.times.push(ms);
        s.own.push(result.timingsMs.total);
        if (result.address.ip === s.address.ip && result.address.port === s.address.port) s.same++;
      }
    }
  } finally {
    await Promise.allSettled(sessions.map((s) => s.live.close()));
  }
  return sessions.map((s) => ({
    server: s.target.name,
    mechanism: s.live.result.server.mechanism,
    opened: s.opened,
    first: s.first,
    total: spread(s.times),
    own: spread(s.own),
    same: s.same,
  }));
}

/**
 * Two kept-open sessions per server, one through a proxy with D = 0 and one through a proxy with
 * D = DELAY (the proxy fixes a connection's delay when it accepts it), re-checked in turn. Each
 * re-check's slice of the delayed connection's log (from its call until just before the next
 * operation) is counted like a whole connection in section 3.
 */
async function warmRoundTrips(targets: WarmTarget[]): Promise<WarmRttRow[]> {
  const rows: WarmRttRow[] = [];
  for (const { name, server } of targets) {
    progress(`warm re-check round trips, ${name}: ${RTT_RUNS} re-checks on a session at D = 0 and one at D = ${DELAY} ms, alternating …`);
    const proxies0 = await DelayProxy.start({ targetHost: HOST, targetPort: server.starttlsPort, delayMs: 0, keepData: true });
    const proxiesD = await DelayProxy.start({ targetHost: HOST, targetPort: server.starttlsPort, delayMs: DELAY, keepData: true });
    proxies.add(proxies0).add(proxiesD);
    const lives: LiveCheck[] = [];
    try {
      const closed = [proxies0.nextClosed(), proxiesD.nextClosed()];
      const logs = [new StanzaLog(), new StanzaLog()];
      const open = (proxy: DelayProxy, log: StanzaLog) =>
        withKeylog(WARM_KEYLOG, () => checkAndKeepOpen({ ...checkOptions(server, "starttls"), port: proxy.port, log }));
      const live0 = await open(proxies0, logs[0]);
      lives.push(live0);
      const liveD = await open(proxiesD, logs[1]);
      lives.push(liveD);
      await timedRecheck(live0); // one unmeasured re-check each: the first runs colder code
      await timedRecheck(liveD);
      await pause(2 * DELAY + 20);
      const windows: { base: { start: number; end: number; until: number }; delayed: { start: number; end: number; until: number } }[] = [];
      for (let i = 0; i < RTT_RUNS; i++) {
        const b = await timedRecheck(live0);
        await pause(10);
        const bUntil = epochNow();
        const d = await timedRecheck(liveD);
        // Whatever the re-check makes either side send afterwards lands in its slice.
        await pause(2 * DELAY + 20);
        windows.push({ base: { start: b.start, end: b.end, until: bUntil }, delayed: { start: d.start, end: d.end, until: epochNow() } });
        progress(`  run ${i + 1}: recheck() ${ms(b.ms)} ms at D = 0, ${ms(d.ms)} ms at D = ${DELAY}`);
      }
      await Promise.all(lives.splice(0).map((l) => l.close()));
      const [log0, logD] = await Promise.all(
        closed.map((c) =>
          Promise.race([c, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("a kept-open connection did not close")), 4 * DELAY + 5_000).unref())]),
        ),
      );
      const keys = readKeyLog(WARM_KEYLOG);
      const views = [decodeConnection(log0.chunks, keys, false), decodeConnection(logD.chunks, keys, false)];
      const slice = (log: ConnectionLog, view: ConnectionView, stanzas: StanzaLog, w: { start: number; end: number; until: number }) => {
        const at = (c: ConnectionLog["chunks"][number]) => (c.dir === "c2s" ? c.readAt : c.deliveredAt);
        const chunks = log.chunks.filter((c) => at(c) >= w.start && at(c) < w.until);
        const answerEntry = stanzas
          .list()
          .find((e) => e.time >= Math.floor(w.start) && e.time <= Math.ceil(w.end) && e.direction === "in" && e.kind === "iq" && /urn:xmpp:sic:[01]/.test(e.summary));
        const count = countWaits({ id: log.id, acceptedAt: w.start, chunks }, view, answerEntry ? { answerAtEpochMs: answerEntry.time } : {});
        return { count, done: w.end - w.start, answer: count.answerAt ?? Number.NaN };
      };
      const base = windows.map((w) => slice(log0, views[0], logs[0], w.base));
      const delayed = windows.map((w) => slice(logD, views[1], logs[1], w.delayed));
      const key = (c: WaitCount) => `${c.toAnswer.real}+${c.toAnswer.ack} / ${c.total.real}+${c.total.ack}+${c.total.close}`;
      const distinct = [...new Set(delayed.map((d) => key(d.count)))];
      const typical = mode(delayed.map((d) => d.count.toAnswer.real));
      const chosen = delayed.findIndex((d) => d.count.toAnswer.real === typical);
      const sample = windows[Math.max(0, chosen)].delayed;
      const perPair = (pick: (x: { done: number; answer: number }) => number) => median(delayed.map((d, i) => (pick(d) - pick(base[i])) / (2 * DELAY)));
      rows.push({
        server: name,
        base: { done: median(base.map((x) => x.done)), answer: median(base.map((x) => x.answer)) },
        delayed: { done: median(delayed.map((x) => x.done)), answer: median(delayed.map((x) => x.answer)) },
        roundTrips: { done: perPair((x) => x.done), answer: perPair((x) => x.answer) },
        waits: delayed[Math.max(0, chosen)].count,
        waitsVaried: distinct.length === 1 ? `same in all ${RTT_RUNS}` : `varied: ${distinct.join("; ")}`,
        runs: RTT_RUNS,
        stanzas: logs[1].list().filter((e) => e.time >= Math.floor(sample.start) && e.time <= Math.ceil(sample.until)),
        startedAt: sample.start,
      });
    } finally {
      await Promise.allSettled(lives.map((l) => l.close()));
      for (const p of [proxies0, proxiesD]) {
        await p.stop();
        proxies.delete(p);
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 6. SCRAM CPU

interface ScramRow {
  mechanism: string;
  hash: ScramHash;
  iterations: number;
  /** CPU ms of one clientFinal(): the first call in a fresh Node process, a new salt in a warm one, and the same salt again (cached SaltedPassword). */
  freshProcess: Spread;
  cold: Spread;
  cached: Spread;
  coldWall: Spread;
}

const SCRAM_CASES: { mechanism: string; hash: ScramHash; iterations: number }[] = [
  { mechanism: "SCRAM-SHA-1", hash: "sha1", iterations: 10_000 },
  { mechanism: "SCRAM-SHA-256", hash: "sha256", iterations: 4_096 },
];

/** One client-final (the PBKDF2, HMACs and proof) for a server-first with this salt; CPU and wall ms. */
function scramOnce(hash: ScramHash, iterations: number, salt: Buffer): { cpuMs: number; wallMs: number } {
  const client = new ScramClient(hash, USER, PASSWORD, "benchclientnonce");
  client.clientFirst();
  const serverFirst = `r=benchclientnonceSERVERPART,s=${salt.toString("base64")},i=${iterations}`;
  const cpu = process.cpuUsage();
  const t = performance.now();
  client.clientFinal(serverFirst);
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs };
}

/** `bench.cjs --child-scram HASH ITERATIONS`: the first client-final of a fresh process. */
function childScram(hash: ScramHash, iterations: number): void {
  process.stdout.write(JSON.stringify(scramOnce(hash, iterations, randomBytes(16))) + "\n");
}

async function scramCpu(): Promise<ScramRow[]> {
  const runs = Math.max(5, Math.round(N_INPROC / 3));
  progress(`SCRAM CPU: ${runs} fresh processes and ${N_INPROC} cold + ${N_INPROC} cached client-finals per mechanism …`);
  const rows: ScramRow[] = [];
  for (const { mechanism, hash, iterations } of SCRAM_CASES) {
    const fresh: number[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await runProcess(process.execPath, [process.argv[1]!, "--child-scram", hash, String(iterations)], baseEnv({}));
      if (run.code !== 0) throw new Error(`the SCRAM child failed (exit ${run.code}): ${run.stderr}`);
      fresh.push((JSON.parse(run.stdout) as { cpuMs: number }).cpuMs);
    }
    const cold = Array.from({ length: N_INPROC }, () => scramOnce(hash, iterations, randomBytes(16)));
    const salt = randomBytes(16);
    scramOnce(hash, iterations, salt);
    const cached = Array.from({ length: N_INPROC }, () => scramOnce(hash, iterations, salt));
    rows.push({
      mechanism,
      hash,
      iterations,
      freshProcess: spread(fresh),
      cold: spread(cold.map((c) => c.cpuMs)),
      cached: spread(cached.map((c) => c.cpuMs)),
      coldWall: spread(cold.map((c) => c.wallMs)),
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

interface ReportParts {
  env: ReturnType<typeof environment> & { quiet: string };
  cold?: ColdResult;
  startup?: StartupResult;
  inproc?: InProcessRow[];
  rtt?: RttRow[];
  warm?: { latency: WarmLatencyRow[]; rtt: WarmRttRow[] };
  ext?: ReturnType<typeof extensionNumbers>;
  scram?: ScramRow[];
  skipped: string[];
  seconds: number;
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "**met**" : "**not met**");
const rt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "—");
const range = (s: Spread) => `${ms(s.median)} (${ms(s.p10)}–${ms(s.p90)})`;

/** The issue's targets, each with what this run measured. */
function targetRows(parts: ReportParts): string[] {
  const { cold, rtt, warm, scram } = parts;
  const L = ["| Target (from the issue) | Measured here | Verdict |", "|---|---|---|"];
  const row = (key: string) => rtt?.find((r) => r.key === key);
  const counted = (r: RttRow) => r.waits.toAnswer.real + 1;
  const rtText = (r: RttRow | undefined, label: string) =>
    r ? `${label}: **${counted(r)}** counted (${r.waits.toAnswer.real} waits + the first flight), ≈ ${r.roundTrips.answer.toFixed(1)} by time to the answer, ${r.roundTrips.done.toFixed(1)} to ${r.userVisible}` : `${label}: not measured`;

  const knownRows = [row("cli-known"), row("inproc-known")].filter((r): r is RttRow => r !== undefined);
  const stock = [row("cli-first"), row("slixmpp")].filter((r): r is RttRow => r !== undefined);
  L.push(
    "| Known server, STARTTLS + SCRAM: the answer in hand after **≤ 5 round trips** past TCP (stock clients: 9–10) | " +
      `${rtText(row("cli-known"), "CLI with its saved profile")}; ${rtText(row("inproc-known"), "check() in process (profile + TLS session)")}. ` +
      `For comparison: ${stock.map((r) => `${r.key === "slixmpp" ? "slixmpp" : "CLI first contact"} ${counted(r)}`).join(", ")} (section 3) | ` +
      `${verdict(knownRows.length ? knownRows.every((r) => counted(r) <= 5) : undefined)} |`,
  );
  const direct = row("inproc-known-direct");
  L.push(
    "| Known server, direct TLS + SCRAM: **≤ 4 round trips** | " +
      `${rtText(direct, "check() in process, known server, direct TLS")}; first contact: ${row("inproc-first-direct") ? counted(row("inproc-first-direct")!) : "—"} (section 3) | ` +
      `${verdict(direct ? counted(direct) <= 4 : undefined)} |`,
  );
  const warmRtt = warm?.rtt ?? [];
  L.push(
    "| Warm re-check on an open session: **1 round trip** | " +
      (warmRtt.length
        ? warmRtt
            .map(
              (r) =>
                `${r.server}: **${r.waits.toAnswer.real + 1}** counted (${r.waits.toAnswer.real} waits), ≈ ${r.roundTrips.answer.toFixed(2)} by time to the answer, ${r.roundTrips.done.toFixed(2)} to recheck() resolved`,
            )
            .join("; ") +
          (warm!.latency.length ? `; on loopback recheck() takes ${warm!.latency.map((l) => `${ms(l.total.median, 2)} ms (${l.server})`).join(", ")} (medians)` : "") +
          " (section 4)"
        : "not measured") +
      ` | ${verdict(warmRtt.length ? warmRtt.every((r) => r.waits.toAnswer.real === 0) : undefined)} |`,
  );
  L.push(
    "| SCRAM: **under 10 ms of CPU** | " +
      (scram
        ? scram
            .map(
              (r) =>
                `${r.mechanism}, ${r.iterations.toLocaleString("en")} iterations: ${ms(r.freshProcess.median, 2)} ms first in a fresh process (max ${ms(r.freshProcess.max, 2)}), ` +
                `${ms(r.cold.median, 2)} ms cold in a warm process (p90 ${ms(r.cold.p90, 2)}), ${ms(r.cached.median, 3)} ms with the cached SaltedPassword`,
            )
            .join("; ") + " (CPU of ScramClient.clientFinal(), medians; section 6)"
        : "not measured") +
      ` | ${verdict(scram ? scram.every((r) => r.freshProcess.max < 10 && r.cold.max < 10) : undefined)} |`,
  );
  if (cold) {
    const inherited = cold.ratios.filter((r) => !r.withoutExtraCa);
    const unset = cold.ratios.find((r) => r.withoutExtraCa);
    const peer = cold.tools[cold.tools.length - 1];
    L.push(
      "| Whole-process cold check: **≤ 0.5 × slixmpp's wall time**, pair by pair | " +
        `median per-pair ratio ${inherited.map((r) => `${r.median.toFixed(2)} (${r.known ? "known server" : "first contact"}; p10–p90 ${r.p10.toFixed(2)}–${r.p90.toFixed(2)})`).join(", ")}; ` +
        `slixmpp's median is ${ms(peer.answer.median)} ms, so the target means printing within ≈ ${ms(peer.answer.median / 2)} ms` +
        (unset ? `. With NODE_EXTRA_CA_CERTS unset (set in this environment, see section 1): ${unset.median.toFixed(2)}` : "") +
        " (section 1, where the time goes: its breakdown) | " +
        `${verdict(inherited.every((r) => r.median <= 0.5))}${unset ? (unset.median <= 0.5 ? " (met with NODE_EXTRA_CA_CERTS unset)" : " (not with NODE_EXTRA_CA_CERTS unset either)") : ""} |`,
    );
  }
  return L;
}

function report(parts: ReportParts): string {
  const { env, cold, startup, inproc, rtt, warm, ext, scram } = parts;
  const L: string[] = [];
  L.push("# Benchmarks", "");
  L.push(
    `Written by \`npm run bench\`${QUICK ? " **with --quick (small samples: smoke test, not numbers to quote)**" : ""} on ${env.date}, ` +
      `in ${parts.seconds.toFixed(0)} s. Every number is measured on loopback against the throwaway test-bed servers ` +
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
    `| Other load | CPUs ${env.quiet} idle just before the start${sectionQuiet.length ? `, and before each section (after the same wait for idle CPUs): ${sectionQuiet.join(", ")}` : ""}; load average (1, 5, 15 min) at the start ${env.load}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(", ")} ` +
      "(other work on the machine shows up as spread) |",
  );
  L.push(`| Command | \`npm run bench${process.env.XMPP_SIC_BENCH_REF ? ` -- --ref ${process.env.XMPP_SIC_BENCH_REF.split(" ")[0]}` : ""}\` |`);
  L.push("");
  if (parts.skipped.length > 0) L.push(...parts.skipped.map((s) => `> Skipped: ${s}`), "");

  L.push("## Summary", "");
  L.push("### The issue's targets", "");
  L.push(
    "Round trips are counted past TCP: the TCP handshake is not in the proxy's log (add one on a real network), the client's first flight is one, and each wait is one more (section 3).",
    "",
  );
  L.push(...targetRows(parts), "");
  L.push("### All measurements", "");
  L.push("| Measurement | xmpp-sic | Comparison / note |", "|---|---|---|");
  if (cold) {
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
  }
  if (startup) {
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
        `| Round trips, ${r.name} (Prosody${r.direct ? "" : ", STARTTLS"}) | ${w.toAnswer.real} waits to the answer (+${w.toAnswer.ack} whitespace-ACK only), so ${w.toAnswer.real + 1} round trips; by time ≈ ${r.roundTrips.answer.toFixed(1)} RTT to the answer, ${r.roundTrips.done.toFixed(1)} to ${r.userVisible}` +
          `${Number.isFinite(r.roundTrips.exit) ? `, ${r.roundTrips.exit.toFixed(1)} to the process's exit` : ""} | ` +
          `whole connection: ${w.total.real} waits + ${w.total.ack} ACK-only + ${w.total.close} close |`,
      );
    }
  }
  if (warm) {
    for (const l of warm.latency) {
      L.push(
        `| Warm re-check on an open session, ${l.server} STARTTLS, recheck() median (p10–p90) | ${ms(l.total.median, 2)} ms (${ms(l.total.p10, 2)}–${ms(l.total.p90, 2)}) | ` +
          `n = ${l.total.n}, one session; opening it (checkAndKeepOpen()) took ${ms(l.opened)} ms |`,
      );
    }
    for (const r of warm.rtt) {
      L.push(
        `| Round trips, warm re-check, ${r.server} (STARTTLS) | ${r.waits.toAnswer.real} waits to the answer, so ${r.waits.toAnswer.real + 1} round trip; by time ≈ ${r.roundTrips.answer.toFixed(2)} RTT to the answer, ${r.roundTrips.done.toFixed(2)} to recheck() resolved | ` +
          `the re-check's slice: ${r.waits.total.real} waits + ${r.waits.total.ack} ACK-only + ${r.waits.total.close} close |`,
      );
    }
  }
  if (ext) {
    L.push(`| Extension: dist/extension.js (production build) | ${(ext.bytes / 1024).toFixed(1)} KiB (${(ext.gzip / 1024).toFixed(1)} KiB gzipped) | |`);
    L.push("| Extension: activate() time | measured by `npm run test:vscode` in a real VS Code 1.100 (code-server), which prints `activate() took N ms` from VS Code's own extension-host timings | not measured by this harness (it needs the workbench); 2026-11-25: 28 ms (loading the code 25 ms + activate() 3 ms), dev build |");
    L.push(
      `| Extension: stanza log after ${STANZAS.toLocaleString("en")} stanzas | ${ext.memory.heapDeltaMiB.toFixed(2)} MiB heap after GC | ` +
        `${ext.memory.entries} entries (${ext.memory.kib.toFixed(0)} KiB of XML) kept by the default limits |`,
    );
  }
  if (scram) {
    for (const r of scram) {
      L.push(
        `| SCRAM client CPU, ${r.mechanism}, ${r.iterations.toLocaleString("en")} iterations, median | ${ms(r.cold.median, 2)} ms cold; ${ms(r.cached.median, 3)} ms cached | ` +
          `first in a fresh process ${ms(r.freshProcess.median, 2)} ms (section 6) |`,
      );
    }
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
  }

  if (startup) {
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
  }

  if (inproc) {
    L.push("## 2. Check in process, fresh connection each time", "");
    L.push(
      `The core's \`check()\` called in the bench process, a fresh connection (TCP, TLS, SASL, bind, query, close) each time, protocol "auto". ` +
        "Wall time until `check()` resolves, which is right after the answer: check() writes its stream footer (and close_notify) and resolves without waiting for the " +
        "server's side of the close, which finishes in the background (so a check's close may overlap the next check). Two ways to call it: as callers do (\"repeat\": check() pipelines with " +
        "what it learned about the server, and resumes its TLS session), and with `profiles: null` (\"step by step\": disco#info and every wait of the " +
        "negotiation; TLS sessions are still resumed, which no option turns off). \"resumed\" and \"no disco\" count, from each check's StanzaLog, the checks " +
        "that resumed a TLS session and that did without disco#info (pipelined on a known profile). " +
        `"first" is the very first check of that server and TLS mode in this process: a first contact (nothing learned, no TLS session, ` +
        `and the TLS context for the test-bed CA still to build); it is not in the sample. The configurations take turns, ${N_INPROC} rounds. ` +
        "Phase columns are medians of the check's own timings (connect, TLS, auth = SASL + bind, query = disco#info + query; answer = their sum), " +
        "and \"outside\" the median (and p90) of the wall time not in those timings: before check()'s clock starts (the options checked, the CA file read and parsed) " +
        "and after the answer (the result built, the footer written). It no longer holds a wait for the server's close.",
      "",
    );
    L.push(
      "| Server | TLS | check | mechanism | n | median (ms) | p10 | p90 | min | max | first | resumed | no disco | connect | tls | auth | query | answer | outside (p90) |",
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
        `**By time** = median over the runs of (time with D − time with D = 0) / 2D, for three times: the arrival at the client of the flight that carries the answer; ` +
        "what the user waits for: the printed answer (processes) or check() resolving (in process), both right after the answer now that check() does not wait for the server's close; " +
        "and, for processes, the exit, which still comes after that close has finished in the background (about one round trip after the answer). " +
        `**Waits** are counted from the connections with D = ${DELAY} ms (below); the typical run is shown, and the last column says whether the runs agreed. ` +
        "Each delayed connection's chunk log and flights are also kept as JSON in .cache/bench/rtt/ (not committed) for a closer look.",
      "",
    );
    L.push(
      `| Tool | **waits to the answer** | + whitespace-ACK only | round trips to the answer, counted (waits + 1) | whole connection: waits / ACK-only / close | round trips to the answer, by time | user-visible end | round trips to it, by time | round trips to the process's exit, by time | connect → answer, D = 0 / ${DELAY} ms (ms) | connect → user-visible end, D = 0 / ${DELAY} ms (ms) | connect → exit, D = 0 / ${DELAY} ms (ms) | to the answer: client's / server's own time (ms) | runs (to answer real+ACK / whole real+ACK+close) |`,
      "|---|---:|---:|---:|---|---:|---|---:|---:|---|---|---|---|---|",
    );
    for (const r of rtt) {
      const w = r.waits;
      const exit = Number.isFinite(r.base.exit) ? `${ms(r.base.exit)} / ${ms(r.delayed.exit)}` : "— (in process)";
      L.push(
        `| ${r.name} | **${w.toAnswer.real}** | ${w.toAnswer.ack} | ${w.toAnswer.real + 1} | ${w.total.real} / ${w.total.ack} / ${w.total.close} | ${rt(r.roundTrips.answer)} | ${r.userVisible} | ${rt(r.roundTrips.done)} | ${rt(r.roundTrips.exit)} | ` +
          `${ms(r.base.answer)} / ${ms(r.delayed.answer)} | ${ms(r.base.done)} / ${ms(r.delayed.done)} | ${exit} | ${ms(w.clientMs)} / ${ms(w.serverMs)} | ${r.waitsVaried} |`,
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

  if (warm) {
    L.push("## 4. Warm re-check on an open session", "");
    L.push(
      "`checkAndKeepOpen()` (src/core/check.ts) runs a normal check and keeps its session open; its `recheck()` sends the one XEP-0279 query that answered " +
        "(the same namespace) on that session and resolves with the parsed answer. Both servers, STARTTLS; the opening check is the in-process default (profiles and TLS sessions as learned earlier in this run).",
      "",
    );
    if (warm.latency.length > 0) {
      L.push("### Latency", "");
      L.push(
        `One kept-open session per server, straight to the server (no proxy). One unmeasured first re-check ("first"), then ${N_INPROC} re-checks per session, the servers taking turns. ` +
          "Wall time from the `recheck()` call to its resolution; \"own\" is recheck()'s own timingsMs.total (from inside the call). \"same address\" counts the re-checks that saw the IP and port of the " +
          "opening check (the same socket, so all of them should).",
        "",
      );
      L.push(
        "| Server | mechanism | checkAndKeepOpen() (ms) | first re-check (ms) | n | median (ms) | p10 | p90 | min | max | own, median (ms) | same address |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      );
      for (const l of warm.latency) {
        L.push(
          `| ${l.server} | ${l.mechanism} | ${ms(l.opened)} | ${ms(l.first, 2)} | ${l.total.n} | ${ms(l.total.median, 2)} | ${ms(l.total.p10, 2)} | ${ms(l.total.p90, 2)} | ${ms(l.total.min, 2)} | ${ms(l.total.max, 2)} | ${ms(l.own.median, 2)} | ${l.same}/${l.total.n} |`,
        );
      }
      L.push("");
    }
    if (warm.rtt.length > 0) {
      L.push("### Round trips", "");
      L.push(
        `Two kept-open sessions per server, each through its own delay proxy (scripts/bench/delayProxy.ts, as in section 3): one with D = 0, one with D = ${DELAY} ms ` +
          "(the proxy fixes a connection's delay when it accepts it, so one session cannot switch). After one unmeasured re-check on each session, " +
          `${warm.rtt[0].runs} pairs of re-checks, alternating: one on the D = 0 session, then one on the D = ${DELAY} ms session, followed by a pause of 2D + 20 ms so that anything the re-check makes either side send afterwards is seen. ` +
          "Each re-check's slice of its connection's log, from the `recheck()` call until the next operation, is counted exactly as a whole connection in section 3: " +
          "flights, the first client flight (here the query) a round trip without being a wait, each client flight after a server flight a wait, decrypted with the sessions' key log. " +
          "**By time**: median over the pairs of (t(D) − t(0)) / 2D, where t is measured from the `recheck()` call to the answer's arrival at the client (proxy log) and to recheck() resolving.",
        "",
      );
      L.push(
        `| Server | **waits to the answer** | + whitespace-ACK only | round trips to the answer, counted (waits + 1) | the slice: waits / ACK-only / close | round trips to the answer, by time | to recheck() resolved, by time | recheck() → answer, D = 0 / ${DELAY} ms (ms) | recheck() → resolved, D = 0 / ${DELAY} ms (ms) | runs (to answer real+ACK / slice real+ACK+close) |`,
        "|---|---:|---:|---:|---|---:|---:|---|---|---|",
      );
      for (const r of warm.rtt) {
        const w = r.waits;
        L.push(
          `| ${r.server} | **${w.toAnswer.real}** | ${w.toAnswer.ack} | ${w.toAnswer.real + 1} | ${w.total.real} / ${w.total.ack} / ${w.total.close} | ${rt(r.roundTrips.answer)} | ${rt(r.roundTrips.done)} | ` +
            `${ms(r.base.answer, 2)} / ${ms(r.delayed.answer, 2)} | ${ms(r.base.done, 2)} / ${ms(r.delayed.done, 2)} | ${r.waitsVaried} |`,
        );
      }
      L.push("");
      for (const r of warm.rtt) {
        L.push(`### Flights: warm re-check, ${r.server}`, "");
        L.push(
          `One re-check with D = ${DELAY} ms (t = when the client sent / received, from the recheck() call). ` +
            `${r.waits.decrypted ? "Decrypted with the session's key log." : "Not decrypted (no key log): kinds from sizes."} Answer identified by: ${r.waits.answerFoundBy}.`,
          "",
        );
        L.push(...flightTable(r.waits), "");
        if (r.stanzas.length > 0) {
          L.push(
            "<details><summary>Its StanzaLog entries, on the same clock (ms after the recheck() call; entry times are Date.now(), whole milliseconds truncated, so a request logged at the call shows as 0)</summary>",
            "",
          );
          L.push("| t (ms) | direction | summary |", "|---:|---|---|");
          for (const e of r.stanzas) L.push(`| ${Math.max(0, e.time - Math.floor(r.startedAt)).toFixed(0)} | ${e.direction} | ${e.summary.replace(/\|/g, "\\|")} |`);
          L.push("", "</details>", "");
        }
      }
    }
  }

  if (ext) {
    L.push("## 5. The extension", "");
    L.push("| Measurement | Value | How |", "|---|---|---|");
    L.push(`| dist/extension.js size | ${ext.bytes.toLocaleString("en")} bytes (${(ext.gzip / 1024).toFixed(1)} KiB gzipped) | production bundle, same esbuild options as \`node scripts/build.mjs --production\` |`);
    L.push("| activate() time | measured by `npm run test:vscode` (`activate() took N ms`, from VS Code's extension-host timings) | 2026-11-25: 28 ms (load 25 + activate 3) |");
    L.push(
      `| Stanza log memory after ${STANZAS.toLocaleString("en")} stanzas | ${ext.memory.heapDeltaMiB.toFixed(2)} MiB | heap used after GC, minus before; ` +
        `StanzaLog with its default limits, fed through StanzaRecorder (redaction included) with a realistic mix: disco#info get/result (12 features), sic:1 get/result, presence with caps, chat message. ` +
        `Kept: ${ext.memory.entries} entries, ${ext.memory.kib.toFixed(0)} KiB of XML. Building and recording the stanzas took ${ext.memory.ms.toFixed(0)} ms (${((ext.memory.ms * 1000) / STANZAS).toFixed(1)} µs per stanza). |`,
    );
    L.push("");
  }

  if (scram) {
    L.push("## 6. SCRAM CPU", "");
    L.push(
      "The client's SCRAM work is `ScramClient.clientFinal()` (src/core/scram.ts): it parses the server-first message, derives SaltedPassword with PBKDF2 (one native `pbkdf2Sync()` call), " +
        "then ClientKey, StoredKey, the proof and the ServerSignature it will check (`clientFirst()` and `verifyServerFinal()` are string work besides). Timed with `process.cpuUsage()` " +
        "(user + system CPU of the whole process) around the call, a synthetic server-first message with a 16-byte salt and the iteration counts the issue names. " +
        `**Fresh process**: the first call in a new Node process (\`bench.cjs --child-scram\`, ${scram[0].freshProcess.n} processes per mechanism), so OpenSSL's first use of the hash is in it. ` +
        `**Cold**: a new salt each time in the warm bench process, so the SaltedPassword cache misses (${scram[0].cold.n} calls). ` +
        "**Cached**: the same salt, iteration count and password again, a hit in the SaltedPassword cache (RFC 5802 §5.1 allows it), as a repeated check() of the same account in one process gets " +
        "(the extension's checks; a CLI process checks once, so it always pays the cold cost; a warm recheck() does no SASL at all). Target: under 10 ms.",
      "",
    );
    L.push(
      "| Mechanism | iterations | fresh process: median CPU (p90, max) (ms) | cold: median CPU (p90, max) (ms) | cold: median wall (ms) | cached: median CPU (p90) (ms) | under 10 ms |",
      "|---|---:|---:|---:|---:|---:|---|",
    );
    for (const r of scram) {
      L.push(
        `| ${r.mechanism} | ${r.iterations.toLocaleString("en")} | ${ms(r.freshProcess.median, 2)} (${ms(r.freshProcess.p90, 2)}, ${ms(r.freshProcess.max, 2)}) | ` +
          `${ms(r.cold.median, 2)} (${ms(r.cold.p90, 2)}, ${ms(r.cold.max, 2)}) | ${ms(r.coldWall.median, 2)} | ${ms(r.cached.median, 3)} (${ms(r.cached.p90, 3)}) | ` +
          `${r.freshProcess.max < 10 && r.cold.max < 10 ? "yes, every call" : "no"} |`,
      );
    }
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
  const needServers = ONLY.has("cold") || ONLY.has("inproc") || ONLY.has("rtt") || ONLY.has("warm");
  const needEjabberd = ONLY.has("inproc") || ONLY.has("warm");
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
    const ejabberdWhy = needEjabberd ? ejabberdUnavailable() : "not needed";
    if (ejabberdWhy && needEjabberd) skipped.push(`ejabberd rows: ${ejabberdWhy}`);
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

  const both = prosody ? [{ name: "Prosody", server: prosody }, ...(ejabberd ? [{ name: "ejabberd", server: ejabberd }] : [])] : [];
  const section = async <T>(key: string, label: string, run: () => Promise<T>): Promise<T | undefined> => {
    if (!ONLY.has(key)) return undefined;
    await quietBefore(label);
    return run();
  };
  const cold = await section("cold", "1", () => coldWholeProcess(prosody!));
  const startup = await section("cold", "1 (breakdown)", () => startupBreakdown(prosody!));
  const inproc = await section("inproc", "2", () => coldInProcess(both));
  const rtt = await section("rtt", "3", () => roundTrips(prosody!));
  const warm = await section("warm", "4", async () => ({ latency: await warmLatency(both), rtt: await warmRoundTrips(both) }));
  await cleanup();
  const ext = ONLY.has("ext") ? extensionNumbers() : undefined;
  const scram = await section("scram", "6", () => scramCpu());

  const text = report({ env, cold, startup, inproc, rtt, warm, ext, scram, skipped, seconds: (performance.now() - started) / 1000 });
  process.stdout.write(text + "\n");
  if (WRITE) {
    writeFileSync(OUT, text + "\n");
    progress(`wrote ${OUT}`);
  }
}

const childAt = argv.indexOf("--child-scram");
if (childAt >= 0) {
  childScram(argv[childAt + 1] as ScramHash, Number(argv[childAt + 2]));
} else {
  main()
    .catch(async (err) => {
      if (interrupted) return; // what fails after an interrupt is the interrupt's doing
      process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    })
    .finally(() => cleanup());
}
