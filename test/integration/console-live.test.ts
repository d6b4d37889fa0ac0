// The console's pure parts against real Prosody and ejabberd, before the live session exists: a
// session opened with the negotiation's openSession (session/negotiate.ts), stanzas composed from
// the templates and sent on its stream, every reply paired by id and sender, a second account's
// message and iq arriving live (the iq answered with service-unavailable), and the session
// exported as JSON Lines. When the live console session lands, this test should move onto its
// send / onElement / close and stop reaching into openSession.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Element } from "@xmpp/xml";
import { validateJid } from "../../src/core/account";
import { SicError } from "../../src/core/errors";
import { openSession } from "../../src/core/session/negotiate";
import { systemResolver } from "../../src/core/resolve";
import { StanzaLog, StanzaRecorder } from "../../src/core/stanzaLog";
import { compose } from "../../src/core/console/compose";
import { IqPairing, type PairingEvent } from "../../src/core/console/pairing";
import { serviceUnavailableReply } from "../../src/core/console/stanzaErrors";
import { templateById } from "../../src/core/console/templates";
import { pairRecordOf, parseTranscriptJsonLines, transcriptJsonLines, type PairRecord } from "../../src/core/console/transcript";
import type { XmppServer } from "../../scripts/testbed/types";
import { account, KINDS, serverOrSkip } from "../support/servers";

const DEADLINE_MS = 8000;

/** A minimal console over one real session: send composed stanzas, read and pair what arrives. */
async function consoleFor(server: XmppServer, user: string) {
  const { jid, password } = account(server, user);
  const log = new StanzaLog();
  const recorder = new StanzaRecorder(log, `console-${user}`, [password]);
  const signal = AbortSignal.timeout(DEADLINE_MS);
  const session = await openSession(
    {
      jid: validateJid(jid),
      password,
      targets: [{ host: "127.0.0.1", port: server.starttlsPort, tls: "starttls", found: "host", srv: null }],
      resolver: systemResolver(),
      trust: { kind: "roots", extraCaPem: readFileSync(server.certs.caFile, "utf8") },
    },
    recorder,
    signal,
    () => {},
    () => {},
  );
  // Incoming elements leave the stream in the order they were logged: remember each one's seq.
  const inbound: number[] = [];
  log.onEntry((e) => e.direction === "in" && e.kind !== "stream" && !e.xml.startsWith("<!--") && inbound.push(e.seq));
  const records: PairRecord[] = [];
  const events: PairingEvent<number>[] = [];
  const pairing = new IqPairing<number>({ own: { jid: session.boundJid }, replyDeadlineMs: DEADLINE_MS }, (e) => {
    events.push(e);
    const r = pairRecordOf(e);
    if (r) records.push(r);
  });
  const received: { el: Element; seq: number }[] = [];
  return {
    session,
    log,
    password,
    events,
    records,
    received,
    send(text: string): string[] {
      const { stanzas } = compose(text, { secrets: [password] });
      for (const s of stanzas) {
        session.stream.send(s.element);
        pairing.sent(s.element, log.list().at(-1)!.seq);
      }
      return stanzas.map((s) => s.id);
    },
    /** Reads until `done` holds, answering requests to us as RFC 6120 §8.4 says. */
    async readUntil(done: () => boolean): Promise<void> {
      const timer = setTimeout(() => session.stream.abort(new SicError("timeout", `Not done within ${DEADLINE_MS} ms.`)), DEADLINE_MS);
      try {
        await this.read(done);
      } finally {
        clearTimeout(timer);
      }
    },
    async read(done: () => boolean): Promise<void> {
      while (!done()) {
        const el = await session.stream.next();
        const seq = inbound.shift()!;
        received.push({ el, seq });
        pairing.received(el, seq);
        const answer = serviceUnavailableReply(el);
        if (answer) session.stream.send(answer);
      }
    },
    async close(): Promise<void> {
      pairing.dispose();
      await session.stream.close(0);
    },
  };
}

const replyTo = (events: PairingEvent<number>[], seq: number) => events.find((e) => e.kind === "reply" && e.request === seq);

