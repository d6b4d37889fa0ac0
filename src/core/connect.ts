// One authenticated XMPP session (RFC 6120): TCP, TLS (STARTTLS or XEP-0368 direct TLS), SASL,
// resource binding. Each step is awaited in order; the caller's AbortSignal carries the deadline.
// TCP tries the targets in order (SRV, a given host, or the domain), and each target's addresses
// both families at once, staggered (RFC 8305 "happy eyeballs"), optionally limited to one family.
import net from "node:net";
import { randomBytes } from "node:crypto";
import { xml, type Element } from "@xmpp/xml";
import type { ParsedJid } from "./account";
import { isSicError, SicError } from "./errors";
import { request } from "./iq";
import { parseIp, type Family } from "./ip";
import { abortable, describeLookupError, lookupHost, type Address, type Resolver, type Target } from "./resolve";
import { authenticate } from "./sasl";
import type { StanzaRecorder } from "./stanzaLog";
import { secure, type TlsInfo, type TlsTrust } from "./tls";
import { XmlStream } from "./xmlStream";

export const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
export const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
export const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";
/** XEP-0368: the ALPN protocol id for XMPP client connections over direct TLS. */
const ALPN_XMPP_CLIENT = ["xmpp-client"];

export interface SessionOptions {
  jid: ParsedJid;
  password: string;
  /** Where to connect, in order (see resolveTargets); each carries its own TLS mode. */
  targets: Target[];
  resolver: Resolver;
  /** Only addresses of this family; both when undefined. */
  family?: Family;
  trust: TlsTrust;
}

export interface Endpoint {
  ip: string;
  port: number;
}

export interface Session {
  stream: XmlStream;
  boundJid: string;
  mechanism: string;
  local: Endpoint;
  remote: Endpoint;
  /** The target that answered, and the family of the address it was reached at. */
  target: Target;
  family: Family;
  tls: TlsInfo | null;
}

/** Marks the end of a phase so the check can report where the time went. */
export type Lap = (phase: "connect" | "tls" | "auth") => void;

export async function openSession(
  options: SessionOptions,
  recorder: StanzaRecorder,
  signal: AbortSignal,
  lap: Lap,
  onStream: (stream: XmlStream) => void,
): Promise<Session> {
  const { jid } = options;
  const connected = await connectTargets(options.targets, options.resolver, options.family, signal);
  let socket: net.Socket = connected.socket;
  const { target } = connected;
  const mode = target.tls;
  const local = endpoint(socket.localAddress, socket.localPort);
  const remote = endpoint(socket.remoteAddress, socket.remotePort);
  lap("connect");

  if (mode === "none" && parseIp(remote.ip)?.range !== "loopback") {
    socket.destroy();
    throw new SicError("usage", `Unencrypted connections are only allowed to a loopback address; ${target.host} is ${remote.ip}.`);
  }

  let tlsInfo: TlsInfo | null = null;
  if (mode === "direct") {
    recorder.note("out", "tls", `TLS handshake (direct TLS, XEP-0368) with ${remote.ip}:${remote.port}`);
    ({ socket, info: tlsInfo } = await secure(socket, { domain: jid.domain, trust: options.trust, alpn: ALPN_XMPP_CLIENT }, signal));
    recorder.note("in", "tls", `TLS established: ${tlsInfo.protocol}, ${tlsInfo.cipher}, certificate ${tlsInfo.fingerprint}`);
  }

  const stream = new XmlStream(socket, jid.domain, recorder);
  onStream(stream);
  stream.phase = "opening the stream";
  let features = await stream.open(tlsInfo ? jid.bare : undefined);

  if (mode === "starttls") {
    stream.phase = "starting TLS";
    if (!features.getChild("starttls", NS_TLS)) {
      throw new SicError("tls", "The server does not offer STARTTLS; refusing to send credentials unencrypted.");
    }
    stream.send(xml("starttls", { xmlns: NS_TLS }));
    const answer = await stream.next();
    if (!answer.is("proceed", NS_TLS)) {
      throw new SicError("tls", `The server answered STARTTLS with <${answer.name}/> instead of <proceed/>.`);
    }
    recorder.note("out", "tls", "TLS handshake (STARTTLS)");
    const upgraded = await secure(stream.releaseSocket(), { domain: jid.domain, trust: options.trust }, signal);
    tlsInfo = upgraded.info;
    stream.upgrade(upgraded.socket);
    recorder.note("in", "tls", `TLS established: ${tlsInfo.protocol}, ${tlsInfo.cipher}, certificate ${tlsInfo.fingerprint}`);
    stream.phase = "opening the encrypted stream";
    features = await stream.open(jid.bare);
  } else if (mode === "none" && features.getChild("starttls", NS_TLS)?.getChild("required")) {
    throw new SicError("tls", "The server requires TLS; use --tls starttls (or direct).");
  }
  lap("tls");

  stream.phase = "authenticating";
  const mechanism = await authenticate(stream, features, { username: jid.local, password: options.password });
  stream.phase = "opening the authenticated stream";
  features = await stream.open(tlsInfo ? jid.bare : undefined);

  stream.phase = "binding a resource";
  const boundJid = await bind(stream, features, jid);
  lap("auth");
  const family: Family = connected.address.family === 6 ? "IPv6" : "IPv4";
  return { stream, boundJid, mechanism, local, remote, target, family, tls: tlsInfo };
}

