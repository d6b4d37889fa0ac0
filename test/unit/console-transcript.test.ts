import assert from "node:assert/strict";
import { test } from "node:test";
import { xml } from "@xmpp/xml";
import { SicError } from "../../src/core/errors";
import { NS_SASL } from "../../src/core/redact";
import { StanzaLog, StanzaRecorder } from "../../src/core/stanzaLog";
import { IqPairing, type Clock, type PairingEvent } from "../../src/core/console/pairing";
import { pairRecordOf, parseTranscriptJsonLines, transcriptJsonLines, transcriptLines, type PairRecord } from "../../src/core/console/transcript";

const PASSWORD = "tr4nscript-passw0rd";

/** A session as the live console will record it: log each element, pair, keep the records. */
function session() {
  let now = 0;
  const timers: (() => void)[] = [];
  const clock: Clock = { now: () => now, setTimer: (fn) => timers.push(fn), clearTimer: () => {} };
  const log = new StanzaLog();
  const rec = new StanzaRecorder(log, "console-1", [PASSWORD]);
  const records: PairRecord[] = [];
  const pairing = new IqPairing<number>({ own: { jid: "alice@example.org/c" }, clock }, (e: PairingEvent<number>) => {
    const r = pairRecordOf(e);
    if (r) records.push(r);
  });
  const out = (el: ReturnType<typeof xml>) => {
    rec.element("out", el);
    pairing.sent(el, log.list().at(-1)!.seq);
  };
  const inn = (el: ReturnType<typeof xml>) => {
    rec.element("in", el);
    pairing.received(el, log.list().at(-1)!.seq);
  };
  return { log, records, out, inn, tick: (ms: number) => (now += ms), expireAll: () => timers.splice(0).forEach((fn) => fn()) };
}

test("each logged element becomes one JSON line, requests and replies pointing at each other", () => {
  const s = session();
  s.out(xml("iq", { type: "get", id: "p1", to: "example.org" }, xml("ping", { xmlns: "urn:xmpp:ping" })));
  s.inn(xml("message", { from: "bob@example.org/x", type: "chat" }, xml("body", {}, "hi")));
  s.tick(12.345);
  s.inn(xml("iq", { type: "result", id: "p1", from: "example.org" }));
  s.out(xml("iq", { type: "get", id: "p2" }, xml("query", { xmlns: "jabber:iq:roster" })));
  s.expireAll();

  const text = transcriptJsonLines(s.log.list(), s.records);
  const rows = text.split("\n");
  assert.equal(rows.pop(), "", "newline-terminated");
  assert.equal(rows.length, 4);
  const lines = rows.map((r) => JSON.parse(r));
  const [ping, message, pong, roster] = lines;
  assert.deepEqual(Object.keys(ping), ["seq", "time", "direction", "kind", "summary", "xml", "pairedWith", "latencyMs", "outcome"]);
  assert.deepEqual([ping.direction, ping.kind, ping.pairedWith, ping.latencyMs, ping.outcome], ["out", "iq", pong.seq, 12.35, "result"]);
  assert.deepEqual([pong.direction, pong.pairedWith, pong.latencyMs, pong.outcome], ["in", ping.seq, 12.35, "result"]);
  assert.deepEqual([message.kind, message.pairedWith, message.latencyMs, message.outcome], ["message", null, null, null]);
  assert.deepEqual([roster.pairedWith, roster.outcome], [null, "no-reply"]);
  assert.match(ping.xml, /^<iq type="get" id="p1" to="example.org"><ping xmlns="urn:xmpp:ping"\/><\/iq>$/);
  assert.ok(!Number.isNaN(Date.parse(ping.time)) && ping.time.endsWith("Z"));
});

test("the transcript holds no secret: SASL payloads come redacted and passwords are scrubbed again", () => {
  const s = session();
  s.out(xml("auth", { xmlns: NS_SASL, mechanism: "PLAIN" }, Buffer.from(`\0alice\0${PASSWORD}`).toString("base64")));
  const text = transcriptJsonLines(s.log.list(), []);
  assert.ok(!text.includes(Buffer.from(`\0alice\0${PASSWORD}`).toString("base64")));
  const forged = [{ ...s.log.list()[0]!, summary: `oops ${PASSWORD}` }];
  assert.ok(!transcriptJsonLines(forged, [], [PASSWORD]).includes(PASSWORD));
});

test("control characters stay escaped, one entry per line", () => {
  const s = session();
  s.inn(xml("message", { from: "x@example.org" }, xml("body", {}, "a\nb\rc\u2028d")));
  const text = transcriptJsonLines(s.log.list(), []);
  assert.equal(text.split("\n").length, 2);
  assert.equal(parseTranscriptJsonLines(text)[0]!.xml.includes("a\nb"), true);
});

test("a written transcript reads back to the same lines", () => {
  const s = session();
  s.out(xml("iq", { type: "get", id: "v" }, xml("query", { xmlns: "jabber:iq:version" })));
  s.inn(xml("iq", { type: "error", id: "v" }, xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }))));
  const expected = transcriptLines(s.log.list(), s.records);
  assert.equal(expected[0]!.outcome, "error");
  assert.deepEqual(parseTranscriptJsonLines(transcriptJsonLines(s.log.list(), s.records)), expected);
});

test("reading refuses what is not a transcript, naming the line", () => {
  const good = JSON.stringify({ seq: 1, time: new Date(0).toISOString(), direction: "in", kind: "iq", summary: "s", xml: "<iq/>", pairedWith: null, latencyMs: null });
  assert.equal(parseTranscriptJsonLines(good + "\r\n")[0]!.outcome, null);
  const cases: [string, RegExp][] = [
    [`${good}\nnot json`, /Line 2 .*not JSON/],
    [`${good}\n${good.replace('"in"', '"sideways"')}`, /Line 2 .*not a transcript entry/],
    [good.replace('"iq"', '"bogus"'), /Line 1 /],
    [good.replace('"pairedWith":null', '"pairedWith":"x"'), /Line 1 /],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseTranscriptJsonLines(text), (err: unknown) => err instanceof SicError && err.code === "usage" && message.test(err.message));
  }
  assert.throws(() => parseTranscriptJsonLines(`${good}\n${good}\n${good}`, { maxLines: 2, maxLineChars: 1000 }), /more than 2 lines/);
  assert.throws(() => parseTranscriptJsonLines(good, { maxLines: 2, maxLineChars: 10 }), /longer than 10/);
});
