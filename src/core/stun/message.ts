// RFC 8489 §5 and §14: a STUN message as a header and a list of raw attributes. The decoder refuses
// anything whose framing does not add up (length, padding, cookie, attribute lengths) before any
// attribute value is read; attribute meanings live in attributes/, one file each.
import { SicError } from "../errors";
import {
  classOf,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  MAX_MESSAGE_LENGTH,
  messageType,
  methodOf,
  TRANSACTION_ID_LENGTH,
  type MessageClass,
} from "./constants";

export interface RawAttribute {
  type: number;
  value: Buffer;
  /** Where the attribute's header starts in the decoded message (for integrity and fingerprint). */
  offset?: number;
}

export interface StunMessage {
  method: number;
  cls: MessageClass;
  transactionId: Buffer;
  attributes: RawAttribute[];
  /** The bytes it was decoded from, when it was decoded. */
  raw?: Buffer;
}

/** The one error the codec throws: what the peer sent is not STUN as RFC 8489 frames it. */
export function malformed(what: string): SicError {
  return new SicError("bad-reply", `The STUN server's answer is malformed: ${what}.`);
}

/** Whether the bytes look like a STUN message at all (§6.3): top bits zero, the cookie in place. */
export function looksLikeStun(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_LENGTH && (bytes[0]! & 0xc0) === 0 && Buffer.from(bytes).readUInt32BE(4) === MAGIC_COOKIE;
}

export function decodeMessage(input: Uint8Array): StunMessage {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < HEADER_LENGTH) throw malformed(`${bytes.length} bytes is shorter than the 20-byte header`);
  if (bytes.length > MAX_MESSAGE_LENGTH) throw malformed(`${bytes.length} bytes is longer than ${MAX_MESSAGE_LENGTH}`);
  const type = bytes.readUInt16BE(0);
  if (type & 0xc000) throw malformed("the first two bits are not zero");
  if (bytes.readUInt32BE(4) !== MAGIC_COOKIE) throw malformed("the magic cookie is wrong");
  const length = bytes.readUInt16BE(2);
  if (length % 4 !== 0) throw malformed(`the length ${length} is not a multiple of 4`);
  if (HEADER_LENGTH + length !== bytes.length) {
    throw malformed(`the header says ${length} bytes of attributes, the datagram carries ${bytes.length - HEADER_LENGTH}`);
  }
  const attributes: RawAttribute[] = [];
  for (let at = HEADER_LENGTH; at < bytes.length; ) {
    if (at + 4 > bytes.length) throw malformed(`an attribute header at byte ${at} is cut off`);
    const attrType = bytes.readUInt16BE(at);
    const attrLength = bytes.readUInt16BE(at + 2);
    const padded = (attrLength + 3) & ~3;
    if (at + 4 + padded > bytes.length) {
      throw malformed(`attribute 0x${attrType.toString(16).padStart(4, "0")} at byte ${at} claims ${attrLength} bytes, past the end`);
    }
    attributes.push({ type: attrType, value: Buffer.from(bytes.subarray(at + 4, at + 4 + attrLength)), offset: at });
    at += 4 + padded;
  }
  return {
    method: methodOf(type),
    cls: classOf(type),
    transactionId: Buffer.from(bytes.subarray(8, 8 + TRANSACTION_ID_LENGTH)),
    attributes,
    raw: Buffer.from(bytes),
  };
}

/** Header and attributes, each padded with zeros to 4 bytes (§14). */
export function encodeMessage(message: StunMessage): Buffer {
  if (message.transactionId.length !== TRANSACTION_ID_LENGTH) throw new RangeError("a transaction id has 12 bytes");
  const parts: Buffer[] = [];
  for (const attr of message.attributes) {
    if (attr.value.length > 0xffff) throw new RangeError(`attribute 0x${attr.type.toString(16)} is too long`);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(attr.type, 0);
    head.writeUInt16BE(attr.value.length, 2);
    parts.push(head, attr.value, Buffer.alloc((4 - (attr.value.length % 4)) % 4));
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(messageType(message.method, message.cls), 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  message.transactionId.copy(header, 8);
  return Buffer.concat([header, body]);
}

/** The first attribute of a type: per §14 later duplicates are ignored. */
export function findAttribute(message: StunMessage, type: number): RawAttribute | undefined {
  return message.attributes.find((a) => a.type === type);
}