/** Replies may come from the server, from our own account, or without a 'from' (RFC 6120 §8.1.2.1). */
export function fromServerOrSelf(jid: ParsedJid): (from: string | undefined) => boolean {
  const domain = jid.domain.toLowerCase();
  const bare = jid.bare.toLowerCase();
  return (from) => from === undefined || from.toLowerCase() === domain || from.toLowerCase() === bare;
}

async function bind(stream: XmlStream, features: Element, jid: ParsedJid): Promise<string> {
  if (!features.getChild("bind", NS_BIND)) {
    throw new SicError("bad-reply", "The server offered no resource binding after login.");
  }
  const resource = jid.resource || `xmpp-sic-${randomBytes(3).toString("hex")}`;
  const acceptFrom = fromServerOrSelf(jid);
  const reply = await request(stream, "set", xml("bind", { xmlns: NS_BIND }, xml("resource", {}, resource)), { acceptFrom });
  if (!reply.ok) {
    throw new SicError("server-error", `The server refused to bind a resource: <${reply.error.condition}/>.`);
  }
  const bound = reply.iq.getChild("bind", NS_BIND)?.getChildText("jid");
  if (!bound) throw new SicError("bad-reply", "The server's bind result holds no JID.");
  // RFC 3921 sessions: only servers that still mark them mandatory need the extra round trip.
  const session = features.getChild("session", NS_SESSION);
  if (session && !session.getChild("optional")) {
    const started = await request(stream, "set", xml("session", { xmlns: NS_SESSION }), { acceptFrom });
    if (!started.ok) throw new SicError("server-error", `The server refused to start a session: <${started.error.condition}/>.`);
  }
  return bound.slice(0, 3071);
}

function endpoint(ip: string | undefined, port: number | undefined): Endpoint {
  return { ip: ip ? (parseIp(ip)?.ip ?? ip) : "unknown", port: port ?? 0 };
}

/** Why one connection attempt failed: [a sentence when it is the only failure, a short form for lists]. */
const CONNECT_ERRORS: Record<string, [(target: string) => string, string]> = {
  ECONNREFUSED: [(t) => `Nothing accepts connections at ${t} (connection refused). Check the host and port, and that the server is running.`, "connection refused"],
  ETIMEDOUT: [(t) => `Connecting to ${t} timed out. A firewall may be dropping the traffic.`, "timed out"],
  EHOSTUNREACH: [(t) => `${t} is unreachable from this machine (no route to host).`, "no route to host"],
  ENETUNREACH: [(t) => `The network of ${t} is unreachable from this machine.`, "network unreachable"],
  ECONNRESET: [(t) => `${t} reset the connection.`, "connection reset"],
  EADDRNOTAVAIL: [(t) => `This machine has no source address to reach ${t} from.`, "no source address"],
};

/** RFC 8305 §5: the recommended delay before the next address is tried alongside the first. */
export const ATTEMPT_DELAY_MS = 250;

const FAMILY_NUMBER: Record<Family, 4 | 6> = { IPv4: 4, IPv6: 6 };

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** How a target was found, as a clause for error messages. */
function how(target: Target): string {
  if (target.found === "srv") return ` (found through the SRV record ${target.srv})`;
  if (target.found === "fallback") return ` (the domain has no XMPP SRV records, so the domain itself on port ${target.port} was tried)`;
  return "";
}

interface Failure {
  /** The whole message, when it is the only failure. */
  alone: string;
  /** A list item, among others. */
  item: string;
}

class AttemptsFailed extends Error {
  constructor(readonly attempts: { address: Address; error: NodeJS.ErrnoException }[]) {
    super("every connection attempt failed");
  }
}

