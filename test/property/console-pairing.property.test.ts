// Properties of iq pairing under any interleaving of requests, replies (spoofed senders, reused
// and unknown ids), and passing time: a reply is only ever paired with a request whose addressee
// may send it, with the same id, each request at most once and never after it was given up; the
// number waiting stays under the cap; a genuine reply to a waiting request is never turned away.
// Who may answer whom is restated here per entity, independently of pairing.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { xml } from "@xmpp/xml";
import fc from "fast-check";
import { IqPairing, type Clock, type PairingEvent } from "../../src/core/console/pairing";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };
const OWN = { jid: "alice@example.org/console" };

/** Spellings of addresses and the entity each one names (case folds in the bare part, not in the resource). */
const ADDRESSES: [string | undefined, string][] = [
  [undefined, "none"],
  ["example.org", "domain"],
  ["EXAMPLE.org", "domain"],
  ["alice@example.org", "bare"],
  ["Alice@Example.ORG", "bare"],
  ["alice@example.org/console", "self"],
  ["bob@example.org/r", "bob/r"],
  ["BOB@example.org/r", "bob/r"],
  ["bob@example.org/R", "bob/R"],
  ["evil.example", "evil"],
  ["conference.example.org", "muc"],
];

function mayAnswer(to: string, from: string): boolean {
  if (to === "none") return from === "none" || from === "domain" || from === "bare";
  if (to === "domain" || to === "bare") return from === "none" || from === to;
  return from === to;
}

type Op = { op: "send"; to: number; id: number } | { op: "reply"; from: number; id: number; error: boolean } | { op: "wait"; ms: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("send" as const), to: fc.nat(ADDRESSES.length - 1), id: fc.nat(4) }),
  fc.record({ op: fc.constant("reply" as const), from: fc.nat(ADDRESSES.length - 1), id: fc.nat(5), error: fc.boolean() }),
  fc.record({ op: fc.constant("wait" as const), ms: fc.nat(400) }),
);

test("a reply is never paired with a request its sender may not answer, nor twice, nor past the cap", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (ops, max) => {
      let now = 0;
      const timers = new Map<number, { at: number; fn: () => void }>();
      let handles = 0;
      const clock: Clock = {
        now: () => now,
        setTimer: (fn, ms) => (timers.set(++handles, { at: now + ms, fn }), handles),
        clearTimer: (h) => void timers.delete(h as number),
      };
      const events: PairingEvent<number>[] = [];
      const pairing = new IqPairing<number>({ own: OWN, clock, replyDeadlineMs: 500, maxPending: max }, (e) => events.push(e));
      const requests = new Map<number, { entity: string; id: string }>();
      const replies = new Map<number, { entity: string; id: string }>();
      const waiting = new Set<number>();
      const paired = new Set<number>();
      const givenUp = new Set<number>();
      let ref = 0;
      for (const o of ops) {
        const before = events.length;
        if (o.op === "send") {
          const [to, entity] = ADDRESSES[o.to]!;
          requests.set(++ref, { entity, id: `id${o.id}` });
          pairing.sent(xml("iq", { type: "get", id: `id${o.id}`, ...(to ? { to } : {}) }, xml("ping", { xmlns: "urn:xmpp:ping" })), ref);
          waiting.add(ref);
        } else if (o.op === "reply") {
          const [from, entity] = ADDRESSES[o.from]!;
          replies.set(++ref, { entity, id: `id${o.id}` });
          const event = pairing.received(xml("iq", { type: o.error ? "error" : "result", id: `id${o.id}`, ...(from ? { from } : {}) }), ref);
          if (event?.kind === "unpaired") {
            const couldAnswer = [...waiting].some((r) => requests.get(r)!.id === `id${o.id}` && mayAnswer(requests.get(r)!.entity, entity));
            assert.ok(!couldAnswer, `a genuine reply from ${from} to id${o.id} was turned away`);
          }
        } else {
          now += o.ms;
          for (const [h, t] of [...timers]) if (t.at <= now) (timers.delete(h), t.fn());
        }
        for (const e of events.slice(before)) {
          if (e.kind === "reply") {
            const req = requests.get(e.request)!;
            const rep = replies.get(e.reply)!;
            assert.equal(req.id, rep.id);
            assert.ok(mayAnswer(req.entity, rep.entity), `paired a reply from ${rep.entity} with a request to ${req.entity}`);
            assert.ok(!paired.has(e.request), "a request was paired twice");
            assert.ok(!givenUp.has(e.request), "a request was paired after it was given up");
            paired.add(e.request);
            waiting.delete(e.request);
          } else if (e.kind === "given-up") {
            givenUp.add(e.request);
            waiting.delete(e.request);
          } else if (e.kind === "no-reply") {
            waiting.delete(e.request);
          }
        }
        assert.ok(pairing.pendingCount <= max);
        assert.equal(pairing.pendingCount, waiting.size);
        assert.equal(timers.size, waiting.size, "a timer outlived its request");
      }
      pairing.dispose();
      assert.equal(timers.size, 0);
    }),
    RUNS,
  );
});
