// TLS for one connection, with trust that reaches this connection only (never the process-wide
// environment switches that turn verification off or add CAs for every connection, which inside
// VS Code would weaken every extension). The certificate is checked against the JID's domain (RFC 6120 §13.7.2,
// RFC 6125), not against the host or IP we happened to connect to.
import { createHash, X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import tls from "node:tls";
import { SicError } from "./errors";
import { quoted } from "./text";

/** Who we believe: the system's roots (plus, optionally, one extra CA), or exactly one certificate. */
export type TlsTrust =
  | { kind: "roots"; extraCaPem?: string }
  | { kind: "pinned"; sha256: string };

export interface TlsInfo {
  protocol: string;
  cipher: string;
  fingerprint: string;
  authorizedBy: "roots" | "extra-ca" | "pin";
  /** Whether a session ticket from an earlier check was used (an abbreviated handshake). */
  resumed: boolean;
}

/** "AB:CD:..." uppercase, the form `openssl x509 -fingerprint -sha256` prints. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/^sha256[:=]?/i, "").replace(/[\s:]/g, "").toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(":");
}

export function fingerprintOf(der: Buffer): string {
  return normaliseFingerprint(createHash("sha256").update(der).digest("hex"))!;
}

export function describeTrust(trust: TlsTrust): string {
  if (trust.kind === "pinned") return "pinned certificate";
  return trust.extraCaPem ? "system CAs + extra CA" : "system CAs";
}

/** Validates a PEM bundle early, so a wrong file is a usage error rather than a TLS mystery. */
export function checkCaPem(pem: string, source: string): void {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new SicError("usage", `${source} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----").`);
  }
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw new SicError("usage", `${source} is not a readable PEM certificate.`, { cause: err });
  }
}

/** Secure contexts with an extra CA, one per PEM, built once per process. */
const contextsByCa = new Map<string, tls.SecureContext>();

/** The native half of a SecureContext, as Node builds it (lib/internal/tls/secure-context.js). */
interface NativeContext {
  addRootCerts(): void;
  addCACert(pem: string): void;
}

/**
 * System roots plus one CA. The documented way, `ca: [...tls.rootCertificates, pem]`, re-parses
 * every root from PEM (~23 ms of a cold CLI run); Node's own default path adds its already-built
 * root store instead (~1 ms). We take that path when the native context offers it, exactly as
 * createSecureContext() does without `ca`, and fall back to the documented way otherwise.
 */
function buildContextWithExtraCa(pem: string): tls.SecureContext {
  const context = tls.createSecureContext({ minVersion: "TLSv1.2" });
  const native = (context as unknown as { context?: Partial<NativeContext> }).context;
  if (typeof native?.addRootCerts === "function" && typeof native.addCACert === "function") {
    native.addRootCerts();
    native.addCACert(pem);
    return context;
  }
  return tls.createSecureContext({ ca: [...tls.rootCertificates, pem], minVersion: "TLSv1.2" });
}

function contextWithExtraCa(pem: string): tls.SecureContext {
  let context = contextsByCa.get(pem);
  if (!context) {
    try {
      context = buildContextWithExtraCa(pem);
    } catch (err) {
      throw new SicError("usage", `The extra CA cannot be used: ${(err as Error).message}.`, { cause: err });
    }
    if (contextsByCa.size >= 16) contextsByCa.delete(contextsByCa.keys().next().value!);
    contextsByCa.set(pem, context);
  }
  return context;
}

/**
 * Builds what a handshake with this trust will need (the extra-CA context), once the TCP
 * connection is on its way, so that the work overlaps the network.
 */
export function prepareTrust(trust: TlsTrust): void {
  try {
    if (trust.kind === "roots" && trust.extraCaPem) contextWithExtraCa(trust.extraCaPem);
  } catch {
    // A PEM that cannot make a context fails in secure(), where the error reaches the caller.
  }
}

/**
 * TLS 1.3 servers send session tickets right after the handshake, and servers that leave Nagle's
 * algorithm on (Prosody does) then hold their next write until the ticket is acknowledged, which
 * a client with nothing to say delays by ~40 ms. Answering the first ticket with a whitespace
 * keepalive (RFC 6120 §4.6.1) carries that acknowledgement at once. Only after verification,
 * and the stream header has always been written by then (it follows secureConnect synchronously).
 */
function acknowledgeTicketsPromptly(socket: tls.TLSSocket): void {
  // Servers send one or two tickets, each held back behind the previous one's acknowledgement.
  let answered = 0;
  const onTicket = () => {
    if (++answered >= MAX_TICKET_ACKS) socket.off("session", onTicket);
    // Not inside the event itself: it fires from OpenSSL's ticket callback, where a write corrupts
    // the record stream (the server answers bad_record_mac).
    setImmediate(() => {
      if (!socket.destroyed && socket.writable) socket.write(" ");
    });
  };
  socket.on("session", onTicket);
}

const MAX_TICKET_ACKS = 4;

export interface SecureOptions {
  domain: string;
  trust: TlsTrust;
  /** The server dialled: together with domain and trust, which TLS sessions may be resumed. */
  host: string;
  port: number;
  /** XEP-0368: direct TLS announces the XMPP ALPN protocol. */
  alpn?: string[];
}

/**
 * TLS session tickets per server and trust, so a repeated check resumes (less CPU, and the server
 * skips sending its certificate chain). Trust is part of the key: a resumed session inherits the
 * original handshake's verification, so it must never cross to a differently trusted connection.
 */
const sessions = new Map<string, Buffer>();
const MAX_SESSIONS = 64;

