// An XMPP server that misbehaves on purpose, for the hardening tests. Node built-ins only: real TCP
// on loopback, STARTTLS or direct TLS with the test bed's certificate (scripts/testbed/certs.ts),
// SASL PLAIN and a real SCRAM-SHA-1/-256 server side, resource binding, disco#info and XEP-0279
// answers; each scenario overrides one step through a hook to do what a hostile or broken server
// would. Everything the client sent (decrypted) is kept, so a test can prove what never arrived.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { makeCertificates, type Certs } from "../../scripts/testbed/certs";

export const NS_STREAMS = "http://etherx.jabber.org/streams";
export const NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
export const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
export const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
export const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_SIC_1 = "urn:xmpp:sic:1";
export const NS_SIC_0 = "urn:xmpp:sic:0";

export const DOMAIN = "localhost";
export const USER = "alice";
/** Distinctive, with characters that need escaping and several UTF-8 lengths. */
export const PASSWORD = "Sïc-h4rd&n\"ng<é>-🔑-Zq7xW2";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Certificates: made once per process with the test bed's openssl recipe, removed at exit.

let certificates: Promise<Certs> | undefined;

export function testCertificates(): Promise<Certs> {
  certificates ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmpp-sic-adversarial-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return makeCertificates(dir);
  })();
  return certificates;
}

// ---------------------------------------------------------------------------------------------
// A framer for what our client sends: stream headers, the stream footer, and whole top-level
// elements. The client's serialiser escapes '<' and '>' in text and attributes, so tags can be
// found by '<' ... '>' alone.

