import assert from "node:assert/strict";
import { test } from "node:test";
import { xml, type Element } from "@xmpp/xml";
import { IqPairing, isReplySender, systemClock, type Clock, type PairingEvent } from "../../src/core/console/pairing";
import { errorDetail, mustAnswer, NS_STANZAS, serviceUnavailableReply } from "../../src/core/console/stanzaErrors";

const OWN = { jid: "alice@example.org/console" };

/** A clock the test moves by hand; it also shows which timers are still armed. */
class ManualClock implements Clock {
  time = 1000;
  private nextHandle = 1;
  readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [handle, timer] of [...this.timers]) {
      if (timer.at <= this.time) {
        this.timers.delete(handle);
        timer.fn();
      }
    }
  }
}

const request = (id: string, to?: string, type = "get") => xml("iq", { type, id, ...(to ? { to } : {}) }, xml("ping", { xmlns: "urn:xmpp:ping" }));
const result = (id: string, from?: string) => xml("iq", { type: "result", id, ...(from ? { from } : {}) });
const error = (id: string, from: string | undefined, ...conditions: Element[]) =>
  xml("iq", { type: "error", id, ...(from ? { from } : {}) }, xml("error", { type: "cancel" }, ...conditions));

function setUp(options: { deadline?: number; max?: number } = {}) {
  const clock = new ManualClock();
  const events: PairingEvent<number>[] = [];
  const pairing = new IqPairing<number>({ own: OWN, clock, replyDeadlineMs: options.deadline ?? 5000, maxPending: options.max ?? 10 }, (e) => events.push(e));
  return { clock, events, pairing };
}

test("a result from the addressee is paired with its request, with the latency on the clock", () => {
  const { clock, events, pairing } = setUp();
  assert.equal(pairing.sent(request("a", "example.org"), 1), true);
  clock.advance(42);
  const event = pairing.received(result("a", "example.org"), 2);
  assert.deepEqual(event, { kind: "reply", id: "a", request: 1, reply: 2, latencyMs: 42, outcome: "result", error: null, late: false });
  assert.deepEqual(events, [event]);
  assert.equal(pairing.pendingCount, 0);
  assert.equal(clock.timers.size, 0, "the deadline timer was cleared");
});

test("a reply with the right id from anyone but the addressee is not the reply", () => {
  const { clock, pairing } = setUp();
  pairing.sent(request("x", "bob@example.org/phone"), 1);
  const spoof = pairing.received(result("x", "mallory@example.org/phone"), 2);
  assert.equal(spoof?.kind, "unpaired");
  assert.match(spoof?.kind === "unpaired" ? spoof.note : "", /not sent to/);
  assert.equal(pairing.received(result("x", "bob@example.org/Phone"), 3)?.kind, "unpaired", "the resource is case-sensitive");
  assert.equal(pairing.received(result("x"), 4)?.kind, "unpaired", "no from means the server, not bob");
  clock.advance(7);
  const real = pairing.received(result("x", "BOB@Example.ORG/phone"), 5);
  assert.equal(real?.kind, "reply");
  assert.equal(real?.kind === "reply" && real.reply, 5);
});

test("who may answer: the server or our bare JID without 'to', the addressee otherwise", () => {
  const cases: [string | undefined, string | undefined, boolean][] = [
    [undefined, undefined, true],
    [undefined, "example.org", true],
    [undefined, "Alice@Example.org", true],
    [undefined, "alice@example.org/console", false],
    [undefined, "other.example", false],
    [undefined, "bob@example.org", false],
    ["example.org", undefined, true],
    ["example.org", "example.org", true],
    ["example.org", "alice@example.org", false],
    ["alice@example.org", undefined, true],
    ["alice@example.org", "alice@example.org", true],
    ["alice@example.org", "example.org", false],
    ["conference.example.org", "conference.example.org", true],
    ["conference.example.org", undefined, false],
    ["conference.example.org", "example.org", false],
    ["alice@example.org/console", "alice@example.org/console", true],
    ["alice@example.org/console", "alice@example.org", false],
  ];
  for (const [to, from, expected] of cases) assert.equal(isReplySender(to, from, OWN), expected, `to=${to} from=${from}`);
});

test("an error reply carries its condition, found by namespace, and the server's text neutralised", () => {
  const { pairing } = setUp();
  pairing.sent(request("e", "nobody@example.org"), 1);
  const event = pairing.received(
    error(
      "e",
      "nobody@example.org",
      xml("item-not-found", { xmlns: NS_STANZAS }),
      xml("text", { xmlns: NS_STANZAS }, "no\u001b[31m such\nuser \u202Egnp.exe"),
      xml("gone-fishing", { xmlns: "urn:example:errors" }),
    ),
    2,
  );
  assert.equal(event?.kind, "reply");
  if (event?.kind !== "reply") return;
  assert.equal(event.outcome, "error");
  assert.deepEqual(event.error, {
    type: "cancel",
    condition: "item-not-found",
    text: "no\\x1b[31m such\\nuser \\u202egnp.exe",
    appCondition: "{urn:example:errors}gone-fishing",
  });
});

test("a condition outside the stanzas namespace, or not one RFC 6120 defines, is undefined-condition", () => {
  const plain = xml("iq", { type: "error" }, xml("error", { type: "nonsense" }, xml("item-not-found")));
  assert.deepEqual(errorDetail(plain), { type: null, condition: "undefined-condition", text: null, appCondition: "{}item-not-found" });
  const invented = xml("iq", { type: "error" }, xml("error", { type: "wait" }, xml("x".repeat(500), { xmlns: NS_STANZAS })));
  assert.equal(errorDetail(invented).condition, "undefined-condition");
  assert.equal(errorDetail(invented).type, "wait");
  const long = xml("iq", { type: "error" }, xml("error", {}, xml("text", { xmlns: NS_STANZAS }, "y".repeat(1000))));
  assert.equal(errorDetail(long).text!.length, 300);
});

