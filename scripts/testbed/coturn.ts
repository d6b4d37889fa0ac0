// A throwaway coturn (Debian's `coturn` package) on loopback, in its own temp dir: two listening
// IPs of one family so that RFC 5780 (OTHER-ADDRESS, CHANGE-REQUEST) runs, the TURN REST API
// shared secret (what Prosody's mod_turn_external and ejabberd's mod_stun_disco hand out), no TLS,
// no CLI. `-n` ignores /etc/turnserver.conf (Debian's sets no-rfc5780).
// Quirk (measured): OTHER-ADDRESS always names the SECOND -L address, even to a request sent to it.
import { createHmac, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServerProcess, readLog, stoppers } from "./launch";
import { IP, waitUntilListeningIn } from "./netns";
import { freeUdpPorts } from "./udpPorts";

export const TURNSERVER = "/usr/bin/turnserver";

export interface CoturnOptions {
  /** The listening IPs, primary first; default 127.0.0.1 and 127.0.0.2. */
  ips?: [string, string];
  realm?: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** The shared secret; random by default. */
  secret?: string;
  /** The port (the alternate port is port + 1); a free one by default (3478 in a namespace). */
  port?: number;
}

export interface Coturn {
  ips: [string, string];
  /** STUN/TURN port on both IPs; the RFC 5780 alternate port is port + 1. */
  port: number;
  realm: string;
  /** The shared secret of the TURN REST API (`--static-auth-secret`). */
  secret: string;
  dir: string;
  logFile: string;
  logText(): string;
  /** Time-limited credentials as Prosody's mod_turn_external makes them. */
  credentials(ttlSeconds?: number, user?: string): { username: string; password: string };
  stop(): Promise<void>;
  kill(): void;
}

/** Why coturn cannot run here, or undefined. */
export function coturnUnavailable(): string | undefined {
  return existsSync(TURNSERVER) ? undefined : "coturn is not installed (apt-get install coturn)";
}

/** TURN REST API credentials (draft-uberti-behave-turn-rest): "expiry:user", base64 HMAC-SHA1. */
export function turnRestCredentials(secret: string, ttlSeconds: number, user = "xmpp-sic"): { username: string; password: string } {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  return { username, password: createHmac("sha1", secret).update(username).digest("base64") };
}

/** Sends a bare Binding request every 100 ms until the server answers anything. */
function waitForAnswer(ip: string, port: number, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const socket = createSocket(ip.includes(":") ? "udp6" : "udp4");
  const request = Buffer.concat([Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearInterval(timer);
      socket.close();
      if (error) reject(error);
      else resolve();
    };
    const timer = setInterval(() => {
      if (gaveUp()) return done(new Error("turnserver exited before it answered"));
      if (Date.now() >= deadline) return done(new Error(`turnserver did not answer a Binding within ${timeoutMs} ms`));
      socket.send(request, port, ip);
    }, 100);
    socket.on("error", () => {});
    socket.once("message", () => done());
  });
}

export async function startCoturn(opts: CoturnOptions = {}): Promise<Coturn> {
  const why = coturnUnavailable();
  if (why) throw new Error(why);
  const ips = opts.ips ?? ["127.0.0.1", "127.0.0.2"];
  const realm = opts.realm ?? "localhost";
  const secret = opts.secret ?? randomBytes(18).toString("base64url");
  const dir = await mkdtemp(join(tmpdir(), "xmpp-sic-coturn-"));
  const logFile = join(dir, "turn.log");
  try {
    const port = opts.port ?? (opts.netns ? 3478 : await freeUdpPorts(ips, 2));
    const relayBase = 40000 + 100 * Math.floor(Math.random() * 90);
    const args = [
      "-n", "-L", ips[0], "-L", ips[1], "--listening-port", String(port),
      "--min-port", String(relayBase), "--max-port", String(relayBase + 99),
      "--use-auth-secret", "--static-auth-secret", secret, "--realm", realm,
      "--no-tls", "--no-dtls", "--no-cli", "--fingerprint", "--verbose",
      // Loopback peers are what the test bed has; coturn refuses them by default.
      "--allow-loopback-peers",
      "--log-file", logFile, "--simple-log", "--no-stdout-log",
      "--pidfile", join(dir, "turn.pid"), "--userdb", join(dir, "turndb"),
    ];
    const [command, fullArgs] = opts.netns ? [IP, ["netns", "exec", opts.netns, TURNSERVER, ...args]] : [TURNSERVER, args];
    const server = new ServerProcess({
      command,
      args: fullArgs,
      outputFile: join(dir, "console.log"),
      logFile,
      ports: [],
      startTimeoutMs: 15_000,
      stopGraceMs: 5_000,
      // Inside a namespace the answer cannot be asked from here: wait for its TCP listeners there.
      waitReady: opts.netns
        ? (ms, gaveUp) => waitUntilListeningIn(opts.netns!, ips.map((ip) => ({ ip, port })), ms, gaveUp)
        : (ms, gaveUp) => waitForAnswer(ips[0], port, ms, gaveUp),
    });
    await server.start();
    return {
      ips,
      port,
      realm,
      secret,
      dir,
      logFile,
      logText: () => readLog(logFile),
      credentials: (ttl = 600, user) => turnRestCredentials(secret, ttl, user),
      ...stoppers(server, dir),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
