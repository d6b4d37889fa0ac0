// A bounded record of every element exchanged, for the stanza inspector and --log. Entries arrive
// already redacted (see redact.ts) and displayable (see text.ts); the buffer drops the oldest
// entries past a count or byte budget.
import type { Element } from "@xmpp/xml";
import { NS_SASL, NS_SASL2, redactElement, scrubSecrets } from "./redact";
import { neutralise, quoted } from "./text";

/** A summary is one line for lists and tree labels. */
const SUMMARY_MAX = 200;

export type Direction = "in" | "out";
export type StanzaKind = "stream" | "tls" | "sasl" | "iq" | "message" | "presence" | "other";

export interface StanzaLogEntry {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  direction: Direction;
  kind: StanzaKind;
  /** One line for lists, e.g. "iq get → urn:xmpp:sic:1"; no control characters at all. */
  summary: string;
  /** The redacted XML; no control characters but TAB and LF (see text.ts). */
  xml: string;
  /** Which check this entry belongs to, so a viewer can group entries. */
  checkId: string;
}

export interface StanzaLogLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_LOG_LIMITS: StanzaLogLimits = { maxEntries: 5000, maxBytes: 4 * 1024 * 1024 };

export class StanzaLog {
  /** The held entries are buf[head…]: evicting moves `head`, not every entry (a full log's shift() copies it all). */
  private buf: (StanzaLogEntry | undefined)[] = [];
  private head = 0;
  /** What list() returned since the last change. */
  private listed: readonly StanzaLogEntry[] | undefined;
  private bytes = 0;
  private nextSeq = 1;
  private droppedCount = 0;
  private readonly listeners = new Set<(entry: StanzaLogEntry) => void>();

  constructor(private readonly limits: StanzaLogLimits = DEFAULT_LOG_LIMITS) {}

  add(entry: Omit<StanzaLogEntry, "seq">): StanzaLogEntry {
    const stored: StanzaLogEntry = { ...entry, seq: this.nextSeq++ };
    this.buf.push(stored);
    this.bytes += stored.xml.length;
    while (this.count > this.limits.maxEntries || (this.bytes > this.limits.maxBytes && this.count > 1)) {
      this.bytes -= this.buf[this.head]!.xml.length;
      this.buf[this.head++] = undefined;
      this.droppedCount++;
    }
    // Compacted once the evicted slots outnumber the held ones: amortised O(1) per entry.
    if (this.head >= 1024 && this.head * 2 >= this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
    this.listed = undefined;
    for (const listener of this.listeners) listener(stored);
    return stored;
  }

  /** The held entries, oldest first; the same array until the log changes. */
  list(): readonly StanzaLogEntry[] {
    this.listed ??= (this.head === 0 ? this.buf : this.buf.slice(this.head)) as StanzaLogEntry[];
    return this.listed;
  }

  /** The entry with this seq, if the log still holds it (seqs are consecutive: no search). */
  get(seq: number): StanzaLogEntry | undefined {
    const first = this.buf[this.head];
    const entry = first ? this.buf[this.head + seq - first.seq] : undefined;
    return entry?.seq === seq ? entry : undefined;
  }

  /** The seq of the oldest entry held (0 when empty), without copying the list. */
  get oldestSeq(): number {
    return this.buf[this.head]?.seq ?? 0;
  }

  /** Entries evicted by the count or byte budget since the last clear (a clear is not a drop). */
  get dropped(): number {
    return this.droppedCount;
  }

  clear(): void {
    this.buf = [];
    this.head = 0;
    this.listed = undefined;
    this.bytes = 0;
    this.droppedCount = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.count, bytes: this.bytes };
  }

  private get count(): number {
    return this.buf.length - this.head;
  }

