// Properties of the XML stream (xmlStream.ts) over a fake socket: however the server's bytes are
// chunked (UTF-8 sequences split included), the same elements come out in the same order; random
// bytes and random XML never throw out of the socket's 'data' handler and end, if at all, in a
// SicError; and the limits (element size, depth, unread queue) hold for any input.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { test } from "node:test";
import type { Element } from "@xmpp/xml";
import fc from "fast-check";
import { SicError } from "../../src/core/errors";
import { StanzaLog, StanzaRecorder } from "../../src/core/stanzaLog";
import { XmlStream, type StreamLimits } from "../../src/core/xmlStream";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300), timeout: 2_000 };

class FakeSocket extends EventEmitter {
  destroyed = false;
  writable = true;
  written = "";
  write(text: string): boolean {
    this.written += text;
    return true;
  }
  end(text?: string): this {
    if (text) this.written += text;
    this.destroy();
    return this;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.writable = false;
      queueMicrotask(() => this.emit("close"));
    }
    return this;
  }
  /** What the server sends, in these chunks. Must never throw: a throw here would crash the process. */
  feed(chunks: Buffer[]): void {
    for (const chunk of chunks) if (!this.destroyed) this.emit("data", chunk);
  }
}

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='x' version='1.0'>";
const FEATURES = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>";

function newStream(limits?: StreamLimits) {
  const socket = new FakeSocket();
  const stream = new XmlStream(socket as unknown as Socket, "localhost", new StanzaRecorder(new StanzaLog(), "p", []), limits);
  return { socket, stream };
}

/** Splits bytes at these cut points (each taken modulo the length). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) chunks.push(bytes.subarray(at, p));
    at = p;
  }
  return chunks;
}

/** Reads every element already delivered (and any failure), without waiting for more. */
async function drain(stream: XmlStream): Promise<{ elements: string[]; failure: SicError | null }> {
  const elements: string[] = [];
  for (;;) {
    const next = stream.next();
    const settled = await Promise.race([next.then((el: Element) => ({ el }), (err: unknown) => ({ err })), new Promise<null>((r) => setImmediate(() => r(null)))]);
    if (settled === null) {
      next.catch(() => {});
      stream.abort(new SicError("cancelled", "test done"));
      return { elements, failure: null };
    }
    if ("err" in settled) {
      assert.ok(settled.err instanceof SicError, `rejected with ${String(settled.err)}`);
      return { elements, failure: (settled.err as SicError).code === "cancelled" ? null : (settled.err as SicError) };
    }
    elements.push(settled.el.toString());
  }
}

const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 12 }).filter((s) => Buffer.from(s, "utf8").toString("utf8") === s));
const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
const stanza = fc.oneof(
  text.map((t) => `<message from='bob@localhost/é'><body>${escapeText(t)}</body></message>`),
  text.map((t) => `<presence><status>${escapeText(t)}</status></presence>`),
  fc.tuple(text, fc.ipV4()).map(([id, ip]) => `<iq type='result' id='${escapeText(id).replace(/'/g, "&apos;")}'><address xmlns='urn:xmpp:sic:1'><ip>${ip}</ip></address></iq>`),
  fc.constant("<iq type='result' id='u'><query xmlns='x'><item name='Sérvër ☃ 𝄞'/></query></iq>"),
  fc.constant(" "),
);

test("chunking never changes what is delivered, UTF-8 sequences split at any byte", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stanza, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), async (stanzas, cuts) => {
      const bytes = Buffer.from(HEADER + FEATURES + stanzas.join(""), "utf8");
      const whole = newStream();
      const opened = whole.stream.open();
      whole.socket.feed([bytes]);
      await opened;
      const expected = await drain(whole.stream);

      const chunked = newStream();
      const opening = chunked.stream.open();
      chunked.socket.feed(split(bytes, cuts));
      await opening;
      const got = await drain(chunked.stream);
      assert.deepEqual(got, expected);
      assert.equal(got.failure, null);
      assert.equal(got.elements.length, stanzas.filter((s) => s !== " ").length);
    }),
    RUNS,
  );
});

test("random bytes after the header: no throw from the socket handler, only a SicError", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), async (garbage, cuts) => {
      const { socket, stream } = newStream();
      const opening = stream.open().catch((e: unknown) => e);
      socket.feed([Buffer.from(HEADER + FEATURES)]);
      socket.feed(split(Buffer.from(garbage), cuts));
      const opened = await opening;
      assert.ok(!(opened instanceof Error) || opened instanceof SicError, String(opened));
      await drain(stream);
    }),
    RUNS,
  );
});

test("random XML-ish text from the first byte: no throw, only a SicError, and the failure is sticky", async () => {
  const token = fc.oneof(
    fc.constantFrom("<", ">", "</", "/>", "<!", "<![CDATA[", "]]>", "<?", "?>", "&", ";", "'", '"', "=", "<stream:stream>", "</stream:stream>", "<stream:error>", "<a>", "</a>", "<iq>", "&#0;", "&#x1F600;", "&lol;", "<!DOCTYPE a>", "<!-- -->"),
    text,
  );
  await fc.assert(
    fc.asyncProperty(fc.array(token, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 10 }), async (tokens, cuts) => {
      const { socket, stream } = newStream();
      const opening = stream.open().catch((e: unknown) => e);
      socket.feed(split(Buffer.from(tokens.join(""), "utf8"), cuts));
      socket.destroy();
      const opened = await opening;
      assert.ok(opened instanceof SicError, `open() settled with ${String(opened)}`);
      // Once the stream has failed (here at the latest when the socket closed), every later read
      // fails, with the same error.
      const again = await stream.next().catch((e: unknown) => e);
      const thrice = await stream.next().catch((e: unknown) => e);
      assert.ok(again instanceof SicError, String(again));
      assert.equal(thrice, again);
    }),
    RUNS,
  );
});

test("limits hold for any size, depth and count: bad-reply exactly when one is exceeded", async () => {
  const limits: StreamLimits = { maxElementChars: 2_000, maxDepth: 6, maxQueued: 20 };
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 4_000 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 40 }), async (size, depth, count) => {
      const { socket, stream } = newStream(limits);
      const opening = stream.open();
      socket.feed([Buffer.from(HEADER + FEATURES)]);
      await opening;
      // `depth` nested elements (the stream root is level 1), holding `size` characters of text.
      const nested = "<x>".repeat(depth) + "a".repeat(size) + "</x>".repeat(depth);
      socket.feed([Buffer.from(nested)]);
      const flood = "<presence/>".repeat(count);
      socket.feed([Buffer.from(flood)]);
      const failure = await stream.next().then(
        async () => {
          // Only the flood is left: read nothing more, it was queued (or refused).
          const rest = await drain(stream);
          return rest.failure;
        },
        (err: unknown) => err as SicError,
      );
      const tooDeep = depth + 1 > limits.maxDepth;
      const tooBig = nested.length > limits.maxElementChars;
      // The nested element itself waits in the queue too: nothing has read it when the flood comes.
      const tooMany = count + 1 > limits.maxQueued;
      if (tooDeep || tooBig) {
        assert.ok(failure instanceof SicError && failure.code === "bad-reply", `expected bad-reply, got ${String(failure)}`);
        assert.match(failure.message, tooDeep && !tooBig ? /nested deeper than 6/ : /nested deeper than 6|larger than 2000/);
      } else if (tooMany) {
        assert.ok(failure instanceof SicError && /flooded the stream with more than 20/.test(failure.message), String(failure));
      } else {
        assert.equal(failure, null);
      }
    }),
    RUNS,
  );
});
