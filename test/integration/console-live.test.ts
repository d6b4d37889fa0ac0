// The console against real Prosody and ejabberd, through the live session (console/liveSession.ts):
// stanzas composed from the templates and sent with send(), every reply paired by id and sender,
// a second account's message and iq arriving live (the iq answered with service-unavailable by the
// live session itself), and the session exported as JSON Lines.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { xml, type Element } from "@xmpp/xml";
import { validateJid } from "../../src/core/account";
import { SicError } from "../../src/core/errors";
import { StanzaLog } from "../../src/core/stanzaLog";
import { compose } from "../../src/core/console/compose";
import { openLiveSession } from "../../src/core/console/liveSession";
import type { PairingEvent } from "../../src/core/console/pairing";
import { templateById } from "../../src/core/console/templates";
import { pairRecordOf, parseTranscriptJsonLines, transcriptJsonLines, type PairRecord } from "../../src/core/console/transcript";
import type { XmppServer } from "../../scripts/testbed/types";
import { account, KINDS, serverOrSkip } from "../support/servers";

const DEADLINE_MS = 8000;

/** A console over one real live session: send composed stanzas, collect and pair what arrives. */
async function consoleFor(server: XmppServer, user: string) {
  const { jid, password } = account(server, user);
  const log = new StanzaLog();
  const records: PairRecord[] = [];
  const events: PairingEvent<number>[] = [];
  const received: { el: Element; seq: number }[] = [];
  let changed = () => {};
  const live = await openLiveSession({
    jid,
    password,
    host: "127.0.0.1",
    port: server.starttlsPort,
    tls: "starttls",
    caPem: readFileSync(server.certs.caFile, "utf8"),
    profiles: null,
    timeoutMs: DEADLINE_MS,
    replyDeadlineMs: DEADLINE_MS,
    log,
    onElement: (el, seq) => {
      received.push({ el, seq });
      changed();
    },
    onPairing: (e) => {
      events.push(e);
      const r = pairRecordOf(e);
      if (r) records.push(r);
      changed();
    },
  });
  return {
    session: live,
    log,
    password,
    events,
    records,
    received,
    send(text: string): string[] {
      const { stanzas } = compose(text, { secrets: [password] });
      for (const s of stanzas) live.send(s.element);
      return stanzas.map((s) => s.id);
    },
    /** Waits until `done` holds, checked on every element and pairing event. */
    readUntil(done: () => boolean): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new SicError("timeout", `Not done within ${DEADLINE_MS} ms.`)), DEADLINE_MS);
        changed = () => {
          if (!done()) return;
          clearTimeout(timer);
          changed = () => {};
          resolve();
        };
        changed();
      });
    },
    close: () => live.close(),
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

for (const kind of KINDS) {
  test(`${kind}: the session's own request rides beside the console's without being paired, and no presence is sent`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const alice = await consoleFor(server, "alice");
    try {
      const [consoleId] = alice.send(templateById("ping")!.xml({ domain: server.domain, bareJid: validateJid(account(server).jid).bare }));
      const own = await alice.session.ask(
        (ctx) => ctx.iqs.request("get", xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }), server.domain),
        { timeoutMs: DEADLINE_MS },
      );
      assert.ok(own.ok, "the session's own disco#info got no result");
      await alice.readUntil(() => alice.events.some((e) => e.kind === "reply" && e.id === consoleId));
      assert.ok(!alice.events.some((e) => e.id === own.iq.attrs.id), "the session's own reply was paired as the console's");
      assert.ok(!alice.received.some(({ el }) => el.attrs.id === own.iq.attrs.id), "the session's own reply was handed to the console");
      assert.ok(!alice.log.list().some((e) => e.direction === "out" && e.kind === "presence"), "initial presence was sent unasked");
    } finally {
      await alice.close();
    }
    assert.equal(alice.session.isOpen, false);
    assert.equal((await alice.session.closed).code, "connect");
  });
}
