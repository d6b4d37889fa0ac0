// The child-process sources section 1's breakdown runs: a preload that times the phases of one CLI
// process, and the ways of building a secure context, each timed in a fresh Node process.

// Where a CLI process's time goes. A preload (node -r) notes, on the child's own clock, when Node
// had bootstrapped, when the CLI bundle was compiled and run, the dial, the printed answer and the
// exit, and adds up the synchronous time spent in tls.createSecureContext() and crypto.pbkdf2Sync()
// (the core calls both through their module objects, so wrappers installed there see every call).
export const PROBE_SOURCE = String.raw`"use strict";
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

export interface ProbeReport {
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
export const CONTEXT_VARIANTS: { key: string; name: string }[] = [
  {
    key: "native",
    name: "`createSecureContext()`, then the native context's `addRootCerts()` and `addCACert(pem)`: system roots + the CA, the way src/core/tls.ts builds it (since 8d0e8aa)",
  },
  { key: "documented", name: "`createSecureContext({ ca: [...tls.rootCertificates, pem] })`: system roots + the CA, the documented way (src/core/tls.ts's fall-back, and its way before 8d0e8aa)" },
  { key: "alone", name: "`createSecureContext({ ca: [pem] })`: the CA alone, no system roots" },
  { key: "default", name: "`createSecureContext()`: the system roots only, as any verified TLS connection needs" },
];
export const CONTEXT_CHILD = String.raw`const tls = require("node:tls");
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
