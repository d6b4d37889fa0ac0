// RFC 8656 §18.7 REQUESTED-TRANSPORT: the IP protocol number of the relayed transport (17, UDP)
// followed by three reserved bytes.
import { Attr } from "../constants";
import { malformed, type RawAttribute } from "../message";

export const PROTOCOL_UDP = 17;

export function encodeRequestedTransport(protocol: number = PROTOCOL_UDP): RawAttribute {
  return { type: Attr.RequestedTransport, value: Buffer.from([protocol, 0, 0, 0]) };
}

export function decodeRequestedTransport(attr: RawAttribute): number {
  if (attr.value.length !== 4) throw malformed(`REQUESTED-TRANSPORT has ${attr.value.length} bytes, not 4`);
  return attr.value[0]!;
}