  onEntry(listener: (entry: StanzaLogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

// Which log entry each recorded element became, so a live console can tie an element it reads
// or sends to its entry exactly, even when other sessions share the log. Weak: no memory kept.
const loggedAs = new WeakMap<Element, number>();

/** The stanza log seq an element was recorded under (in or out); undefined when never recorded. */
export function loggedSeq(el: Element): number | undefined {
  return loggedAs.get(el);
}

/** Records one check's traffic into a log: redacts, classifies, summarises. */
export class StanzaRecorder {
  constructor(
    private readonly log: StanzaLog,
    /** Which check the next entries belong to; a kept session's re-check files under its own. */
    public checkId: string,
    private readonly secrets: readonly string[],
  ) {}

  element(direction: Direction, el: Element): void {
    loggedAs.set(el, this.push(direction, kindOf(el), summarise(el), redactElement(el)).seq);
  }

  /** Stream headers are open tags, not elements; they are logged as the text that was sent. */
  streamHeader(direction: Direction, el: Element): void {
    const attrs = Object.entries(el.attrs)
      .map(([k, v]) => ` ${k}='${v ?? ""}'`)
      .join("");
    this.push(direction, "stream", `stream open${el.attrs.from ? ` from ${el.attrs.from}` : ""}`, `<stream:stream${attrs}>`);
  }

  streamFooter(direction: Direction): void {
    this.push(direction, "stream", "stream close", "</stream:stream>");
  }

  note(direction: Direction, kind: StanzaKind, summary: string): void {
    this.push(direction, kind, summary, `<!-- ${summary.replace(/--/g, "- -")} -->`);
  }

  private push(direction: Direction, kind: StanzaKind, summary: string, xml: string): StanzaLogEntry {
    return this.log.add({
      time: Date.now(),
      direction,
      kind,
      // Secrets first: they are searched for in the form the server sent them.
      summary: quoted(scrubSecrets(summary, this.secrets), SUMMARY_MAX),
      xml: neutralise(scrubSecrets(xml, this.secrets), { keepLines: true }),
      checkId: this.checkId,
    });
  }
}

const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const NS_STREAMS = "http://etherx.jabber.org/streams";

export function kindOf(el: Element): StanzaKind {
  if (el.name === "iq" || el.name === "message" || el.name === "presence") return el.name;
  const ns = el.attrs.xmlns ?? el.getNS();
  if (ns === NS_SASL || ns === NS_SASL2) return "sasl";
  if (ns === NS_TLS) return "tls";
  if (ns === NS_STREAMS || el.name.startsWith("stream:")) return "stream";
  return "other";
}

export function summarise(el: Element): string {
  if (el.name === "iq") {
    // Error replies may echo the request's payload beside <error/>: name the payload, not the error.
    const payload = el.getChildElements().find((c) => c.name !== "error");
    const type = el.attrs.type ?? "?";
    const target = payload ? payload.attrs.xmlns ?? payload.name : "";
    const error = type === "error" ? el.getChild("error")?.getChildElements()[0]?.name : undefined;
    return `iq ${type}${target ? ` → ${target}` : ""}${error ? ` (${error})` : ""}`;
  }
  if (el.name === "message" || el.name === "presence") {
    return `${el.name}${el.attrs.type ? ` ${el.attrs.type}` : ""}${el.attrs.from ? ` from ${el.attrs.from}` : ""}`;
  }
  const local = el.name.replace(/^stream:/, "");
  if (local === "features") {
    const names = el.getChildElements().map((c) => c.name);
    return `stream features: ${names.join(", ") || "none"}`;
  }
  if (local === "error") {
    return `stream error: ${el.getChildElements()[0]?.name ?? "unknown"}`;
  }
  if (el.name === "auth") return `sasl auth ${el.attrs.mechanism ?? ""}`.trim();
  if (el.name === "authenticate" && el.attrs.xmlns === NS_SASL2) return `sasl2 authenticate ${el.attrs.mechanism ?? ""}`.trim();
  if ((el.attrs.xmlns ?? el.getNS()) === NS_SASL2) return `sasl2 ${el.name}`;
  return kindOf(el) === "sasl" ? `sasl ${el.name}` : el.name;
}
