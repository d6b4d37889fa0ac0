// RFC 8489 §14.3 USERNAME (< 513 bytes), §14.9 REALM, §14.10 NONCE, §14.14 SOFTWARE (< 128
// characters, at most 763 bytes): UTF-8 text attributes. Decoding refuses invalid UTF-8 rather
// than guess; what a server wrote is still hostile text and is neutralised where it is shown.
import { Attr } from "../constants";
import { malformed, type RawAttribute } from "../message";

const MAX_BYTES: Record<number, number> = {
  [Attr.Username]: 512,
  [Attr.Realm]: 763,
  [Attr.Nonce]: 763,
  [Attr.Software]: 763,
};

const NAMES: Record<number, string> = {
  [Attr.Username]: "USERNAME",
  [Attr.Realm]: "REALM",
  [Attr.Nonce]: "NONCE",
  [Attr.Software]: "SOFTWARE",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformed(`${name} is not valid UTF-8`);
  }
}

export type TextAttributeType = typeof Attr.Username | typeof Attr.Realm | typeof Attr.Nonce | typeof Attr.Software;

export function encodeText(type: TextAttributeType, text: string): RawAttribute {
  const value = Buffer.from(text, "utf8");
  if (value.length > MAX_BYTES[type]!) throw new RangeError(`${NAMES[type]} is longer than ${MAX_BYTES[type]} bytes`);
  return { type, value };
}

export function decodeText(attr: RawAttribute): string {
  const name = NAMES[attr.type] ?? `attribute 0x${attr.type.toString(16)}`;
  const max = MAX_BYTES[attr.type] ?? 763;
  if (attr.value.length > max) throw malformed(`${name} has ${attr.value.length} bytes, more than ${max}`);
  return decodeUtf8(attr.value, name);
}