function sessionKey(o: SecureOptions): string {
  const trust =
    o.trust.kind === "pinned"
      ? `pin:${o.trust.sha256}`
      : `roots:${o.trust.extraCaPem ? createHash("sha256").update(o.trust.extraCaPem).digest("hex") : ""}`;
  return `${o.domain}|${o.host}|${o.port}|${o.alpn?.join(",") ?? ""}|${trust}`;
}

function rememberSessions(socket: tls.TLSSocket, key: string): void {
  socket.on("session", (ticket: Buffer) => {
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    sessions.set(key, ticket);
  });
}

/**
 * Runs the TLS handshake, on a connected plain socket (STARTTLS) or over a fresh TCP socket
 * (direct TLS), and resolves only once the peer is verified. Nothing is ever written to the
 * secure socket before this resolves, so credentials cannot reach an unverified server.
 */
export function secure(
  socket: Socket,
  options: SecureOptions,
  signal: AbortSignal,
): Promise<{ socket: tls.TLSSocket; info: TlsInfo }> {
  const { domain, trust } = options;
  const pinned = trust.kind === "pinned" ? trust.sha256 : null;
  const key = sessionKey(options);
  const tlsSocket = tls.connect({
    socket,
    session: sessions.get(key),
    servername: isIp(domain) ? undefined : domain,
    minVersion: "TLSv1.2",
    ALPNProtocols: options.alpn,
    ...(trust.kind === "roots" && trust.extraCaPem ? { secureContext: contextWithExtraCa(trust.extraCaPem) } : {}),
    // With a pin, Node's chain check is replaced by an exact certificate match in onSecure() below,
    // before any byte is sent; without one, Node verifies the chain and we verify the name.
    rejectUnauthorized: pinned === null,
    checkServerIdentity: (_host, cert) => (pinned === null ? tls.checkServerIdentity(domain, cert) : undefined),
  });
  // The certificate the server showed, read just before Node's verdict (its "secure" listener may
  // destroy the socket): a refusal can then name it, for the user to compare and pin.
  let shown: string | undefined;
  tlsSocket.prependOnceListener("secure", () => {
    const raw = tlsSocket.getPeerCertificate(false)?.raw;
    shown = raw ? fingerprintOf(raw) : undefined;
  });

  return new Promise((resolve, reject) => {
    const cleanup = () => {
      tlsSocket.off("secureConnect", onSecure);
      tlsSocket.off("error", onError);
      tlsSocket.off("close", onClose);
      signal.removeEventListener("abort", onAbort);
    };
    const fail = (err: SicError) => {
      cleanup();
      tlsSocket.destroy();
      socket.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal.reason as SicError);
    const onClose = () => fail(new SicError("tls", `The server closed the connection during the TLS handshake.`));
    const onError = (err: NodeJS.ErrnoException) => fail(tlsError(err, domain, shown));
    const onSecure = () => {
      const cert = tlsSocket.getPeerCertificate(false);
      const fingerprint = cert?.raw ? fingerprintOf(cert.raw) : "unknown";
      const refused = refusal(tlsSocket, pinned, fingerprint);
      if (refused) {
        fail(refused);
        return;
      }
      cleanup();
      acknowledgeTicketsPromptly(tlsSocket);
      rememberSessions(tlsSocket, key);
      resolve({ socket: tlsSocket, info: infoOf(tlsSocket, fingerprint, trust) });
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    tlsSocket.once("secureConnect", onSecure);
    tlsSocket.once("error", onError);
    tlsSocket.once("close", onClose);
  });
}

/** Why a completed handshake must still not be trusted: a pin that does not match, or no verification. */
function refusal(tlsSocket: tls.TLSSocket, pinned: string | null, fingerprint: string): SicError | null {
  if (pinned !== null && fingerprint !== pinned) {
    // What to do about it is each front end's advice (advice.ts).
    return new SicError("tls", `The server's certificate does not match the pinned fingerprint. Pinned: ${pinned}. Server sent: ${fingerprint}.`, {
      reason: "pin-mismatch",
      data: { pinned, fingerprint },
    });
  }
  if (pinned === null && !tlsSocket.authorized) {
    // Unreachable with rejectUnauthorized, kept as a guard should that ever change.
    return new SicError("tls", `The server's certificate was not verified: ${tlsSocket.authorizationError}.`);
  }
  return null;
}

function infoOf(tlsSocket: tls.TLSSocket, fingerprint: string, trust: TlsTrust): TlsInfo {
  return {
    protocol: tlsSocket.getProtocol() ?? "unknown",
    cipher: tlsSocket.getCipher()?.name ?? "unknown",
    fingerprint,
    authorizedBy: trust.kind === "pinned" ? "pin" : trust.extraCaPem ? "extra-ca" : "roots",
    resumed: tlsSocket.isSessionReused(),
  };
}

function tlsError(err: NodeJS.ErrnoException, domain: string, fingerprint?: string): SicError {
  const code = err.code ?? "";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new SicError("tls", `The server's certificate is not valid for ${domain}: ${quoted(err.message)}.`, { cause: err });
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ISSUER/.test(code)) {
    // What to do about it is each front end's advice (advice.ts): it differs on a command line.
    return new SicError("tls", `The server's certificate for ${domain} is not trusted (${code}).`, {
      cause: err,
      reason: "untrusted-certificate",
      ...(fingerprint && fingerprint !== "unknown" ? { data: { fingerprint } } : {}),
    });
  }
  if (code === "ERR_SSL_TLSV1_UNRECOGNIZED_NAME") {
    return new SicError("tls", `The server has no certificate for ${domain} (it refused the name in the TLS handshake). Check the JID's domain.`, { cause: err });
  }
  // OpenSSL messages carry source paths; the reason is the part after the last "routines:".
  const reason = err.message.split(":").slice(-4, -3)[0] ?? err.message;
  return new SicError("tls", `The TLS handshake with the server failed (${code || reason}).`, { cause: err });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
