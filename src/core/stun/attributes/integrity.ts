// RFC 8489 §14.5 MESSAGE-INTEGRITY: HMAC-SHA1 of the message up to this attribute, with the
// header's length counting it (and not a later FINGERPRINT). §9.2.2: the long-term credential's key
// is MD5(username ":" realm ":" password) — used by TURN (RFC 8656 §9.2).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Attr, HEADER_LENGTH } from "../constants";
import { malformed, type StunMessage } from "../message";

const ATTRIBUTE_LENGTH = 24;

/** The long-term key. Usernames and passwords are taken as given (no SASLprep: TURN REST ones are ASCII). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash("md5").update(`${username}:${realm}:${password}`, "utf8").digest();
}

function hmacOf(prefix: Buffer, key: Buffer): Buffer {
  const copy = Buffer.from(prefix);
  copy.writeUInt16BE(prefix.length - HEADER_LENGTH + ATTRIBUTE_LENGTH, 2);
  return createHmac("sha1", key).update(copy).digest();
}

export function appendIntegrity(encoded: Buffer, key: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(Attr.MessageIntegrity, 0);
  head.writeUInt16BE(20, 2);
  const out = Buffer.concat([encoded, head, hmacOf(encoded, key)]);
  out.writeUInt16BE(out.length - HEADER_LENGTH, 2);
  return out;
}

/** null when the message carries no MESSAGE-INTEGRITY; otherwise whether the HMAC matches `key`. */
export function checkIntegrity(message: StunMessage, key: Buffer): boolean | null {
  const attr = message.attributes.find((a) => a.type === Attr.MessageIntegrity);
  if (attr === undefined) return null;
  if (attr.value.length !== 20) throw malformed(`MESSAGE-INTEGRITY has ${attr.value.length} bytes, not 20`);
  if (message.raw === undefined || attr.offset === undefined) return false;
  return timingSafeEqual(hmacOf(message.raw.subarray(0, attr.offset), key), attr.value);
}
