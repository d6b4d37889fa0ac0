// RFC 8656 §18.2 LIFETIME: seconds until an allocation expires; 0 in a Refresh deletes it.
import { Attr } from "../constants";
import { malformed, type RawAttribute } from "../message";

export function encodeLifetime(seconds: number): RawAttribute {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(seconds, 0);
  return { type: Attr.Lifetime, value };
}

export function decodeLifetime(attr: RawAttribute): number {
  if (attr.value.length !== 4) throw malformed(`LIFETIME has ${attr.value.length} bytes, not 4`);
  return attr.value.readUInt32BE(0);
}
