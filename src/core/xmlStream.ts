// One XMPP XML stream over one socket (RFC 6120 §4): writes stream headers and elements, parses
// what arrives into a queue the negotiation reads in order, and turns every way the peer can
// misbehave (stream errors, malformed or restricted XML, oversized or deeply nested elements,
// floods, a closed socket) into a SicError that rejects the current and every later read.
import type { Socket } from "node:net";
import { Element, xml } from "@xmpp/xml";
import { SicError } from "./errors";
import type { StanzaRecorder } from "./stanzaLog";
import { NS_STREAMS, streamErrorFrom } from "./streamError";
import { directTlsPortError, malformedXml, writeStalled } from "./streamFailures";
import { DEFAULT_STREAM_LIMITS, InputGuard, LimitedParser, type StreamLimits } from "./streamLimits";
import { quotedName } from "./text";

export { DEFAULT_STREAM_LIMITS, type StreamLimits } from "./streamLimits";
export { NS_STREAMS, NS_STREAM_ERRORS, streamErrorFrom } from "./streamError";

/** Bytes of ours waiting to be written past which answers to the server's own requests are dropped. */
export const WRITE_HIGH_WATER = 64 * 1024;
/** How long that much may wait before the server is taken to have stopped reading. */
export const WRITE_STALL_MS = 3_000;

type Waiter = { resolve: (el: Element) => void; reject: (err: SicError) => void };

export class XmlStream {
  /** What the negotiation is doing, for messages such as "closed the connection while authenticating". */
  phase = "connecting";
  private socket: Socket;
  private parser!: LimitedParser;
  /** Fatal: invalid UTF-8 is malformed XML (RFC 6120 §11.6), not text to be patched with U+FFFD. */
  private decoder = new TextDecoder("utf-8", { fatal: true });
  private readonly guard: InputGuard;
  private stallTimer: NodeJS.Timeout | undefined;
  /** Answers to the server's requests not written because it was not reading. */
  private dropped = 0;
  /** A trailing "?" kept for the next chunk (see receive). */
  private heldBack = "";
  private queue: Element[] = [];
  private waiters: Waiter[] = [];
  private headerWaiter: Waiter | null = null;
  private header: Element | null = null;
  private failure: SicError | null = null;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onDrain = () => void (clearTimeout(this.stallTimer), (this.stallTimer = undefined));
  private readonly onClose = () =>
    this.fail(this.tlsPortError("closed the connection") ?? new SicError("connect", `The server closed the connection while ${this.phase}.`));
  private readonly onError = (err: NodeJS.ErrnoException) =>
    this.fail(
      this.tlsPortError(`reset the connection (${err.code ?? err.message})`) ??
        new SicError("connect", `The connection failed while ${this.phase}: ${err.code ?? err.message}.`, { cause: err }),
    );
  /** Whether the server has sent anything at all on this connection. */
  private heardAnything = false;
  private tlsPortError(what: string, chunk?: Buffer): SicError | undefined {
    const encrypted = (this.socket as { encrypted?: boolean }).encrypted === true;
    return directTlsPortError({ encrypted, heardAnything: this.heardAnything, phase: this.phase, remotePort: this.socket.remotePort }, what, chunk);
  }

  constructor(
    socket: Socket,
    private readonly domain: string,
    private readonly recorder: StanzaRecorder,
    private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  ) {
    this.socket = socket;
    this.guard = new InputGuard(limits);
    this.attach(socket);
    this.resetParser();
  }

  get currentSocket(): Socket {
    return this.socket;
  }

  /**
   * Sends a stream header (and, pipelining, whatever may follow it without waiting, in the same
   * write) and waits for the server's header and then its features.
   */
  async open(from?: string, alsoSend: readonly Element[] = []): Promise<Element> {
    // A restart discards the old stream: nothing read before it may be taken as part of the new one.
    this.queue = [];
    this.resetParser();
    const header = xml("stream:stream", {
      to: this.domain,
      ...(from ? { from } : {}),
      version: "1.0",
      "xml:lang": "en",
      xmlns: "jabber:client",
      "xmlns:stream": NS_STREAMS,
    });
    this.recorder.streamHeader("out", header);
    for (const el of alsoSend) this.recorder.element("out", el);
    // No XML declaration: it is optional, and it must be the very first character of the stream,
    // which a whitespace keepalive written just before a restart (see tls.ts) would break.
    this.write(`${header.toString().slice(0, -2)}>${alsoSend.join("")}`);
    await this.nextHeader();
    const features = await this.next();
    if (!features.is("features", NS_STREAMS)) {
      throw new SicError("bad-reply", `The server sent <${quotedName(features.name)}> where stream features were expected.`);
    }
    return features;
  }

  /** Whether the stream can still be used (not failed, not closed). */
  get isOpen(): boolean {
    return this.failure === null && !this.socket.destroyed;
  }

  /** A whitespace keepalive (RFC 6120 §4.6.1) for an idle stream kept open. */
  keepAlive(): void {
    this.write(" ");
  }

  send(el: Element): void {
    this.recorder.element("out", el);
    this.write(el.toString());
  }

  /**
   * Sends an element only while the server reads what we write (an answer to its own request):
   * a server that sends requests and stops reading must not grow our buffers. False when dropped.
   */
  sendIfReading(el: Element): boolean {
    if (this.socket.writableLength < WRITE_HIGH_WATER) {
      this.send(el);
      return true;
    }
    if (this.dropped++ === 0) this.recorder.note("out", "other", "The server is not reading: its requests are no longer answered.");
    return false;
  }

