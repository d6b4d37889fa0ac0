// RFC 8489 §14.1 MAPPED-ADDRESS, and the same shape for RFC 5780's OTHER-ADDRESS (§7.4) and
// RESPONSE-ORIGIN (§7.3): a reserved byte, the family (1 IPv4, 2 IPv6), the port, the address.
import ipaddr from "ipaddr.js";
import type { Family } from "../../ip";
import { malformed, type RawAttribute } from "../message";

export interface TransportAddress {
  ip: string;
  port: number;
  family: Family;
}

const FAMILY_CODE: Record<Family, number> = { IPv4: 0x01, IPv6: 0x02 };

/** The address's bytes, for an IP text of either family; throws RangeError for anything else. */
export function addressBytes(ip: string): { family: Family; bytes: Buffer } {
  if (!ipaddr.isValid(ip)) throw new RangeError(`not an IP address: ${ip}`);
  const parsed = ipaddr.parse(ip);
  return { family: parsed.kind() === "ipv4" ? "IPv4" : "IPv6", bytes: Buffer.from(parsed.toByteArray()) };
}

export function addressText(bytes: Buffer): string {
  return ipaddr.fromByteArray([...bytes]).toString();
}

export function encodeAddress(type: number, address: { ip: string; port: number }): RawAttribute {
  const { family, bytes } = addressBytes(address.ip);
  const value = Buffer.alloc(4 + bytes.length);
  value[1] = FAMILY_CODE[family];
  value.writeUInt16BE(address.port, 2);
  bytes.copy(value, 4);
  return { type, value };
}

/** Checks the family byte against the value's length; returns the raw port and address bytes. */
export function readAddressShape(attr: RawAttribute, name: string): { family: Family; port: number; bytes: Buffer } {
  const v = attr.value;
  if (v.length < 4) throw malformed(`${name} has ${v.length} bytes, fewer than 4`);
  const family: Family | undefined = v[1] === 0x01 ? "IPv4" : v[1] === 0x02 ? "IPv6" : undefined;
  if (family === undefined) throw malformed(`${name} names address family ${v[1]}, neither IPv4 (1) nor IPv6 (2)`);
  const expected = family === "IPv4" ? 8 : 20;
  if (v.length !== expected) throw malformed(`${name} for ${family} has ${v.length} bytes, not ${expected}`);
  return { family, port: v.readUInt16BE(2), bytes: Buffer.from(v.subarray(4)) };
}

export function decodeAddress(attr: RawAttribute, name: string): TransportAddress {
  const { family, port, bytes } = readAddressShape(attr, name);
  return { ip: addressText(bytes), port, family };
}
