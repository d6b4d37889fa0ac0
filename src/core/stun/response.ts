// What a STUN/TURN response says, read into one typed record: mapped address (XOR-MAPPED-ADDRESS,
// else MAPPED-ADDRESS from RFC 3489 servers), the error, RFC 5780's addresses, TURN's relayed
// address, lifetime, realm and nonce. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT
// are ignored (RFC 8489 §14.5), a wrong FINGERPRINT refuses the whole message (§14.7).
import { Attr, Class, isComprehensionRequired, type MessageClass } from "./constants";
import { decodeAddress, type TransportAddress } from "./attributes/address";
import { decodeErrorCode, type StunErrorCode } from "./attributes/errorCode";
import { checkFingerprint } from "./attributes/fingerprint";
import { decodeLifetime } from "./attributes/lifetime";
import { decodeText } from "./attributes/text";
import { decodeUnknownAttributes } from "./attributes/unknownAttributes";
import { decodeXorAddress } from "./attributes/xorAddress";
import { findAttribute, malformed, type StunMessage } from "./message";

export interface StunResponse {
  method: number;
  cls: MessageClass;
  transactionId: Buffer;
  mapped?: TransportAddress;
  /** Where the mapped address came from: RFC 3489 servers only send MAPPED-ADDRESS. */
  mappedFrom?: "xor-mapped-address" | "mapped-address";
  error?: StunErrorCode;
  unknownAttributes?: number[];
  otherAddress?: TransportAddress;
  responseOrigin?: TransportAddress;
  relayed?: TransportAddress;
  lifetime?: number;
  realm?: string;
  nonce?: string;
  software?: string;
  hasIntegrity: boolean;
  /** null: no FINGERPRINT was sent. */
  fingerprint: boolean | null;
  /** Comprehension-required attributes this reader does not know (§6.3.4: a success with one is refused). */
  unknownRequired: number[];
}

const KNOWN = new Set<number>(Object.values(Attr));

export function readResponse(message: StunMessage): StunResponse {
  if (message.cls !== Class.Success && message.cls !== Class.Error) throw malformed("it is not a response");
  const fingerprint = checkFingerprint(message);
  if (fingerprint === false) throw malformed("its FINGERPRINT does not match its content");
  const mi = message.attributes.findIndex((a) => a.type === Attr.MessageIntegrity);
  const counted = { ...message, attributes: mi < 0 ? message.attributes : message.attributes.slice(0, mi + 1) };
  const get = (type: number) => findAttribute(counted, type);
  const tid = message.transactionId;
  const out: StunResponse = {
    method: message.method,
    cls: message.cls,
    transactionId: tid,
    hasIntegrity: mi >= 0,
    fingerprint,
    unknownRequired: counted.attributes.map((a) => a.type).filter((t) => isComprehensionRequired(t) && !KNOWN.has(t)),
  };
  const xorMapped = get(Attr.XorMappedAddress);
  const mapped = get(Attr.MappedAddress);
  if (xorMapped) Object.assign(out, { mapped: decodeXorAddress(xorMapped, tid, "XOR-MAPPED-ADDRESS"), mappedFrom: "xor-mapped-address" });
  else if (mapped) Object.assign(out, { mapped: decodeAddress(mapped, "MAPPED-ADDRESS"), mappedFrom: "mapped-address" });
  const fields: [number, (a: NonNullable<ReturnType<typeof get>>) => void][] = [
    [Attr.ErrorCode, (a) => (out.error = decodeErrorCode(a))],
    [Attr.UnknownAttributes, (a) => (out.unknownAttributes = decodeUnknownAttributes(a))],
    [Attr.OtherAddress, (a) => (out.otherAddress = decodeAddress(a, "OTHER-ADDRESS"))],
    [Attr.ResponseOrigin, (a) => (out.responseOrigin = decodeAddress(a, "RESPONSE-ORIGIN"))],
    [Attr.XorRelayedAddress, (a) => (out.relayed = decodeXorAddress(a, tid, "XOR-RELAYED-ADDRESS"))],
    [Attr.Lifetime, (a) => (out.lifetime = decodeLifetime(a))],
    [Attr.Realm, (a) => (out.realm = decodeText(a))],
    [Attr.Nonce, (a) => (out.nonce = decodeText(a))],
    [Attr.Software, (a) => (out.software = decodeText(a))],
  ];
  for (const [type, read] of fields) {
    const attr = get(type);
    if (attr) read(attr);
  }
  if (message.cls === Class.Error && out.error === undefined) throw malformed("an error response carries no ERROR-CODE");
  return out;
}
