// What identifies an account and how to reach its server. Never holds a password: shells keep that
// in their own secret store (VS Code SecretStorage, the environment, stdin) and pass it per check.
import { parse as parseJid } from "@xmpp/jid";
import { SicError } from "./errors";
import { normaliseFingerprint } from "./tls";

export type TlsMode = "starttls" | "direct" | "none";
export const TLS_MODES: readonly TlsMode[] = ["starttls", "direct", "none"];

export interface AccountSettings {
  jid: string;
  /** Host name or IP to connect to instead of the JID's domain. */
  host?: string;
  port?: number;
  tls?: TlsMode;
  /** Path of a PEM file with an extra CA to trust for this account only. */
  caFile?: string;
  /** SHA-256 fingerprint of the one server certificate to trust. */
  fingerprint?: string;
}

export interface ParsedJid {
  local: string;
  domain: string;
  resource: string;
  bare: string;
}

/** RFC 7622 forbids these in a localpart; whitespace and controls are never part of a JID we dial. */
const BAD_LOCAL = /["&'/:<>@\s\u0000-\u001f\u007f]/;
const DOMAIN = /^(\[[0-9a-fA-F:.]+\]|[^\s/@:[\]]+)$/;

export function validateJid(text: string): ParsedJid {
  const input = text.trim();
  if (input.length === 0) throw new SicError("usage", "No JID given. Use the form user@example.org.");
  const at = input.indexOf("@");
  const slash = input.indexOf("/");
  if (at <= 0 || (slash !== -1 && slash < at)) {
    throw new SicError("usage", `"${input}" is not a user JID. Use the form user@example.org.`);
  }
  let jid;
  try {
    jid = parseJid(input);
  } catch (err) {
    throw new SicError("usage", `"${input}" is not a valid JID.`, { cause: err });
  }
  const local = jid.local;
  const domain = jid.domain.replace(/\.$/, "");
  if (!local || BAD_LOCAL.test(input.slice(0, at))) {
    throw new SicError("usage", `The user part of "${input}" is empty or has a character JIDs do not allow.`);
  }
  if (!DOMAIN.test(domain) || domain.length > 253) {
    throw new SicError("usage", `The domain of "${input}" is not a valid host name.`);
  }
  if (Buffer.byteLength(local) > 1023 || Buffer.byteLength(jid.resource ?? "") > 1023) {
    throw new SicError("usage", `"${input}" is too long for a JID (1023 bytes per part).`);
  }
  return { local, domain, resource: jid.resource ?? "", bare: `${local}@${domain}` };
}

export function validatePort(value: unknown, what = "Port"): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new SicError("usage", `${what} must be a whole number from 1 to 65535, not "${String(value)}".`);
  }
  return n;
}

export function validateTlsMode(value: unknown): TlsMode {
  if (typeof value === "string" && (TLS_MODES as readonly string[]).includes(value)) return value as TlsMode;
  throw new SicError("usage", `TLS mode must be one of ${TLS_MODES.join(", ")}, not "${String(value)}".`);
}

export function validateFingerprint(value: string): string {
  const fp = normaliseFingerprint(value);
  if (!fp) {
    throw new SicError("usage", `"${value}" is not a SHA-256 fingerprint (64 hex digits, colons optional).`);
  }
  return fp;
}

/** Checks an account's non-secret settings as a whole; returns them normalised. */
export function validateAccount(settings: AccountSettings): AccountSettings {
  const jid = validateJid(settings.jid);
  // Undefined: as the domain's SRV records say (direct TLS or STARTTLS), else STARTTLS.
  const tls = settings.tls === undefined ? undefined : validateTlsMode(settings.tls);
  if (settings.caFile && settings.fingerprint) {
    throw new SicError("usage", "Give either a CA file or a certificate fingerprint, not both.");
  }
  if (tls === "none" && (settings.caFile || settings.fingerprint)) {
    throw new SicError("usage", "A CA file or fingerprint only makes sense with TLS.");
  }
  const host = settings.host?.trim();
  return {
    jid: jid.resource ? `${jid.bare}/${jid.resource}` : jid.bare,
    ...(host ? { host } : {}),
    ...(settings.port !== undefined ? { port: validatePort(settings.port) } : {}),
    ...(tls ? { tls } : {}),
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
    ...(settings.fingerprint ? { fingerprint: validateFingerprint(settings.fingerprint) } : {}),
  };
}
