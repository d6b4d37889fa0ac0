// CRC-32 (ISO HDLC, the one zlib and STUN's FINGERPRINT use). zlib.crc32 exists from Node 20.15 /
// 22.2; the package allows any Node 20, so earlier ones get the same result from a small table.
import * as zlib from "node:zlib";

let table: Uint32Array | undefined;

export function crc32Table(bytes: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const b of bytes) crc = table[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array | string) => number }).crc32;

export function crc32(data: Uint8Array | string): number {
  if (native) return native(data) >>> 0;
  return crc32Table(typeof data === "string" ? Buffer.from(data, "utf8") : data);
}
