// RFC 8489 §14.9 UNKNOWN-ATTRIBUTES: the 16-bit types a 420 error says the server did not understand.
import { Attr } from "../constants";
import { malformed, type RawAttribute } from "../message";

export function encodeUnknownAttributes(types: readonly number[]): RawAttribute {
  const value = Buffer.alloc(types.length * 2);
  types.forEach((t, i) => value.writeUInt16BE(t, i * 2));
  return { type: Attr.UnknownAttributes, value };
}

export function decodeUnknownAttributes(attr: RawAttribute): number[] {
  if (attr.value.length % 2 !== 0) throw malformed(`UNKNOWN-ATTRIBUTES has an odd length (${attr.value.length})`);
  const types: number[] = [];
  for (let i = 0; i < attr.value.length; i += 2) types.push(attr.value.readUInt16BE(i));
  return types;
}
