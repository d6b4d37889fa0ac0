// RFC 8489 §5–6 and §14–18: the numbers of STUN (and those TURN, RFC 8656, and RFC 5780 add).
// Kept apart from the codec so that adding an attribute never touches the message code.

export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
export const TRANSACTION_ID_LENGTH = 12;
/** Largest message we accept or build: a UDP datagram of an IPv6 path without fragmentation (§6.1). */
export const MAX_MESSAGE_LENGTH = 1280;

export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
} as const;

export const Class = {
  Request: 0b00,
  Indication: 0b01,
  Success: 0b10,
  Error: 0b11,
} as const;
export type MessageClass = (typeof Class)[keyof typeof Class];

/** Attribute types (IANA "STUN Attributes"); 0x0000–0x7FFF are comprehension-required. */
export const Attr = {
  MappedAddress: 0x0001,
  ChangeRequest: 0x0003,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
  MessageIntegritySha256: 0x001c,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  Fingerprint: 0x8028,
  ResponseOrigin: 0x802b,
  OtherAddress: 0x802c,
} as const;

export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}

/** §5: the method's 12 bits and the class's 2 are interleaved in the 14-bit type field. */
export function messageType(method: number, cls: MessageClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

export function methodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

export function classOf(type: number): MessageClass {
  return (((type >> 4) & 1) | ((type >> 7) & 2)) as MessageClass;
}
