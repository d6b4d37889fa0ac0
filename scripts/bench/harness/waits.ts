// Counting a client's waits from the delay proxy's log of one connection.
//
// The timeline is the client's: it sends a chunk when the proxy reads it (loopback: at once), and
// receives a server chunk when the proxy delivers it. Consecutive chunks in one direction, with
// nothing in the other direction between them, form a flight. A *wait* is a client flight that
// follows a server flight, i.e. each time the client sends after having received data from the
// server since its previous send. The TCP handshake is not part of the log (see delayProxy.ts).
//
// Kinds of client flights that follow a server flight:
// - "ack": only whitespace (decrypted view), or, without one, only TLS 1.3 records with one byte
//   of data each, once TLS is up. xmpp-sic writes one space per TLS 1.3 session ticket so that
//   the ticket's TCP ACK leaves at once (see src/core/tls.ts); a 1-byte TLS 1.3 record is 23 B
//   of ciphertext (5 header + 1 data + 1 content type + 16 tag). The client waits for nothing
//   there, but a naive count sees a wait.
// - "close": only the client's stream close and/or TLS close_notify (after the answer); without a
//   decrypted view, any client flight after the answer.
// - "real": anything else: the client needed the server's flight to go on.
import type { ChunkRecord, ConnectionLog } from "./delayProxy";
import { describeItems, type ConnectionView, type Item } from "./tlsView";

export const ACK_MAX_BYTES = 30;

export type FlightKind = "first" | "real" | "ack" | "close" | "server";

export interface Flight {
  dir: "c2s" | "s2c";
  /** Client's clock: when the first chunk was sent (c2s) or received (s2c), ms after accept. */
  at: number;
  bytes: number;
  chunks: number;
  /** From the flight's first chunk to its last, ms (a server flight in pieces: e.g. Nagle holding a write). */
  span: number;
  /**
   * The sender's own time before this flight: from the delivery to it of the last chunk from the
   * other side that had arrived when it sent this flight's first chunk, to that first chunk. Client
   * flights: the client's processing; server flights: the server's (both independent of the
   * delay). NaN for the first flight, or when nothing had arrived yet.
   */
  senderMs: number;
  kind: FlightKind;
  /** What the flight carried, when the decrypted view is available. */
  content: string;
  /** A server flight that carries the XEP-0279 answer. */
  answer: boolean;
}

export interface WaitCount {
  flights: Flight[];
  /** Client flights after a server flight, over the whole connection, by kind. */
  total: { real: number; ack: number; close: number };
  /** The same, counting only client flights that start before the answer reaches the client. */
  toAnswer: { real: number; ack: number };
  /** Client's clock, ms after accept; null when no answer was identified. */
  answerAt: number | null;
  /** Up to the answer: the client's and the server's own time on the critical path (sums of senderMs), ms. */
  clientMs: number;
  serverMs: number;
  /** How the answer was found: "decrypted", "stanza log" or "last server flight before close". */
  answerFoundBy: string;
  decrypted: boolean;
}

interface Event {
  dir: "c2s" | "s2c";
  at: number;
  chunk: ChunkRecord;
  items: Item[] | null;
}

