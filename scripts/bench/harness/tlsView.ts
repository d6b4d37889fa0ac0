// The decrypted view of one proxied connection: what each TCP chunk the delay proxy forwarded
// actually carried (plaintext XMPP before STARTTLS, TLS handshake messages, and the XMPP text
// inside TLS 1.3 application records), using the TLS secrets the client wrote to a key log
// (NSS key log format: Node's --tls-keylog, Python's SSLKEYLOGFILE).
//
// TLS 1.3 only (RFC 8446 §7: traffic keys from the handshake and application traffic secrets);
// a TLS 1.2 connection is described as records without contents.
import { createDecipheriv, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ChunkDir, ChunkRecord } from "./delayProxy";

/** One thing a chunk carried. */
export interface Item {
  kind: "xml" | "handshake" | "ccs" | "alert" | "app" | "opaque";
  /** "ClientHello", "NewSessionTicket", the XMPP text, "close_notify", … */
  text: string;
  /** Application data that is nothing but XML whitespace (a keepalive / ticket acknowledgement). */
  whitespace?: boolean;
}

export interface ChunkView {
  chunk: ChunkRecord;
  items: Item[];
}

export type KeyLog = Map<string, Map<string, Buffer>>;

export function readKeyLog(file: string): KeyLog {
  const keys: KeyLog = new Map();
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return keys;
  }
  for (const line of text.split("\n")) {
    const [label, random, secret] = line.trim().split(/\s+/);
    if (!label || !random || !secret || label.startsWith("#")) continue;
    const entry = keys.get(random.toLowerCase()) ?? new Map<string, Buffer>();
    entry.set(label, Buffer.from(secret, "hex"));
    keys.set(random.toLowerCase(), entry);
  }
  return keys;
}

const SUITES: Record<number, { name: string; cipher: string; keyLen: number; hash: string }> = {
  0x1301: { name: "TLS_AES_128_GCM_SHA256", cipher: "aes-128-gcm", keyLen: 16, hash: "sha256" },
  0x1302: { name: "TLS_AES_256_GCM_SHA384", cipher: "aes-256-gcm", keyLen: 32, hash: "sha384" },
  0x1303: { name: "TLS_CHACHA20_POLY1305_SHA256", cipher: "chacha20-poly1305", keyLen: 32, hash: "sha256" },
};

const HANDSHAKE_TYPES: Record<number, string> = {
  1: "ClientHello",
  2: "ServerHello",
  4: "NewSessionTicket",
  5: "EndOfEarlyData",
  8: "EncryptedExtensions",
  11: "Certificate",
  12: "ServerKeyExchange",
  13: "CertificateRequest",
  14: "ServerHelloDone",
  15: "CertificateVerify",
  16: "ClientKeyExchange",
  20: "Finished",
  24: "KeyUpdate",
};

/** HKDF-Expand-Label (RFC 8446 §7.1) for outputs no longer than one hash block. */
function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, "latin1");
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  return createHmac(hash, secret).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length);
}

interface Keys {
  key: Buffer;
  iv: Buffer;
  seq: bigint;
}

/** One direction's parser state. */
class Direction {
  plaintext: boolean;
  buffer = Buffer.alloc(0);
  keys: Keys | null = null;
  epoch: "none" | "handshake" | "application" = "none";
  handshakeBytes = Buffer.alloc(0);
  failed = false;

  constructor(readonly dir: ChunkDir, startsInTls: boolean) {
    this.plaintext = !startsInTls;
  }
}

export interface ConnectionView {
  chunks: ChunkView[];
  /** Null when the handshake was not TLS 1.3 or no secrets were found for it. */
  suite: string | null;
  decrypted: boolean;
}

/**
 * Decodes the chunks of one connection, in the order the proxy read them. `directTls` says the
 * connection starts with a TLS handshake (XEP-0368) rather than with plaintext XMPP (STARTTLS).
 */