test("a request unanswered by its deadline is 'no reply'; a reply after that is paired as late", () => {
  const { clock, events, pairing } = setUp({ deadline: 1000 });
  pairing.sent(request("slow"), 1);
  clock.advance(999);
  assert.equal(events.length, 0);
  clock.advance(1);
  assert.deepEqual(events, [{ kind: "no-reply", id: "slow", request: 1, waitedMs: 1000 }]);
  assert.equal(pairing.pendingCount, 0);
  clock.advance(500);
  const late = pairing.received(result("slow", "example.org"), 2);
  assert.equal(late?.kind === "reply" && late.late, true);
  assert.equal(late?.kind === "reply" && late.latencyMs, 1500);
  assert.equal(pairing.received(result("slow", "example.org"), 3)?.kind, "unpaired", "a second reply pairs with nothing");
});

test("a per-request deadline overrides the default", () => {
  const { clock, events, pairing } = setUp({ deadline: 10_000 });
  pairing.sent(request("quick"), 1, 50);
  clock.advance(50);
  assert.equal(events[0]?.kind, "no-reply");
});

test("past the cap of pending requests the oldest is given up with a note", () => {
  const { clock, events, pairing } = setUp({ max: 2 });
  pairing.sent(request("1"), 1);
  pairing.sent(request("2"), 2);
  pairing.sent(request("3"), 3);
  assert.equal(pairing.pendingCount, 2);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.kind, "given-up");
  assert.equal(events[0]!.kind === "given-up" && events[0]!.request, 1);
  assert.match(events[0]!.kind === "given-up" ? events[0]!.note : "", /More than 2 requests/);
  assert.equal(clock.timers.size, 2, "the given-up request's timer was cleared");
  assert.equal(pairing.received(result("1"), 4)?.kind, "unpaired");
  assert.equal(pairing.received(result("3"), 5)?.kind, "reply");
});

test("two requests with one id to different addressees are each paired with their own addressee's reply", () => {
  const { pairing } = setUp();
  pairing.sent(request("same", "a.example.org"), 1);
  pairing.sent(request("same", "b.example.org"), 2);
  const fromB = pairing.received(result("same", "b.example.org"), 3);
  const fromA = pairing.received(result("same", "a.example.org"), 4);
  assert.deepEqual([fromB, fromA].map((e) => (e?.kind === "reply" ? [e.request, e.reply] : null)), [[2, 3], [1, 4]]);
});

test("only iq get/set with an id await replies; incoming requests and other stanzas are not replies", () => {
  const { clock, pairing } = setUp();
  assert.equal(pairing.sent(xml("iq", { type: "result", id: "r" }), 1), false);
  assert.equal(pairing.sent(xml("iq", { type: "get" }, xml("ping", { xmlns: "urn:xmpp:ping" })), 2), false);
  assert.equal(pairing.sent(xml("message", { id: "m" }), 3), false);
  assert.equal(clock.timers.size, 0);
  pairing.sent(request("q"), 4);
  assert.equal(pairing.received(request("q", undefined, "get"), 5), null);
  assert.equal(pairing.received(xml("message", { id: "q", type: "error" }), 6), null);
  assert.equal(pairing.pendingCount, 1);
});

test("dispose clears every timer and forgets what was waiting", () => {
  const { clock, events, pairing } = setUp();
  pairing.sent(request("1"), 1);
  pairing.sent(request("2"), 2);
  pairing.dispose();
  assert.equal(clock.timers.size, 0);
  clock.advance(60_000);
  assert.equal(events.length, 0);
});

test("the system clock's timers fire and do not keep the process alive", async () => {
  const events: PairingEvent<number>[] = [];
  const pairing = new IqPairing<number>({ own: OWN, clock: systemClock, replyDeadlineMs: 20 }, (e) => events.push(e));
  pairing.sent(request("t"), 1);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(events[0]?.kind, "no-reply");
  assert.ok(events[0]?.kind === "no-reply" && events[0].waitedMs >= 19);
});

test("an iq get or set from the server is answered with service-unavailable, addressed back", () => {
  const fromServer = xml("iq", { type: "get", id: "s1", from: "example.org" }, xml("ping", { xmlns: "urn:xmpp:ping" }));
  assert.equal(mustAnswer(fromServer), true);
  assert.equal(
    serviceUnavailableReply(fromServer)?.toString(),
    `<iq type="error" id="s1" to="example.org"><error type="cancel"><service-unavailable xmlns="${NS_STANZAS}"/></error></iq>`,
  );
  const noFrom = xml("iq", { type: "set", id: "s2" }, xml("query", { xmlns: "jabber:iq:roster" }));
  assert.equal(serviceUnavailableReply(noFrom)?.toString(), `<iq type="error" id="s2"><error type="cancel"><service-unavailable xmlns="${NS_STANZAS}"/></error></iq>`);
});

test("results, errors, id-less requests and other stanzas are never answered", () => {
  for (const el of [
    xml("iq", { type: "result", id: "1" }),
    xml("iq", { type: "error", id: "2" }),
    xml("iq", { type: "get" }, xml("ping", { xmlns: "urn:xmpp:ping" })),
    xml("message", { type: "chat", id: "3" }),
    xml("presence", { id: "4" }),
  ]) {
    assert.equal(mustAnswer(el), false);
    assert.equal(serviceUnavailableReply(el), null);
  }
});
