// A userspace TCP proxy on loopback that delays every chunk by a fixed one-way delay in each
// direction (order preserved), and logs every chunk it forwards. The kernel's netem is not
// available here; this is how the bench turns "round trips" into time it can measure.
//
// What it can and cannot delay: the client's TCP handshake with the proxy is completed by the
// kernel before the proxy sees the connection, so it is not delayed; everything after it is.
// The proxy connects upstream at once, so the upstream handshake overlaps the first delay. And it
// terminates TCP: each side's peer is the proxy on loopback, which ACKs at once, so effects of
// ACK timing across the delayed path (Nagle holding a write until the peer's delayed ACK) are not
// reproduced.
//
// Timestamps are `performance.timeOrigin + performance.now()` (epoch milliseconds, sub-ms), the
// same clock as Date.now() in this process, so they line up with StanzaLog entries.
import net from "node:net";
import { performance } from "node:perf_hooks";

export type ChunkDir = "c2s" | "s2c";

export interface ChunkRecord {
  dir: ChunkDir;
  bytes: number;
  /** When the proxy read it from the sender. */
  readAt: number;
  /** When the proxy wrote it to the receiver (readAt + delay, or a little later). */
  deliveredAt: number;
  /** The raw bytes, kept only with `keepData` (for the decrypted view). */
  data?: Buffer;
}

export interface ConnectionLog {
  id: number;
  /** When the proxy accepted the client's connection. */
  acceptedAt: number;
  chunks: ChunkRecord[];
  /** When each side's FIN reached the proxy, if it did. */
  clientEndAt?: number;
  serverEndAt?: number;
  closedAt?: number;
}

export interface DelayProxyOptions {
  targetHost: string;
  targetPort: number;
  /** One-way delay, in milliseconds, applied to each direction. */
  delayMs: number;
  keepData?: boolean;
}

export const now = (): number => performance.timeOrigin + performance.now();

/** One direction of one connection: a FIFO of chunks, each released `delay` after it was read. */
class DelayedPipe {
  private queue: { data: Buffer | null; due: number; record?: ChunkRecord }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly to: net.Socket,
    private readonly delayMs: number,
  ) {}

  /** `data === null` forwards the sender's FIN, in order after its data. */
  push(data: Buffer | null, record?: ChunkRecord): void {
    if (this.closed) return;
    const readAt = record?.readAt ?? now();
    if (this.delayMs <= 0 && this.queue.length === 0) {
      this.release(data, record);
      return;
    }
    this.queue.push({ data, due: readAt + this.delayMs, record });
    this.arm();
  }

  destroy(): void {
    this.closed = true;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0].due - now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    // setTimeout may fire up to ~1 ms early relative to our sub-ms clock; allow for it.
    const t = now() + 1;
    while (this.queue.length > 0 && this.queue[0].due <= t) {
      const { data, record } = this.queue.shift()!;
      this.release(data, record);
    }
    this.arm();
  }

  private release(data: Buffer | null, record?: ChunkRecord): void {
    if (this.to.destroyed) return;
    if (data === null) {
      this.to.end();
      return;
    }
    if (record) record.deliveredAt = now();
    this.to.write(data);
  }
}

export class DelayProxy {
  readonly connections: ConnectionLog[] = [];
  private server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextId = 1;
  private listeners: ((log: ConnectionLog) => void)[] = [];
  private delay: number;

  private constructor(private readonly options: DelayProxyOptions) {
    this.delay = options.delayMs;
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => this.accept(client));
  }

  static async start(options: DelayProxyOptions): Promise<DelayProxy> {
    const proxy = new DelayProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get delayMs(): number {
    return this.delay;
  }

  /** The delay for connections accepted from now on (one proxy, one port, several delays). */
  setDelay(ms: number): void {
    this.delay = ms;
  }

  /** Resolves with the log of the next connection once both of its sockets are closed. */
  nextClosed(): Promise<ConnectionLog> {
    return new Promise((resolve) => this.listeners.push(resolve));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const log: ConnectionLog = { id: this.nextId++, acceptedAt: now(), chunks: [] };
    this.connections.push(log);
    const upstream = net.connect({ host: this.options.targetHost, port: this.options.targetPort, noDelay: true, allowHalfOpen: true });
    this.sockets.add(client).add(upstream);
    const delay = this.delay;
    const toServer = new DelayedPipe(upstream, delay);
    const toClient = new DelayedPipe(client, delay);
    const keep = this.options.keepData === true;

    const onData = (dir: ChunkDir, pipe: DelayedPipe) => (data: Buffer) => {
      const record: ChunkRecord = { dir, bytes: data.length, readAt: now(), deliveredAt: Number.NaN };
      if (keep) record.data = Buffer.from(data);
      log.chunks.push(record);
      pipe.push(data, record);
    };
    client.on("data", onData("c2s", toServer));
    upstream.on("data", onData("s2c", toClient));
    client.on("end", () => {
      log.clientEndAt = now();
      toServer.push(null);
    });
    upstream.on("end", () => {
      log.serverEndAt = now();
      toClient.push(null);
    });

    // Half-open sockets: a FIN travels through its pipe like data, so it arrives after the data
    // sent before it. A socket that closes without a FIN (reset, error) is passed on as a FIN too.
    let open = 2;
    const closed = (socket: net.Socket, pipe: DelayedPipe, sawEnd: () => boolean) => () => {
      this.sockets.delete(socket);
      if (!sawEnd()) pipe.push(null);
      if (--open === 0) {
        toServer.destroy();
        toClient.destroy();
        log.closedAt = now();
        for (const listener of this.listeners.splice(0)) listener(log);
      }
    };
    client.on("close", closed(client, toServer, () => log.clientEndAt !== undefined));
    upstream.on("close", closed(upstream, toClient, () => log.serverEndAt !== undefined));
    // Ended both ways but never closed (a peer that keeps its side open): give it a deadline.
    const reap = (socket: net.Socket) => socket.on("finish", () => setTimeout(() => socket.destroy(), delay + 2_000).unref());
    reap(client);
    reap(upstream);
    for (const socket of [client, upstream]) socket.on("error", () => socket.destroy());
  }
}