export function decodeConnection(chunks: ChunkRecord[], keyLog: KeyLog, directTls: boolean): ConnectionView {
  const sides: Record<ChunkDir, Direction> = { c2s: new Direction("c2s", directTls), s2c: new Direction("s2c", directTls) };
  let secrets: Map<string, Buffer> | undefined;
  let suite: (typeof SUITES)[number] | undefined;
  const views: ChunkView[] = [];

  const secretLabel = (dir: ChunkDir, epoch: "handshake" | "application") =>
    `${dir === "c2s" ? "CLIENT" : "SERVER"}_${epoch === "handshake" ? "HANDSHAKE_" : ""}TRAFFIC_SECRET${epoch === "application" ? "_0" : ""}`;

  const enter = (side: Direction, epoch: "handshake" | "application") => {
    side.epoch = epoch;
    const secret = secrets?.get(secretLabel(side.dir, epoch));
    if (!secret || !suite) {
      side.keys = null;
      return;
    }
    side.keys = {
      key: expandLabel(suite.hash, secret, "key", suite.keyLen),
      iv: expandLabel(suite.hash, secret, "iv", 12),
      seq: 0n,
    };
  };

  const handshakeMessages = (side: Direction, data: Buffer, items: Item[]) => {
    side.handshakeBytes = Buffer.concat([side.handshakeBytes, data]);
    while (side.handshakeBytes.length >= 4) {
      const length = side.handshakeBytes.readUIntBE(1, 3);
      if (side.handshakeBytes.length < 4 + length) break;
      const type = side.handshakeBytes[0];
      const body = side.handshakeBytes.subarray(4, 4 + length);
      side.handshakeBytes = side.handshakeBytes.subarray(4 + length);
      items.push({ kind: "handshake", text: HANDSHAKE_TYPES[type] ?? `handshake ${type}` });
      if (type === 1 && body.length >= 34) {
        secrets = keyLog.get(body.subarray(2, 34).toString("hex"));
      } else if (type === 2 && body.length >= 35) {
        const sessionIdLength = body[34];
        const suiteId = body.readUInt16BE(35 + sessionIdLength);
        suite = SUITES[suiteId];
        // TLS 1.3 from here on: both directions' next encrypted records use handshake keys.
        if (suite) {
          enter(sides.s2c, "handshake");
          enter(sides.c2s, "handshake");
        }
      } else if (type === 20 && side.epoch === "handshake") {
        enter(side, "application");
      }
    }
  };

  const decrypt = (side: Direction, header: Buffer, fragment: Buffer): { type: number; data: Buffer } | null => {
    const keys = side.keys;
    if (!keys || !suite || fragment.length < 17) return null;
    const nonce = Buffer.from(keys.iv);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(keys.seq);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
    keys.seq++;
    try {
      const decipher = createDecipheriv(suite.cipher as "aes-128-gcm", keys.key, nonce, { authTagLength: 16 });
      decipher.setAAD(header);
      decipher.setAuthTag(fragment.subarray(fragment.length - 16));
      const inner = Buffer.concat([decipher.update(fragment.subarray(0, fragment.length - 16)), decipher.final()]);
      let end = inner.length;
      while (end > 0 && inner[end - 1] === 0) end--;
      if (end === 0) return null;
      return { type: inner[end - 1], data: inner.subarray(0, end - 1) };
    } catch {
      return null;
    }
  };

  for (const chunk of chunks) {
    const side = sides[chunk.dir];
    const items: Item[] = [];
    views.push({ chunk, items });
    if (!chunk.data) {
      items.push({ kind: "opaque", text: `${chunk.bytes} B (no data kept)` });
      continue;
    }
    let data = chunk.data;
    if (side.plaintext) {
      // XML never starts with 0x16: the first byte of a TLS handshake record ends the plaintext.
      if (data[0] === 0x16 && side.buffer.length === 0) {
        side.plaintext = false;
      } else {
        items.push({ kind: "xml", text: data.toString("utf8") });
        continue;
      }
    }
    side.buffer = Buffer.concat([side.buffer, data]);
    while (side.buffer.length >= 5) {
      const length = side.buffer.readUInt16BE(3);
      if (side.buffer.length < 5 + length) break;
      const header = side.buffer.subarray(0, 5);
      const fragment = side.buffer.subarray(5, 5 + length);
      side.buffer = side.buffer.subarray(5 + length);
      const type = header[0];
      if (type === 20) {
        items.push({ kind: "ccs", text: "ChangeCipherSpec" });
      } else if (type === 22 && side.epoch === "none") {
        handshakeMessages(side, fragment, items);
      } else if (type === 21 && side.epoch === "none") {
        items.push({ kind: "alert", text: `alert ${fragment[1]}` });
      } else if (type === 23) {
        const inner = side.failed ? null : decrypt(side, header, fragment);
        if (!inner) {
          side.failed = side.keys !== null; // a wrong key stays wrong: stop trying
          items.push({ kind: "opaque", text: `encrypted record, ${length} B` });
        } else if (inner.type === 22) {
          handshakeMessages(side, inner.data, items);
        } else if (inner.type === 23) {
          const text = inner.data.toString("utf8");
          items.push({ kind: "app", text, whitespace: /^\s+$/.test(text) });
        } else if (inner.type === 21) {
          items.push({ kind: "alert", text: inner.data[1] === 0 ? "close_notify" : `alert ${inner.data[1]}` });
        } else {
          items.push({ kind: "opaque", text: `inner type ${inner.type}` });
        }
      } else {
        items.push({ kind: "opaque", text: `record type ${type}, ${length} B` });
      }
    }
  }
  const decrypted = views.some((v) => v.items.some((i) => i.kind === "app"));
  return { chunks: views, suite: suite?.name ?? null, decrypted };
}