function attemptFailure(target: Target, attempts: AttemptsFailed["attempts"]): Failure {
  const items = attempts.map(({ address, error }) => {
    const short = CONNECT_ERRORS[error.code ?? ""]?.[1] ?? error.code ?? error.message;
    return `${hostPort(address.address, target.port)}: ${short}`;
  });
  const label = `${target.host}${how(target)}`;
  if (attempts.length > 1) {
    return { alone: `None of the addresses of ${label} accepted a connection: ${items.join("; ")}.`, item: `${target.host} ${items.join("; ")}` };
  }
  const { address, error } = attempts[0]!;
  const where = hostPort(address.address, target.port);
  const describe = CONNECT_ERRORS[error.code ?? ""]?.[0];
  const sentence = describe ? describe(where) : `Could not connect to ${where}: ${error.message}.`;
  return { alone: target.found === "host" ? sentence : `${sentence} That address is ${label}.`, item: `${target.host} ${items[0]}` };
}

/** Tries each target in order until one connects; each target's addresses with happy eyeballs. */
async function connectTargets(
  targets: Target[],
  resolver: Resolver,
  family: Family | undefined,
  signal: AbortSignal,
): Promise<{ socket: net.Socket; target: Target; address: Address }> {
  const failures: Failure[] = [];
  for (const target of targets) {
    let addresses: Address[];
    try {
      addresses = await abortable(lookupHost(resolver, target.host), signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (isSicError(err)) throw err;
      const { what, advice } = describeLookupError(target.host, err);
      failures.push({ alone: `${what}${how(target)}. ${advice}`, item: what });
      continue;
    }
    const wanted = family ? addresses.filter((a) => a.family === FAMILY_NUMBER[family]) : addresses;
    if (wanted.length === 0) {
      const what = `${target.host} has no ${family} address (only ${addresses.map((a) => a.address).join(", ")})`;
      failures.push({ alone: `${what}${how(target)}.`, item: what });
      continue;
    }
    // Plaintext is refused before any packet leaves for a non-loopback address (and again after
    // connecting, in openSession, against the address actually reached).
    const outside = target.tls === "none" ? wanted.find((a) => parseIp(a.address)?.range !== "loopback") : undefined;
    if (outside) {
      throw new SicError("usage", `Unencrypted connections are only allowed to a loopback address; ${target.host} is ${outside.address}.`);
    }
    try {
      const { socket, address } = await happyEyeballs(wanted, target.port, signal);
      return { socket, target, address };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (!(err instanceof AttemptsFailed)) throw err;
      failures.push(attemptFailure(target, err.attempts));
    }
  }
  if (failures.length === 1) throw new SicError("connect", failures[0]!.alone);
  const where = targets[0]?.found === "srv" ? `the ${targets.length} servers found through SRV` : "the server";
  throw new SicError(
    "connect",
    `Could not connect to ${where}: ${failures.map((f) => f.item).join("; ")}. Check that the server runs and that your network reaches it.`,
  );
}

/** Alternates families, keeping each family's own order, starting with the resolver's first choice. */
export function interleaveFamilies(addresses: readonly Address[]): Address[] {
  const first = addresses[0]?.family;
  const same = addresses.filter((a) => a.family === first);
  const other = addresses.filter((a) => a.family !== first);
  const out: Address[] = [];
  for (let i = 0; i < Math.max(same.length, other.length); i++) {
    if (same[i]) out.push(same[i]!);
    if (other[i]) out.push(other[i]!);
  }
  return out;
}

/**
 * Connection attempts to each address in turn, the next one starting when the previous fails or
 * after ATTEMPT_DELAY_MS, whichever comes first; the first to connect wins and the others are
 * closed. Rejects with AttemptsFailed once every attempt has failed.
 */
function happyEyeballs(addresses: readonly Address[], port: number, signal: AbortSignal): Promise<{ socket: net.Socket; address: Address }> {
  const ordered = interleaveFamilies(addresses);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const sockets: net.Socket[] = [];
    const failed: AttemptsFailed["attempts"] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      settle();
      sockets.forEach((s) => s.destroy());
      reject(signal.reason);
    };
    const startNext = () => {
      clearTimeout(timer);
      if (settled || sockets.length >= ordered.length) return;
      const address = ordered[sockets.length]!;
      const socket = net.connect({ host: address.address, port, noDelay: true });
      sockets.push(socket);
      const onError = (error: NodeJS.ErrnoException) => {
        socket.destroy();
        if (settled) return;
        failed.push({ address, error });
        if (failed.length === ordered.length) {
          settle();
          reject(new AttemptsFailed(failed));
        } else if (sockets.length === failed.length) {
          startNext(); // nothing else in flight: no reason to wait for the timer
        }
      };
      socket.once("error", onError);
      socket.once("connect", () => {
        if (settled) return void socket.destroy();
        settle();
        socket.off("error", onError);
        for (const other of sockets) if (other !== socket) other.destroy();
        resolve({ socket, address });
      });
      timer = setTimeout(startNext, ATTEMPT_DELAY_MS);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    startNext();
  });
}
