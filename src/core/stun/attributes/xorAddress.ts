// RFC 8489 §14.2 XOR-MAPPED-ADDRESS, and RFC 8656's XOR-RELAYED-ADDRESS (§18.5) and
// XOR-PEER-ADDRESS (§18.3): the port XORed with the cookie's top 16 bits, the address with the
// cookie (IPv4) or the cookie followed by the transaction id (IPv6), so NATs that rewrite
// addresses they find in payloads leave it alone.
import { MAGIC_COOKIE } from "../constants";
import type { RawAttribute } from "../message";
import { addressText, encodeAddress, readAddressShape, type TransportAddress } from "./address";

function mask(transactionId: Buffer, length: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(key, 4);
  return key.subarray(0, length);
}

function xor(bytes: Buffer, key: Buffer): Buffer {
  return Buffer.from(bytes.map((b, i) => b ^ key[i]!));
}

export function encodeXorAddress(type: number, address: { ip: string; port: number }, transactionId: Buffer): RawAttribute {
  const plain = encodeAddress(type, address);
  const value = Buffer.from(plain.value);
  value.writeUInt16BE(address.port ^ (MAGIC_COOKIE >>> 16), 2);
  xor(value.subarray(4), mask(transactionId, value.length - 4)).copy(value, 4);
  return { type, value };
}

export function decodeXorAddress(attr: RawAttribute, transactionId: Buffer, name: string): TransportAddress {
  const { family, port, bytes } = readAddressShape(attr, name);
  return { ip: addressText(xor(bytes, mask(transactionId, bytes.length))), port: port ^ (MAGIC_COOKIE >>> 16), family };
}