/** The XEP-0279 payload of a result (a disco#info result merely lists the namespaces as features). */
const ANSWER = /<(address|ip)\b[^>]*\bxmlns=['"]urn:xmpp:sic:[01]['"]/;

export function countWaits(log: ConnectionLog, view: ConnectionView | null, opts: { answerAtEpochMs?: number } = {}): WaitCount {
  const itemsOf = new Map<ChunkRecord, Item[]>();
  if (view?.decrypted) for (const v of view.chunks) itemsOf.set(v.chunk, v.items);
  const decrypted = itemsOf.size > 0;

  const events: Event[] = log.chunks
    .map((chunk) => ({
      dir: chunk.dir,
      at: (chunk.dir === "c2s" ? chunk.readAt : chunk.deliveredAt) - log.acceptedAt,
      chunk,
      items: itemsOf.get(chunk) ?? null,
    }))
    .filter((e) => Number.isFinite(e.at))
    .sort((a, b) => a.at - b.at);

  const groups: Event[][] = [];
  for (const e of events) {
    const last = groups[groups.length - 1];
    if (last && last[0].dir === e.dir) last.push(e);
    else groups.push([e]);
  }

  let tlsSeen = false;
  const flights: Flight[] = groups.map((group, index) => {
    // On the sender's clock: the last chunk from the other side that had reached it when it sent this flight.
    const sentAt = group[0].chunk.readAt;
    let lastHeard = Number.NaN;
    for (const c of log.chunks) {
      if (c.dir !== group[0].dir && c.deliveredAt <= sentAt && !(c.deliveredAt <= lastHeard)) lastHeard = c.deliveredAt;
    }
    const senderMs = index > 0 ? sentAt - lastHeard : Number.NaN;
    const dir = group[0].dir;
    const items = group.flatMap((e) => e.items ?? []);
    const bytes = group.reduce((n, e) => n + e.chunk.bytes, 0);
    const content = decrypted ? describeItems(items) : "";
    let kind: FlightKind;
    if (dir === "s2c") kind = "server";
    else if (index === 0) kind = "first";
    else kind = classify(group, items, decrypted, tlsSeen);
    if (group.some((e) => e.chunk.data?.[0] === 0x16 || e.items?.some((i) => i.kind === "handshake"))) tlsSeen = true;
    const answer = dir === "s2c" && decrypted && items.some((i) => i.kind === "app" && ANSWER.test(i.text) && /type=['"]result['"]/.test(i.text));
    const span = group[group.length - 1].at - group[0].at;
    return { dir, at: group[0].at, bytes, chunks: group.length, span, senderMs, kind, content, answer };
  });

  let answerIndex = flights.findIndex((f) => f.answer);
  let answerFoundBy = "decrypted";
  if (answerIndex < 0 && opts.answerAtEpochMs !== undefined) {
    // The last server flight the client had received when it logged the answer.
    const at = opts.answerAtEpochMs - log.acceptedAt;
    answerIndex = findLastIndex(flights, (f) => f.dir === "s2c" && f.at <= at + 1);
    answerFoundBy = "stanza log";
  }
  if (answerIndex < 0) {
    // The server flight before the client's last flight that is not an acknowledgement.
    const lastClient = findLastIndex(flights, (f) => f.dir === "c2s" && f.kind !== "ack");
    answerIndex = findLastIndex(flights.slice(0, Math.max(0, lastClient)), (f) => f.dir === "s2c");
    answerFoundBy = "last server flight before the client's last flight";
  }
  if (answerIndex >= 0 && !flights[answerIndex].answer) flights[answerIndex].answer = true;
  // Without a decrypted view the close cannot be read; whatever the client sends after the answer is taken for it.
  if (!decrypted && answerIndex >= 0) {
    for (const f of flights.slice(answerIndex + 1)) if (f.dir === "c2s" && f.kind === "real") f.kind = "close";
  }

  const total = { real: 0, ack: 0, close: 0 };
  const toAnswer = { real: 0, ack: 0 };
  flights.forEach((f, i) => {
    if (f.kind !== "real" && f.kind !== "ack" && f.kind !== "close") return;
    total[f.kind]++;
    if (answerIndex >= 0 && i < answerIndex && f.kind !== "close") toAnswer[f.kind]++;
  });
  let clientMs = 0;
  let serverMs = 0;
  flights.slice(0, answerIndex + 1).forEach((f) => {
    if (!Number.isFinite(f.senderMs)) return;
    if (f.dir === "c2s") clientMs += f.senderMs;
    else serverMs += f.senderMs;
  });
  return {
    flights,
    total,
    toAnswer,
    clientMs,
    serverMs,
    answerAt: answerIndex >= 0 ? flights[answerIndex].at : null,
    answerFoundBy: answerIndex >= 0 ? answerFoundBy : "not found",
    decrypted,
  };
}

function classify(group: Event[], items: Item[], decrypted: boolean, tlsSeen: boolean): FlightKind {
  if (decrypted && items.length > 0) {
    const meaningful = items.filter((i) => !(i.kind === "app" && i.whitespace));
    if (meaningful.length === 0) return "ack";
    const closing = meaningful.every(
      (i) => (i.kind === "alert" && i.text === "close_notify") || ((i.kind === "app" || i.kind === "xml") && /^\s*<\/stream:stream>\s*$/.test(i.text)),
    );
    return closing ? "close" : "real";
  }
  return tlsSeen && group.every((e) => oneByteRecordsOnly(e.chunk)) ? "ack" : "real";
}

/**
 * Without keys: a chunk of nothing but TLS 1.3 application records with one byte of content each
 * (record length 18 = 1 byte + content type + 16-byte tag; 23 bytes with the header), e.g. two ticket ACKs sent together;
 * without the bytes, a chunk of at most ACK_MAX_BYTES.
 */
function oneByteRecordsOnly(chunk: ChunkRecord): boolean {
  const data = chunk.data;
  if (!data) return chunk.bytes <= ACK_MAX_BYTES;
  if (data.length === 0 || data.length % 23 !== 0) return false;
  for (let at = 0; at < data.length; at += 23) {
    if (data[at] !== 0x17 || data.readUInt16BE(at + 3) !== 18) return false;
  }
  return true;
}

/** A readable list of flights, one per line, for BENCHMARKS.md. */
export function flightTable(count: WaitCount): string[] {
  const lines = [
    "| # | t (ms) | direction | bytes | chunks (span ms) | sender's own time (ms) | carries | counted as |",
    "|---:|---:|---|---:|---:|---:|---|---|",
  ];
  let n = 0;
  for (const f of count.flights) {
    n++;
    const arrow = f.dir === "c2s" ? "client → server" : "server → client";
    const counted =
      f.dir === "s2c"
        ? f.answer
          ? "**answer**"
          : ""
        : f.kind === "first"
          ? "first send (no wait)"
          : f.kind === "real"
            ? "**wait**"
            : f.kind === "ack"
              ? "wait (whitespace ACK only)"
              : "wait (close, after the answer)";
    const pieces = f.chunks === 1 ? "1" : `${f.chunks} (${f.span.toFixed(1)})`;
    const own = Number.isFinite(f.senderMs) ? f.senderMs.toFixed(1) : "";
    lines.push(`| ${n} | ${f.at.toFixed(1)} | ${arrow} | ${f.bytes} | ${pieces} | ${own} | ${f.content.replace(/\|/g, "\\|") || "—"} | ${counted} |`);
  }
  return lines;
}

function findLastIndex<T>(list: readonly T[], test: (item: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i])) return i;
  return -1;
}