for (const kind of KINDS) {
  test(`${kind}: templates are accepted by the server and every reply is paired with its request`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const alice = await consoleFor(server, "alice");
    try {
      const ctx = { domain: server.domain, bareJid: validateJid(account(server).jid).bare };
      const ids = ["disco-info", "ping", "roster", "disco-items", "version", "time", "vcard", "sic1", "sic0", "extdisco"];
      const firstSeq = alice.log.list().at(-1)!.seq + 1;
      for (const id of ids) alice.send(templateById(id)!.xml(ctx));
      alice.send(`<iq type="get" to="nobody-here@${server.domain}"><query xmlns="jabber:iq:version"/></iq>`);
      const sentSeqs = alice.log.list().filter((e) => e.seq >= firstSeq && e.direction === "out").map((e) => e.seq);
      assert.equal(sentSeqs.length, ids.length + 1);
      await alice.readUntil(() => sentSeqs.every((s) => replyTo(alice.events, s)));

      const outcome = (i: number) => {
        const e = replyTo(alice.events, sentSeqs[i]!);
        return e?.kind === "reply" ? e : assert.fail(`no reply to ${ids[i] ?? "the iq to nobody"}`);
      };
      for (const name of ["disco-info", "ping", "roster"]) {
        const reply = outcome(ids.indexOf(name));
        assert.equal(reply.outcome, "result", `${name}: ${JSON.stringify(reply.error)}`);
        assert.ok(reply.latencyMs > 0 && reply.latencyMs < DEADLINE_MS);
      }
      const nobody = outcome(ids.length);
      assert.equal(nobody.outcome, "error");
      assert.match(nobody.error!.condition, /^(item-not-found|service-unavailable|recipient-unavailable)$/);
      assert.equal(alice.events.filter((e) => e.kind === "no-reply" || e.kind === "given-up").length, 0);

      const lines = parseTranscriptJsonLines(transcriptJsonLines(alice.log.list(), alice.records, [alice.password]));
      const bySeq = new Map(lines.map((l) => [l.seq, l]));
      for (const seq of sentSeqs) {
        const line = bySeq.get(seq)!;
        assert.ok(line.pairedWith !== null && bySeq.get(line.pairedWith)!.pairedWith === seq, "request and reply point at each other");
        assert.equal(bySeq.get(line.pairedWith)!.direction, "in");
      }
      assert.ok(!JSON.stringify(lines).includes(alice.password));
    } finally {
      await alice.close();
    }
  });

  test(`${kind}: another account's message arrives live and its iq to us is answered service-unavailable`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const alice = await consoleFor(server, "alice");
    const bob = await consoleFor(server, "bob");
    try {
      const to = alice.session.boundJid;
      bob.send(`<message type="chat" to="${to}"><body>hello alice</body></message>`);
      const [iqId] = bob.send(`<iq type="get" to="${to}"><query xmlns="jabber:iq:version"/></iq>`);
      const bobIqSeq = bob.log.list().at(-1)!.seq;
      const gotMessage = () => alice.received.some(({ el }) => el.name === "message" && el.getChildText("body") === "hello alice");
      const gotIq = () => alice.received.some(({ el }) => el.name === "iq" && el.attrs.id === iqId);
      await alice.readUntil(() => gotMessage() && gotIq());
      const message = alice.received.find(({ el }) => el.name === "message")!.el;
      assert.equal(message.attrs.from?.split("/")[0], validateJid(account(server, "bob").jid).bare);

      await bob.readUntil(() => !!replyTo(bob.events, bobIqSeq));
      const reply = replyTo(bob.events, bobIqSeq);
      assert.ok(reply?.kind === "reply");
      assert.equal(reply.outcome, "error");
      assert.equal(reply.error?.condition, "service-unavailable");
      const answered = alice.log.list().find((e) => e.direction === "out" && e.xml.includes(`id="${iqId}"`));
      assert.ok(answered?.xml.includes("service-unavailable"), "alice's console did not answer the iq itself");
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });
}
