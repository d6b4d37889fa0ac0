// A throwaway DNS server (Debian's dnsmasq) on a free loopback port, serving only the records a
// test gives it: SRV records (--srv-host), A/AAAA (--host-record). With --no-resolv it forwards
// nothing anywhere; with --local for its domains, every other name there is NXDOMAIN at once.
// Point a resolver at it with dns.Resolver#setServers([dns.server]).
import { promises as dnsPromises } from "node:dns";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLog } from "./launch";
import { freePorts } from "./ports";
import { hasExited, killDaemon, startDaemon, stopDaemon } from "./process";

export const DNSMASQ = "/usr/sbin/dnsmasq";

export interface SrvSpec {
  /** Owner name, e.g. "_xmpp-client._tcp.localhost". */
  name: string;
  /** Omitted: the "." target, "service not available here" (RFC 2782). */
  target?: string;
  port?: number;
  priority?: number;
  weight?: number;
}

export interface DnsmasqOptions {
  srv?: SrvSpec[];
  hosts?: { name: string; ipv4?: string; ipv6?: string }[];
  /** Domains answered from the records above only; default localhost and test. */
  localDomains?: string[];
  /** Listen address; default 127.0.0.1. */
  listen?: string;
}

export interface Dnsmasq {
  port: number;
  /** "127.0.0.1:PORT", for dns.Resolver#setServers. */
  server: string;
  /** dnsmasq's own log (every query, with --log-queries). */
  logText(): string;
  stop(): Promise<void>;
  kill(): void;
}

/** Why a dnsmasq cannot be started here, or undefined. */
export function dnsmasqUnavailable(): string | undefined {
  return existsSync(DNSMASQ) ? undefined : "dnsmasq is not installed (apt-get install dnsmasq)";
}

function srvArg(r: SrvSpec): string {
  // dnsmasq's order: target, port, priority, weight (not BIND's).
  if (r.target === undefined) return `--srv-host=${r.name}`;
  return `--srv-host=${[r.name, r.target, r.port ?? 1, r.priority ?? 0, r.weight ?? 0].join(",")}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startDnsmasq(opts: DnsmasqOptions = {}): Promise<Dnsmasq> {
  const unavailable = dnsmasqUnavailable();
  if (unavailable) throw new Error(unavailable);
  const listen = opts.listen ?? "127.0.0.1";
  const dir = await mkdtemp(join(tmpdir(), "xmpp-sic-dnsmasq-"));
  const logFile = join(dir, "dnsmasq.log");
  const [port] = await freePorts(1);
  const args = [
    "--keep-in-foreground",
    "--conf-file=/dev/null",
    `--port=${port}`,
    `--listen-address=${listen}`,
    "--bind-interfaces",
    "--no-resolv",
    "--no-hosts",
    "--no-poll",
    "--pid-file=",
    "--log-facility=-",
    "--log-queries",
    ...(opts.localDomains ?? ["localhost", "test"]).map((d) => `--local=/${d}/`),
    ...(opts.srv ?? []).map(srvArg),
    ...(opts.hosts ?? []).map((h) => `--host-record=${[h.name, h.ipv4, h.ipv6].filter(Boolean).join(",")}`),
  ];
  const child = startDaemon(DNSMASQ, args, { outputFile: logFile, cwd: dir });
  const stop = async () => {
    await stopDaemon(child, 5_000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Ready once it answers anything at all (NXDOMAIN included).
    const probe = new dnsPromises.Resolver({ timeout: 200, tries: 1 });
    probe.setServers([`${listen.includes(":") ? `[${listen}]` : listen}:${port}`]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (hasExited(child)) throw new Error(`dnsmasq exited at start:\n${readLog(logFile)}`);
      const answered = await probe.resolve4("ready.probe.test").then(
        () => true,
        (err: NodeJS.ErrnoException) => err.code === "ENOTFOUND" || err.code === "ENODATA",
      );
      if (answered) break;
      if (Date.now() > deadline) throw new Error(`dnsmasq did not answer on ${listen}:${port}:\n${readLog(logFile)}`);
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    server: `${listen}:${port}`,
    logText: () => readLog(logFile),
    stop,
    kill() {
      killDaemon(child);
    },
  };
}
