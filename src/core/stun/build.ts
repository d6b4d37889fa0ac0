// Building a request: a fresh transaction id from crypto, the attributes, then MESSAGE-INTEGRITY
// (when a key is given) and FINGERPRINT in the order RFC 8489 §14.5–14.7 requires.
import { randomBytes } from "node:crypto";
import { Class, TRANSACTION_ID_LENGTH, type MessageClass } from "./constants";
import { appendFingerprint } from "./attributes/fingerprint";
import { appendIntegrity } from "./attributes/integrity";
import { encodeMessage, type RawAttribute } from "./message";

export function newTransactionId(): Buffer {
  return randomBytes(TRANSACTION_ID_LENGTH);
}

export interface BuildOptions {
  cls?: MessageClass;
  /** Adds MESSAGE-INTEGRITY with this HMAC key (long-term: longTermKey()). */
  integrityKey?: Buffer;
  /** Adds FINGERPRINT (RFC 8489 §7: useful where STUN shares a port with other protocols). */
  fingerprint?: boolean;
}

export function buildMessage(method: number, transactionId: Buffer, attributes: RawAttribute[], options: BuildOptions = {}): Buffer {
  let out = encodeMessage({ method, cls: options.cls ?? Class.Request, transactionId, attributes });
  if (options.integrityKey) out = appendIntegrity(out, options.integrityKey);
  if (options.fingerprint) out = appendFingerprint(out);
  return out;
}
