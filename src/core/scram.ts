// SCRAM client (RFC 5802; SHA-256 per RFC 7677) without channel binding. PBKDF2 runs as one native
// node:crypto call: xmpp.js's pure-JS SCRAM spends seconds on the 4096–10000 iterations servers use.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { quoted } from "./text";

export type ScramHash = "sha1" | "sha256";

export const SCRAM_MECHANISMS: Record<string, ScramHash> = {
  "SCRAM-SHA-256": "sha256",
  "SCRAM-SHA-1": "sha1",
};

/** Bounds on the server's iteration count: below is weak, above is a CPU-exhaustion attack. */
export const MIN_ITERATIONS = 1024;
export const MAX_ITERATIONS = 1_000_000;

export class ScramProtocolError extends Error {
  /** The server's e= value (RFC 5802 §7), when it sent one; text it chose, so never displayed raw. */
  constructor(
    message: string,
    readonly serverError?: string,
  ) {
    super(message);
  }
}

const GS2_HEADER = "n,,";

/**
 * SaltedPassword per (hash, salt, iterations, password), as RFC 5802 §5.1 allows clients to cache:
 * repeated checks skip PBKDF2. Keyed by a digest of the password, never the password itself,
 * and bounded; in memory only.
 */
const saltedCache = new Map<string, Buffer>();
const SALTED_CACHE_SIZE = 32;

function saltedPassword(hash: ScramHash, password: string, salt: Buffer, iterations: number): Buffer {
  const normalised = password.normalize("NFKC");
  const key = `${hash}|${iterations}|${salt.toString("base64")}|${createHash("sha256").update(normalised).digest("base64")}`;
  let salted = saltedCache.get(key);
  if (!salted) {
    salted = pbkdf2Sync(normalised, salt, iterations, hash === "sha1" ? 20 : 32, hash);
    if (saltedCache.size >= SALTED_CACHE_SIZE) saltedCache.delete(saltedCache.keys().next().value!);
    saltedCache.set(key, salted);
  }
  return salted;
}

/** RFC 5802 §5.1: "=" and "," in the username are escaped. */
function saslName(name: string): string {
  return name.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

function parseAttributes(message: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq !== 1) throw new ScramProtocolError(`malformed attribute "${quoted(part, 20)}"`);
    attrs.set(part[0]!, part.slice(2));
  }
  return attrs;
}

export class ScramClient {
  private readonly clientNonce: string;
  private clientFirstBare = "";
  private serverSignature: Buffer | null = null;

  constructor(
    private readonly hash: ScramHash,
    private readonly username: string,
    private readonly password: string,
    nonce?: string,
  ) {
    this.clientNonce = nonce ?? randomBytes(18).toString("base64");
  }

  clientFirst(): string {
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.clientNonce}`;
    return GS2_HEADER + this.clientFirstBare;
  }

  clientFinal(serverFirst: string): string {
    const attrs = parseAttributes(serverFirst);
    if (attrs.has("m")) throw new ScramProtocolError("server requires an unsupported extension");
    const nonce = attrs.get("r");
    const saltB64 = attrs.get("s");
    const iterationsText = attrs.get("i");
    if (!nonce || !saltB64 || !iterationsText) throw new ScramProtocolError("server-first-message lacks r, s or i");
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw new ScramProtocolError("server nonce does not extend ours");
    }
    if (!/^\d{1,7}$/.test(iterationsText)) throw new ScramProtocolError("iteration count is not a number");
    const iterations = Number(iterationsText);
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new ScramProtocolError(`iteration count ${iterations} is outside ${MIN_ITERATIONS}..${MAX_ITERATIONS}`);
    }
    const salt = Buffer.from(saltB64, "base64");
    if (salt.length === 0) throw new ScramProtocolError("empty salt");

    const salted = saltedPassword(this.hash, this.password, salt, iterations);
    const clientKey = this.hmac(salted, "Client Key");
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const channelBinding = Buffer.from(GS2_HEADER).toString("base64");
    const clientFinalWithoutProof = `c=${channelBinding},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
    const clientSignature = this.hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
    const serverKey = this.hmac(salted, "Server Key");
    this.serverSignature = this.hmac(serverKey, authMessage);
    return `${clientFinalWithoutProof},p=${proof.toString("base64")}`;
  }

  /** Checks the server's proof that it knows the password too; false means an impostor. */
  verifyServerFinal(serverFinal: string): boolean {
    if (!this.serverSignature) return false;
    const attrs = parseAttributes(serverFinal);
    // The server's error text travels inside base64: quoted like any other text it chose.
    if (attrs.has("e")) throw new ScramProtocolError(`server error "${quoted(attrs.get("e")!, 200)}"`, attrs.get("e")!.slice(0, 64));
    const verifier = Buffer.from(attrs.get("v") ?? "", "base64");
    return verifier.length === this.serverSignature.length && timingSafeEqual(verifier, this.serverSignature);
  }

  private hmac(key: Buffer, data: string): Buffer {
    return createHmac(this.hash, key).update(data).digest();
  }
}
