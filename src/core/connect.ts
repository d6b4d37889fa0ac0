// One authenticated XMPP session (RFC 6120): TCP, TLS (STARTTLS or XEP-0368 direct TLS), SASL,
// resource binding. Each step is awaited in order; the caller's AbortSignal carries the deadline.
import net from "node:net";
import { randomBytes } from "node:crypto";
import { xml, type Element } from "@xmpp/xml";
import type { ParsedJid, TlsMode } from "./account";
import { SicError } from "./errors";
import { request } from "./iq";
import { parseIp } from "./ip";
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
  host: string;
  port: number;
  tls: TlsMode;
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
  const { jid, tls: mode } = options;
  let socket = await connectTcp(options.host, options.port, signal);
  const local = endpoint(socket.localAddress, socket.localPort);
  const remote = endpoint(socket.remoteAddress, socket.remotePort);
  lap("connect");

  if (mode === "none" && parseIp(remote.ip)?.range !== "loopback") {
    socket.destroy();
    throw new SicError("usage", `Unencrypted connections are only allowed to a loopback address; ${options.host} is ${remote.ip}.`);
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
  return { stream, boundJid, mechanism, local, remote, tls: tlsInfo };
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

const CONNECT_ERRORS: Record<string, (target: string) => string> = {
  ECONNREFUSED: (t) => `Nothing accepts connections at ${t} (connection refused). Check the host and port, and that the server is running.`,
  ENOTFOUND: (t) => `The host of ${t} could not be found in DNS. Check the host name.`,
  EAI_AGAIN: (t) => `DNS did not answer for the host of ${t}. Check your network or DNS resolver.`,
  ETIMEDOUT: (t) => `Connecting to ${t} timed out. A firewall may be dropping the traffic.`,
  EHOSTUNREACH: (t) => `${t} is unreachable from this machine (no route to host).`,
  ENETUNREACH: (t) => `The network of ${t} is unreachable from this machine.`,
  ECONNRESET: (t) => `${t} reset the connection.`,
};

function connectTcp(host: string, port: number, signal: AbortSignal): Promise<net.Socket> {
  const target = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = net.connect({ host, port, noDelay: true, autoSelectFamily: true });
    const done = () => {
      socket.off("connect", onConnect);
      socket.off("error", onError);
      signal.removeEventListener("abort", onAbort);
    };
    const onConnect = () => {
      done();
      resolve(socket);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      done();
      socket.destroy();
      const code = err.code ?? "";
      const describe = CONNECT_ERRORS[code];
      reject(new SicError("connect", describe ? describe(target) : `Could not connect to ${target}: ${err.message}.`, { cause: err }));
    };
    const onAbort = () => {
      done();
      socket.destroy();
      reject(signal.reason);
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