  /** The next element from the server, in order. */
  next(): Promise<Element> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Swaps the transport after STARTTLS; the stream restarts over the new socket. */
  upgrade(secureSocket: Socket): void {
    this.detach(this.socket);
    this.socket = secureSocket;
    this.attach(secureSocket);
  }

  /**
   * Stops reading the plain socket while TLS takes it over. Anything the server sent after
   * <proceed/> in clear would be injected into the secure stream (CVE-2011-0411 style): refuse it.
   */
  releaseSocket(): Socket {
    this.detach(this.socket);
    if (this.queue.length > 0) {
      this.fail(new SicError("tls", "The server sent unencrypted data after agreeing to start TLS; refusing a possible injection attack."));
      throw this.failure;
    }
    return this.socket;
  }

  /** Fails every pending and later read, and drops the connection. */
  abort(err: SicError): void {
    this.fail(err);
  }

  /**
   * Closes politely (footer, FIN) without waiting for the peer: nothing the server says after the
   * answer matters, and waiting for its </stream:stream> costs the user a round trip (ejabberd
   * sometimes takes 100 ms). Its close is awaited in the background for at most `graceMs`, then
   * the socket is destroyed; the socket never keeps anything else waiting.
   */
  async close(graceMs = 500): Promise<void> {
    const socket = this.socket;
    if (!socket.destroyed && !this.failure && socket.writable) {
      this.recorder.streamFooter("out");
      socket.end("</stream:stream>");
    }
    this.failure ??= new SicError("connect", "The stream is closed.");
    clearTimeout(this.stallTimer);
    this.rejectAll(this.failure);
    if (socket.destroyed) {
      this.detach(socket);
      return;
    }
    const timer = setTimeout(() => socket.destroy(), graceMs);
    socket.once("close", () => {
      clearTimeout(timer);
      this.detach(socket);
    });
  }

  private write(text: string): void {
    if (this.failure || this.socket.destroyed) return;
    this.socket.write(text);
    if (this.socket.writableLength >= WRITE_HIGH_WATER && !this.stallTimer) {
      this.stallTimer = setTimeout(() => this.fail(writeStalled(this.socket.writableLength, WRITE_STALL_MS, this.phase)), WRITE_STALL_MS);
    }
  }

  private nextHeader(): Promise<Element> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.header) return Promise.resolve(this.header);
    return new Promise((resolve, reject) => (this.headerWaiter = { resolve, reject }));
  }

  private resetParser(): void {
    this.parser?.removeAllListeners();
    this.header = null;
    this.heldBack = "";
    this.guard.reset();
    const parser = new LimitedParser(this.limits);
    parser.on("start", (el) => {
      this.header = el;
      this.guard.elementDone();
      this.recorder.streamHeader("in", el);
      this.headerWaiter?.resolve(el);
      this.headerWaiter = null;
    });
    parser.on("element", (el) => this.deliver(el));
    parser.on("end", () => {
      this.recorder.streamFooter("in");
      this.fail(new SicError("stream-error", `The server closed the XMPP stream while ${this.phase}.`));
    });
    parser.on("error", (err) => this.fail(malformedXml(err, this.phase)));
    this.parser = parser;
  }

  private receive(chunk: Buffer): void {
    if (this.failure) return;
    const tlsReply = this.tlsPortError("answered with TLS", chunk);
    if (tlsReply) return this.fail(tlsReply);
    this.heardAnything = true;
    let text: string;
    try {
      text = this.heldBack + this.decoder.decode(chunk, { stream: true });
    } catch (err) {
      this.fail(new SicError("bad-reply", `The server sent invalid UTF-8 while ${this.phase}.`, { cause: err }));
      return;
    }
    // The parser ends a processing instruction (the XML declaration) only when its "?" and ">"
    // arrive in one write; split between chunks, it would swallow the stream header for good.
    this.heldBack = text.endsWith("?") ? "?" : "";
    if (this.heldBack) text = text.slice(0, -1);
    if (text.length === 0) return;
    try {
      const feed = this.guard.admit(text, this.parser.depth === 1, this.phase);
      if (feed.length > 0) this.parser.write(feed);
    } catch (err) {
      this.fail(err instanceof SicError ? err : malformedXml(err as Error, this.phase));
    }
  }

  private deliver(el: Element): void {
    this.guard.elementDone();
    this.recorder.element("in", el);
    if (el.is("error", NS_STREAMS)) {
      this.fail(streamErrorFrom(el, this.phase));
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(el);
      return;
    }
    if (this.queue.length >= this.limits.maxQueued) {
      this.fail(new SicError("bad-reply", `The server flooded the stream with more than ${this.limits.maxQueued} unread elements.`));
      return;
    }
    this.queue.push(el);
  }

  private fail(err: SicError): void {
    if (this.failure) return;
    this.failure = err;
    this.queue = [];
    clearTimeout(this.stallTimer);
    this.rejectAll(err);
    this.parser.removeAllListeners();
    this.socket.destroy();
  }

  private rejectAll(err: SicError): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(err);
    this.headerWaiter?.reject(err);
    this.headerWaiter = null;
  }

  private attach(socket: Socket): void {
    socket.on("data", this.onData);
    socket.on("drain", this.onDrain);
    socket.on("close", this.onClose);
    socket.on("error", this.onError);
  }

  private detach(socket: Socket): void {
    socket.off("data", this.onData);
    socket.off("drain", this.onDrain);
    socket.off("close", this.onClose);
    socket.off("error", this.onError);
  }
}