export type Item =
  | { kind: "header"; raw: string; attrs: Record<string, string> }
  | { kind: "close" }
  | { kind: "element"; raw: string; name: string; attrs: Record<string, string>; inner: string; child: { name: string; attrs: Record<string, string> } | null };

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s=<>/]+)\s*=\s*(["'])(.*?)\2/g)) attrs[m[1]!] = unescape(m[3]!);
  return attrs;
}

export function unescape(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" })[e]!);
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function elementEnd(text: string): number {
  const tags = /<(\/?)[^>]*?(\/?)>/g;
  let depth = 0;
  for (let m = tags.exec(text); m; m = tags.exec(text)) {
    if (m[1]) depth--;
    else if (!m[2]) depth++;
    if (depth <= 0) return tags.lastIndex;
  }
  return -1;
}

function parseElement(raw: string): Item {
  const open = /^<([^\s/>]+)([^>]*?)(\/?)>/.exec(raw)!;
  const name = open[1]!;
  const inner = open[3] ? "" : raw.slice(open[0].length, raw.lastIndexOf("</"));
  const childTag = /^\s*<([^\s/>!?]+)([^>]*?)\/?>/.exec(inner);
  return {
    kind: "element",
    raw,
    name,
    attrs: attributes(open[2]!),
    inner,
    child: childTag ? { name: childTag[1]!, attrs: attributes(childTag[2]!) } : null,
  };
}

class Framer {
  private buffer = "";

  push(text: string): Item[] {
    this.buffer += text;
    const items: Item[] = [];
    for (;;) {
      const s = this.buffer.replace(/^\s+/, "");
      this.buffer = s;
      if (!s) break;
      if (s.startsWith("<?")) {
        const end = s.indexOf("?>");
        if (end < 0) break;
        this.buffer = s.slice(end + 2);
      } else if (s.startsWith("</stream:stream")) {
        const end = s.indexOf(">");
        if (end < 0) break;
        items.push({ kind: "close" });
        this.buffer = s.slice(end + 1);
      } else if (s.startsWith("<stream:stream")) {
        const end = s.indexOf(">");
        if (end < 0) break;
        const raw = s.slice(0, end + 1);
        items.push({ kind: "header", raw, attrs: attributes(raw) });
        this.buffer = s.slice(end + 1);
      } else {
        const end = elementEnd(s);
        if (end < 0) break;
        items.push(parseElement(s.slice(0, end)));
        this.buffer = s.slice(end);
      }
    }
    return items;
  }

  reset(): void {
    this.buffer = "";
  }
}

// ---------------------------------------------------------------------------------------------
// SCRAM, server side (RFC 5802 / RFC 7677), so our client's SCRAM runs against a real peer.

export type ScramHash = "sha1" | "sha256";

export interface ScramOptions {
  /** The iteration count as sent, so absurd values can be any text. Default 4096. */
  iterations?: string;
  /** Send a server signature that does not match (an impostor that does not know the password). */
  wrongServerSignature?: boolean;
  /** Answer a correct proof with this server-error text (e=...) instead of a signature; it travels in base64. */
  serverError?: string;
}

class ScramServer {
  private clientFirstBare = "";
  private serverFirst = "";
  private nonce = "";
  private readonly salt = randomBytes(16);

  constructor(
    private readonly hash: ScramHash,
    private readonly password: string,
    private readonly options: ScramOptions,
  ) {}

  /** client-first → server-first, or null when the message is not one. */
  first(clientFirst: string): string | null {
    const m = /^n,[^,]*,(n=([^,]*),r=([^,]+).*)$/.exec(clientFirst);
    if (!m) return null;
    this.clientFirstBare = m[1]!;
    this.nonce = m[3]! + randomBytes(12).toString("base64");
    this.serverFirst = `r=${this.nonce},s=${this.salt.toString("base64")},i=${this.options.iterations ?? "4096"}`;
    return this.serverFirst;
  }

  /** client-final → server-final (v=...), or null when the proof is wrong. */
  final(clientFinal: string): string | null {
    const at = clientFinal.lastIndexOf(",p=");
    if (at < 0) return null;
    const withoutProof = clientFinal.slice(0, at);
    if (!withoutProof.includes(`r=${this.nonce}`)) return null;
    const proof = Buffer.from(clientFinal.slice(at + 3), "base64");
    const iterations = Number(this.options.iterations ?? "4096");
    const keyLength = this.hash === "sha1" ? 20 : 32;
    const salted = pbkdf2Sync(this.password.normalize("NFKC"), this.salt, iterations, keyLength, this.hash);
    const hmac = (key: Buffer, data: string) => createHmac(this.hash, key).update(data).digest();
    const clientKey = hmac(salted, "Client Key");
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    if (proof.length !== signature.length) return null;
    const recovered = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) recovered[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(createHash(this.hash).update(recovered).digest(), storedKey)) return null;
    if (this.options.serverError !== undefined) return `e=${this.options.serverError}`;
    const serverSignature = this.options.wrongServerSignature
      ? randomBytes(keyLength)
      : hmac(hmac(salted, "Server Key"), authMessage);
    return `v=${serverSignature.toString("base64")}`;
  }
}

// ---------------------------------------------------------------------------------------------
// One client connection as the server sees it.

export interface Query {
  id: string;
  /** "address" or "ip" */
  element: string;
  namespace: string;
  iq: Extract<Item, { kind: "element" }>;
}

export type Stage = "plain" | "tls" | "authenticated";

export class Conn {
  /** Everything the client sent, decrypted. */
  received = "";
  readonly items: Item[] = [];
  /** The full JID bound for this connection, once bound. */
  boundJid = "";
  closed = false;
  /** Writes made so far (each flushed before the next when dribbling). */
  writes = 0;
  /** When the connection was accepted (Date.now(), comparable with other processes' clocks). */
  readonly acceptedAt = Date.now();
  private socket: net.Socket;
  private readonly framer = new Framer();
  private waiting: { resolve: (item: Item) => void; reject: (err: Error) => void } | null = null;
  private readonly onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    this.received += text;
    for (const item of this.framer.push(text)) {
      if (this.waiting) {
        const { resolve } = this.waiting;
        this.waiting = null;
        resolve(item);
      } else {
        this.items.push(item);
      }
    }
  };
  private readonly onClose = () => {
    this.closed = true;
    this.waiting?.reject(new Error("client closed the connection"));
    this.waiting = null;
  };

  constructor(
    socket: net.Socket,
    private readonly server: AdversarialServer,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  /** The client's address and port as this server sees them (what XEP-0279 reports). */
  get remote(): { ip: string; port: number } {
    const ip = this.socket.remoteAddress ?? "unknown";
    return { ip: ip.replace(/^::ffff:(?=\d+\.)/, ""), port: this.socket.remotePort ?? 0 };
  }

  get certs(): Certs {
    return this.server.certs;
  }

  /** The next thing the client sends: a header, the footer or a whole element. */
  next(): Promise<Item> {
    const queued = this.items.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.reject(new Error("client closed the connection"));
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async nextElement(): Promise<Extract<Item, { kind: "element" }>> {
    for (;;) {
      const item = await this.next();
      if (item.kind === "element") return item;
      if (item.kind === "close") throw new Error("client closed the stream");
    }
  }

  send(text: string | Buffer): Promise<void> {
    const dribble = this.server.script.dribble;
    if (dribble && !this.dribbling) return this.dribble(text.toString(), dribble.bytes, dribble.gapMs).then(() => {});
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve();
    this.writes++;
    return new Promise((resolve) => this.socket.write(text, () => resolve()));
  }

  private dribbling = false;

  /** Sends `text` a few bytes at a time (splitting UTF-8 sequences), each write flushed and spaced. */
  async dribble(text: string, bytesPerWrite = 1, gapMs = 1): Promise<number> {
    const bytes = Buffer.from(text, "utf8");
    let writes = 0;
    this.dribbling = true;
    try {
      for (let at = 0; at < bytes.length && !this.socket.destroyed; at += bytesPerWrite) {
        await this.send(bytes.subarray(at, at + bytesPerWrite));
        writes++;
        if (gapMs > 0) await sleep(gapMs);
        else await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.dribbling = false;
    }
    return writes;
  }

  header(): Promise<void> {
    return this.send(
      `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAMS}' ` +
        `id='${randomBytes(6).toString("hex")}' from='${DOMAIN}' version='1.0' xml:lang='en'>`,
    );
  }

  /** A stream error with a condition (and text), then the footer and a half-close. */
  async streamError(condition: string, text?: string): Promise<void> {
    await this.send(
      `<stream:error><${condition} xmlns='${NS_STREAM_ERRORS}'/>` +
        (text ? `<text xmlns='${NS_STREAM_ERRORS}'>${escape(text)}</text>` : "") +
        `</stream:error></stream:stream>`,
    );
    this.socket.end();
  }

  /** An IQ result to `id` with this payload, from the server (or whoever `from` says). */
  result(id: string, payload: string, from?: string): Promise<void> {
    const attrs = `type='result' id='${escape(id)}'${from ? ` from='${escape(from)}'` : ""}${this.boundJid ? ` to='${escape(this.boundJid)}'` : ""}`;
    return this.send(`<iq ${attrs}>${payload}</iq>`);
  }

  /** An IQ error to `id` with a stanza error condition (and text). */
  error(id: string, condition: string, options: { type?: string; text?: string; echo?: string } = {}): Promise<void> {
    const text = options.text ? `<text xmlns='${NS_STANZAS}'>${escape(options.text)}</text>` : "";
    return this.send(
      `<iq type='error' id='${escape(id)}'>${options.echo ?? ""}<error type='${options.type ?? "cancel"}'>` +
        `<${condition} xmlns='${NS_STANZAS}'/>${text}</error></iq>`,
    );
  }

  /** The genuine XEP-0279 answer for this query's shape, with what the socket really shows. */
  genuineAnswer(query: Query): string {
    const { ip, port } = this.remote;
    if (query.element === "ip") return `<ip xmlns='${query.namespace}'>${ip}</ip>`;
    const portPart = query.namespace === NS_SIC_1 ? `<port>${port}</port>` : "";
    return `<address xmlns='${query.namespace}'><ip>${ip}</ip>${portPart}</address>`;
  }

  /** Ends the TCP connection at once (RST-like: no footer, no FIN handshake wait). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Stops reading what the client sends (its writes then back up: kernel buffers, then its own). */
  pauseReading(): void {
    this.socket.pause();
    // A paused TLS socket still reads from TCP into its own buffers: stop the handle itself.
    (this.socket as net.Socket & { _handle?: { readStop?: () => void } })._handle?.readStop?.();
  }

  /** FIN without a stream footer. */
  end(): void {
    this.socket.end();
  }

  /** Swaps to TLS (STARTTLS after <proceed/>, or direct TLS at once); resolves once secured. */
  async startTls(): Promise<boolean> {
    const plain = this.socket;
    this.detach(plain);
    this.framer.reset();
    const secure = new tls.TLSSocket(plain, {
      isServer: true,
      secureContext: this.server.secureContext,
      ALPNProtocols: ["xmpp-client"],
    });
    this.socket = secure;
    this.attach(secure);
    return new Promise((resolve) => {
      secure.once("secure", () => resolve(true));
      // The client refusing our certificate ends here: no error may escape the server.
      secure.once("error", () => resolve(false));
      secure.once("close", () => resolve(false));
    });
  }

  private attach(socket: net.Socket): void {
    socket.on("data", this.onData);
    socket.on("close", this.onClose);
    socket.on("error", () => {});
  }

  private detach(socket: net.Socket): void {
    socket.off("data", this.onData);
    socket.off("close", this.onClose);
  }
}

// ---------------------------------------------------------------------------------------------
// The script: the server's defaults, and the hooks through which a scenario misbehaves. A hook
// returns true when it handled the step itself (the default is then skipped).

type Hook<A extends unknown[]> = (c: Conn, ...args: A) => Promise<boolean | void> | boolean | void;

export interface Script {
  /** starttls (default): STARTTLS required; direct: TLS from the first byte; plain: never offers TLS. */
  transport?: "starttls" | "direct" | "plain";
  /** Offered SASL mechanisms, in order. Default ["PLAIN"]. */
  mechanisms?: string[];
  /** Accounts: user → password. Default alice with PASSWORD. */
  users?: Record<string, string>;
  scram?: ScramOptions;
  /** disco#info features; "error" answers disco#info with service-unavailable. */
  discoFeatures?: string[] | "error";
  /** Extra text inside the disco#info result (identities, ...). */
  discoExtra?: string;
  /** Send everything (headers, features, SASL, stanzas) this many bytes at a time, each write flushed. */
  dribble?: { bytes: number; gapMs: number };
  /** Listen on this loopback address (default 127.0.0.1). */
  host?: string;

  /** After the client's stream header at each stage, before ours. */
  onHeader?: Hook<[Stage]>;
  /** The client's <auth/>. */
  onAuth?: Hook<[Extract<Item, { kind: "element" }>]>;
  /** After the bind result was sent. */
  afterBind?: Hook<[]>;
  /** A disco#info request. */
  onDisco?: Hook<[Extract<Item, { kind: "element" }>]>;
  /** An XEP-0279 query. */
  onQuery?: Hook<[Query]>;
  /** Any other iq get/set (disco#items, a proxy's streamhost query, …); default: service-unavailable. */
  onIq?: Hook<[Extract<Item, { kind: "element" }>]>;
}

const DEFAULT_FEATURES = [NS_DISCO_INFO, NS_SIC_1, NS_SIC_0];

export class AdversarialServer {
  readonly connections: Conn[] = [];
  readonly queries: Query[] = [];
  /** Errors the server's own script hit (never thrown: a hostile server does not crash the test). */
  readonly errors: string[] = [];
  port = 0;
  readonly host: string;
  private readonly listener: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly script: Script,
    readonly certs: Certs,
    readonly secureContext: tls.SecureContext,
  ) {
    this.host = script.host ?? "127.0.0.1";
    this.listener = net.createServer((socket) => this.accept(socket));
  }

  static async start(script: Script = {}): Promise<AdversarialServer> {
    const certs = await testCertificates();
    const context = tls.createSecureContext({ cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) });
    const server = new AdversarialServer(script, certs, context);
    await new Promise<void>((resolve, reject) => {
      server.listener.once("error", reject);
      server.listener.listen({ host: server.host, port: 0 }, () => resolve());
    });
    server.port = (server.listener.address() as net.AddressInfo).port;
    return server;
  }

  /** Everything every connection sent, decrypted. */
  get received(): string {
    return this.connections.map((c) => c.received).join("\n");
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
    const conn = new Conn(socket, this);
    this.connections.push(conn);
    this.serve(conn).catch((err: Error) => {
      if (!conn.closed) this.errors.push(err.message);
      conn.destroy();
    });
  }

  private async serve(c: Conn): Promise<void> {
    const s = this.script;
    const transport = s.transport ?? "starttls";
    const mechanisms = s.mechanisms ?? ["PLAIN"];
    const mechanismsXml = `<mechanisms xmlns='${NS_SASL}'>${mechanisms.map((m) => `<mechanism>${m}</mechanism>`).join("")}</mechanisms>`;

    if (transport === "direct" && !(await c.startTls())) return;
    await this.expectHeader(c);
    if (await s.onHeader?.(c, transport === "direct" ? "tls" : "plain")) return;
    await c.header();
    if (transport === "starttls") {
      await c.send(`<stream:features><starttls xmlns='${NS_TLS}'><required/></starttls></stream:features>`);
      const starttls = await c.nextElement();
      if (starttls.name !== "starttls") throw new Error(`expected <starttls/>, got <${starttls.name}>`);
      await c.send(`<proceed xmlns='${NS_TLS}'/>`);
      if (!(await c.startTls())) return;
      await this.expectHeader(c);
      if (await s.onHeader?.(c, "tls")) return;
      await c.header();
    }
    await c.send(`<stream:features>${mechanismsXml}</stream:features>`);

    const auth = await c.nextElement();
    if (await s.onAuth?.(c, auth)) return;
    if (!(await this.authenticate(c, auth))) return;

    await this.expectHeader(c);
    if (await s.onHeader?.(c, "authenticated")) return;
    await c.header();
    await c.send(
      `<stream:features><bind xmlns='${NS_BIND}'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>`,
    );
    const bind = await c.nextElement();
    const resource = /<resource>([^<]*)<\/resource>/.exec(bind.inner)?.[1] ?? "r";
    c.boundJid = `${USER}@${DOMAIN}/${unescape(resource)}`;
    await c.result(bind.attrs.id ?? "", `<bind xmlns='${NS_BIND}'><jid>${escape(c.boundJid)}</jid></bind>`);
    if (await s.afterBind?.(c)) return;

    for (;;) {
      const item = await c.next();
      if (item.kind === "close") {
        await c.send("</stream:stream>");
        c.end();
        return;
      }
      if (item.kind !== "element" || item.name !== "iq" || !item.child) continue;
      const { id = "" } = item.attrs;
      const child = item.child;
      if (child.attrs.xmlns === NS_DISCO_INFO) {
        if (await s.onDisco?.(c, item)) continue;
        if (s.discoFeatures === "error") {
          await c.error(id, "service-unavailable");
        } else {
          const features = (s.discoFeatures ?? DEFAULT_FEATURES).map((f) => `<feature var='${f}'/>`).join("");
          await c.result(id, `<query xmlns='${NS_DISCO_INFO}'><identity category='server' type='im'/>${s.discoExtra ?? ""}${features}</query>`, DOMAIN);
        }
      } else if (child.attrs.xmlns === NS_SIC_1 || child.attrs.xmlns === NS_SIC_0) {
        const query: Query = { id, element: child.name, namespace: child.attrs.xmlns, iq: item };
        this.queries.push(query);
        if (await s.onQuery?.(c, query)) continue;
        await c.result(id, c.genuineAnswer(query));
      } else if (item.attrs.type === "get" || item.attrs.type === "set") {
        if (await s.onIq?.(c, item)) continue;
        await c.error(id, "service-unavailable");
      }
    }
  }

  private async expectHeader(c: Conn): Promise<void> {
    const item = await c.next();
    if (item.kind !== "header") throw new Error(`expected a stream header, got ${item.kind}`);
  }

  /** Runs the mechanism the client chose; true on success. */
  private async authenticate(c: Conn, auth: Extract<Item, { kind: "element" }>): Promise<boolean> {
    const users = this.script.users ?? { [USER]: PASSWORD };
    const mechanism = auth.attrs.mechanism ?? "";
    const failure = async (condition = "not-authorized") => {
      await c.send(`<failure xmlns='${NS_SASL}'><${condition}/></failure>`);
      return false;
    };
    if (auth.name !== "auth") throw new Error(`expected <auth/>, got <${auth.name}>`);
    if (!(this.script.mechanisms ?? ["PLAIN"]).includes(mechanism)) return failure("invalid-mechanism");
    const initial = Buffer.from(auth.inner, "base64").toString("utf8");
    if (mechanism === "PLAIN") {
      const [, user = "", password = ""] = initial.split("\0");
      if (users[user] === undefined || users[user] !== password) return failure();
      await c.send(`<success xmlns='${NS_SASL}'/>`);
      return true;
    }
    const hash: ScramHash | null = mechanism === "SCRAM-SHA-1" ? "sha1" : mechanism === "SCRAM-SHA-256" ? "sha256" : null;
    if (!hash) return failure("invalid-mechanism");
    const user = /,n=([^,]*),/.exec(initial)?.[1] ?? "";
    const password = users[user];
    if (password === undefined) return failure();
    const scram = new ScramServer(hash, password, this.script.scram ?? {});
    const serverFirst = scram.first(initial);
    if (!serverFirst) return failure("malformed-request");
    await c.send(`<challenge xmlns='${NS_SASL}'>${Buffer.from(serverFirst).toString("base64")}</challenge>`);
    const response = await c.nextElement();
    if (response.name !== "response") return false;
    const serverFinal = scram.final(Buffer.from(response.inner, "base64").toString("utf8"));
    if (!serverFinal) return failure();
    await c.send(`<success xmlns='${NS_SASL}'>${Buffer.from(serverFinal).toString("base64")}</success>`);
    return true;
  }
}