/** A short label for a list of items, e.g. "ServerHello, CCS, {EncryptedExtensions, …}" or "<auth …>". */
export function describeItems(items: Item[], maxXml = 70): string {
  const parts: string[] = [];
  for (const item of items) {
    let text: string;
    if (item.kind === "xml" || item.kind === "app") {
      text = item.whitespace ? `␠×${item.text.length} (whitespace)` : abbreviateXml(item.text, maxXml);
    } else if (item.kind === "ccs") {
      text = "CCS";
    } else {
      text = item.text;
    }
    if (parts[parts.length - 1] !== text) parts.push(text);
  }
  return parts.join(" · ");
}

/**
 * The top-level elements of a piece of XMPP text, each with its type, mechanism and first child's
 * namespace, e.g. "<stream:stream> <stream:features mechanisms>" or "<iq result sic:1>".
 */
export function abbreviateXml(text: string, max: number): string {
  const tags: string[] = [];
  const re = /<(\/?[\w:.-]+)([^>]*?)(\/?)>/g;
  let depth = 0;
  let wantChild: "first" | "all" | "none" = "none";
  for (const m of text.matchAll(re)) {
    const [, name, attrs, selfClosing] = m;
    if (name.startsWith("/")) {
      if (name === "/stream:stream") tags.push("</stream:stream>");
      else depth = Math.max(0, depth - 1);
      continue;
    }
    const attr = (a: string) => new RegExp(`\\b${a}=['"]([^'"]+)['"]`).exec(attrs)?.[1];
    if (name === "stream:stream") {
      tags.push("<stream:stream>");
      continue;
    }
    if (depth === 0) {
      const extra = [attr("type"), attr("mechanism")].filter(Boolean).join(" ");
      tags.push(`<${name}${extra ? ` ${extra}` : ""}>`);
      wantChild = name === "stream:features" ? "all" : "first";
    } else if (depth === 1 && wantChild !== "none") {
      const ns = attr("xmlns");
      const child = wantChild === "all" || !ns ? name : shortNs(ns);
      tags[tags.length - 1] = `${tags[tags.length - 1].slice(0, -1)} ${child}>`;
      if (wantChild === "first") wantChild = "none";
    }
    if (!selfClosing) depth++;
  }
  const out = tags.join(" ");
  return out.length > max ? `${out.slice(0, max - 1)}…` : out || JSON.stringify(text.slice(0, 20));
}

function shortNs(ns: string): string {
  return ns
    .replace(/^urn:ietf:params:xml:ns:xmpp-/, "")
    .replace(/^http:\/\/jabber\.org\/protocol\//, "")
    .replace(/^urn:xmpp:/, "");
}
