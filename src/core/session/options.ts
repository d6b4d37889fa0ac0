// What a caller asks of a session, checked before anything leaves the machine: a bad option is a
// usage error with a sentence, never a half-made connection.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { validateFingerprint, validateJid, validatePort, validateTlsMode, type ParsedJid, type TlsMode } from "../account";
import { SicError } from "../errors";
import type { Family } from "../ip";
import type { Resolver, Target } from "../resolve";
import { StanzaLog } from "../stanzaLog";
import { checkCaPem, type TlsTrust } from "../tls";
import { ProfileCache } from "./serverProfile";

export const DEFAULT_TIMEOUT_MS = 15_000;

/** What this process has learned about servers; shared by every session unless one brings its own. */
export const sharedProfiles = new ProfileCache();

export interface SessionOptions {
  jid: string;
  password: string;
  /** With neither host nor port, the server is found like a real client does: SRV, else the domain. */
  host?: string;
  port?: number;
  /** Undefined: as the SRV records say (direct TLS or STARTTLS), else STARTTLS. */
  tls?: TlsMode;
  /** Connect over this family only; both, happy-eyeballs style, when undefined. */
  family?: Family;
  /** DNS for SRV and addresses (default: this machine's, see systemResolver). */
  resolver?: Resolver;
  /** Where to connect, already resolved (see resolveTargets): overrides host, port, tls and SRV. */
  targets?: Target[];
  /** PEM text of one extra CA to trust for this connection only. */
  caPem?: string;
  /** Or: path of that PEM file (read here, so a bad path is a usage error). */
  caFile?: string;
  /** SHA-256 fingerprint of the one certificate to trust instead of CAs. */
  fingerprint?: string;
  /** Known servers, for pipelining (default: sharedProfiles); null: always step by step. */
  profiles?: ProfileCache | null;
  /** One deadline for the whole check. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Names this check's entries in the stanza log; random when omitted. */
  checkId?: string;
  /** Where the redacted stanzas go; a fresh log per check when omitted. */
  log?: StanzaLog;
}

/** The options, checked and completed with their defaults. */
export interface SessionSettings {
  jid: ParsedJid;
  password: string;
  host: string | undefined;
  port: number | undefined;
  tls: TlsMode | undefined;
  family: Family | undefined;
  timeoutMs: number;
  trust: TlsTrust;
  checkId: string;
  log: StanzaLog;
  profiles: ProfileCache | null;
}

export function settle(options: SessionOptions): SessionSettings {
  const jid = validateJid(options.jid);
  if (!options.password) throw new SicError("usage", "No password given.");
  const tls = options.tls === undefined ? undefined : validateTlsMode(options.tls);
  const host = options.host?.trim() || undefined;
  const port = options.port === undefined ? undefined : validatePort(options.port);
  const family = options.family === undefined ? undefined : validateFamily(options.family);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new SicError("usage", "The timeout must be a positive number of milliseconds.");
  return {
    jid,
    password: options.password,
    host,
    port,
    tls,
    family,
    timeoutMs,
    trust: trustFrom(options, tls),
    checkId: options.checkId ?? randomId(),
    log: options.log ?? new StanzaLog(),
    profiles: options.profiles === undefined ? sharedProfiles : options.profiles,
  };
}

export function randomId(): string {
  return randomBytes(4).toString("hex");
}

function trustFrom(options: SessionOptions, mode: TlsMode | undefined): TlsTrust {
  if ((options.caPem || options.caFile) && options.fingerprint) {
    throw new SicError("usage", "Give either a CA or a certificate fingerprint, not both.");
  }
  if (mode === "none" && (options.caPem || options.caFile || options.fingerprint)) {
    throw new SicError("usage", "A CA or fingerprint only makes sense with TLS.");
  }
  if (options.fingerprint) return { kind: "pinned", sha256: validateFingerprint(options.fingerprint) };
  let pem = options.caPem;
  if (!pem && options.caFile) {
    try {
      pem = readFileSync(options.caFile, "utf8");
    } catch (err) {
      throw new SicError("usage", `Cannot read the CA file ${options.caFile}: ${(err as NodeJS.ErrnoException).code ?? err}.`, { cause: err });
    }
  }
  if (pem) checkCaPem(pem, options.caFile ?? "The CA");
  return pem ? { kind: "roots", extraCaPem: pem } : { kind: "roots" };
}

function validateFamily(value: unknown): Family {
  if (value === "IPv4" || value === "IPv6") return value;
  throw new SicError("usage", `The address family must be IPv4 or IPv6, not "${String(value)}".`);
}
