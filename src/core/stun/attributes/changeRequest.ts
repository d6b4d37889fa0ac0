// RFC 5780 §7.2 CHANGE-REQUEST: ask the server to answer from its other IP ("A" flag, 0x4) and/or
// its other port ("B" flag, 0x2). Servers without RFC 5780 answer 420 Unknown Attribute.
import { Attr } from "../constants";
import { malformed, type RawAttribute } from "../message";

export interface ChangeRequest {
  changeIp: boolean;
  changePort: boolean;
}

export function encodeChangeRequest({ changeIp, changePort }: ChangeRequest): RawAttribute {
  const value = Buffer.alloc(4);
  value[3] = (changeIp ? 0x04 : 0) | (changePort ? 0x02 : 0);
  return { type: Attr.ChangeRequest, value };
}

export function decodeChangeRequest(attr: RawAttribute): ChangeRequest {
  if (attr.value.length !== 4) throw malformed(`CHANGE-REQUEST has ${attr.value.length} bytes, not 4`);
  return { changeIp: (attr.value[3]! & 0x04) !== 0, changePort: (attr.value[3]! & 0x02) !== 0 };
}
