// RFC 8489 §14.7 FINGERPRINT: CRC-32 (ISO HDLC, as zlib) of the message up to this attribute, with
// the header's length already counting it, XORed with 0x5354554e; always the last attribute.
import { crc32 } from "../crc32";
import { Attr, HEADER_LENGTH } from "../constants";
import { malformed, type RawAttribute, type StunMessage } from "../message";

const XOR = 0x5354554e;
const ATTRIBUTE_LENGTH = 8;

/** CRC over `prefix` (a whole encoded message without the FINGERPRINT) as if it were appended. */
export function fingerprintOf(prefix: Buffer): number {
  const copy = Buffer.from(prefix);
  copy.writeUInt16BE(prefix.length - HEADER_LENGTH + ATTRIBUTE_LENGTH, 2);
  return (crc32(copy) ^ XOR) >>> 0;
}

export function appendFingerprint(encoded: Buffer): Buffer {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(fingerprintOf(encoded), 0);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(Attr.Fingerprint, 0);
  head.writeUInt16BE(4, 2);
  const out = Buffer.concat([encoded, head, value]);
  out.writeUInt16BE(out.length - HEADER_LENGTH, 2);
  return out;
}

/**
 * null when the message carries no FINGERPRINT; otherwise whether it is last, 4 bytes long and
 * right. A wrong fingerprint means the datagram is not (or no longer) the STUN message sent.
 */
export function checkFingerprint(message: StunMessage): boolean | null {
  const index = message.attributes.findIndex((a) => a.type === Attr.Fingerprint);
  if (index < 0) return null;
  const attr: RawAttribute = message.attributes[index]!;
  if (index !== message.attributes.length - 1) throw malformed("FINGERPRINT is not the last attribute");
  if (attr.value.length !== 4) throw malformed(`FINGERPRINT has ${attr.value.length} bytes, not 4`);
  if (message.raw === undefined || attr.offset === undefined) return false;
  return fingerprintOf(message.raw.subarray(0, attr.offset)) === attr.value.readUInt32BE(0);
}
