// The Stanza Log's model without VS Code: entries recorded from real elements by the core's
// StanzaRecorder, pairs from a PairBook-shaped lookup (a console) or derived (a check), and what
// the rows, filters, groups and search make of them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTranscriptJsonLines, transcriptJsonLines, type PairRecord } from "../../src/core/console/transcript";
import { StanzaLog, StanzaRecorder, type StanzaLogEntry } from "../../src/core/stanzaLog";
import { englishL10n, filterDescription, groupEntries, headerOf, HeaderCache, isFiltered, NO_FILTER, searchMatches } from "../../src/vscode/stanzaFilter";
import { GROUP_ROWS, StanzaLogModel, type GroupSource } from "../../src/vscode/stanzaModel";
import { importTranscript } from "../../src/vscode/stanzaImport";
import { errorCondition, pairText } from "../../src/vscode/stanzaPairs";
import { parseStanza } from "../support/xml";

const parse = parseStanza;

const STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
const DISCO = "http://jabber.org/protocol/disco#info";

/** A log, a recorder per group, and a PairBook stand-in that records as the console does. */
function fixture(kinds: Record<string, "check" | "console"> = { c1: "console" }) {
  const log = new StanzaLog();
  const book = new Map<number, PairRecord>();
  const record = (pair: PairRecord) => {
    book.set(pair.request, pair);
    if (pair.reply !== null) book.set(pair.reply, pair);
  };
  const groups: GroupSource = { kind: (id) => kinds[id], jid: () => "alice@example.org" };
  const model = new StanzaLogModel(log, { pairOf: (seq) => book.get(seq) }, groups);
  const recorders = new Map<string, StanzaRecorder>();
  const add = (group: string, direction: "in" | "out", xml: string): StanzaLogEntry => {
    const rec = recorders.get(group) ?? new StanzaRecorder(log, group, []);
    recorders.set(group, rec);
    rec.element(direction, parse(xml));
    return log.list().at(-1)!;
  };
  const describe = (e: StanzaLogEntry) =>
    pairText(e, { pair: model.pairOf(e.seq), entry: (s) => model.entry(s), condition: (r) => model.condition(r), label: (x) => model.label(x) }, englishL10n);
  return { log, model, record, add, describe };
}

test("a console's request rows say ✓ result with latency, ✗ with the error's condition, ⏱ no reply; replies name their request", () => {
  const { model, record, add, describe } = fixture();
  const ping = add("c1", "out", `<iq type="get" id="p1" to="example.org"><ping xmlns="urn:xmpp:ping"/></iq>`);
  const pong = add("c1", "in", `<iq type="result" id="p1" from="example.org"/>`);
  const disco = add("c1", "out", `<iq type="get" id="d1" to="nobody@example.org"><query xmlns="${DISCO}"/></iq>`);
  // The condition comes first in <error>, after a <text>: read by namespace, not by position.
  const err = add(
    "c1",
    "in",
    `<iq type="error" id="d1" from="nobody@example.org"><query xmlns="${DISCO}"/><error type="cancel"><text xmlns="${STANZAS}">gone</text><item-not-found xmlns="${STANZAS}"/></error></iq>`,
  );
  const lost = add("c1", "out", `<iq type="get" id="v1" to="example.org"><query xmlns="jabber:iq:version"/></iq>`);
  const waiting = add("c1", "out", `<iq type="get" id="t1" to="example.org"><time xmlns="urn:xmpp:time"/></iq>`);
  const chat = add("c1", "in", `<message from="bob@example.org/x" type="chat"><body>hi</body></message>`);
  record({ request: ping.seq, reply: pong.seq, latencyMs: 12.4, outcome: "result" });
  record({ request: disco.seq, reply: err.seq, latencyMs: 15, outcome: "error" });
  record({ request: lost.seq, reply: null, latencyMs: null, outcome: "no-reply" });
  model.invalidate();

  assert.equal(describe(ping), "✓ result 12 ms");
  assert.equal(describe(disco), "✗ item-not-found 15 ms");
  assert.equal(describe(lost), "⏱ no reply");
  assert.equal(describe(waiting), "… no reply yet");
  assert.equal(describe(pong), "↩ answers ping");
  assert.equal(describe(err), "↩ answers disco#info");
  assert.equal(describe(chat), undefined);
  assert.equal(model.partnerOf(ping.seq), pong.seq);
  assert.equal(model.partnerOf(pong.seq), ping.seq);
  assert.equal(model.partnerOf(lost.seq), undefined);
});

test("an error whose XML the console cannot read still shows the summary's condition", () => {
  // Echoing a bind payload makes compose() refuse the stanza: the summary's condition is used.
  const xml = `<iq type="error" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/><error type="modify"><bad-request xmlns="${STANZAS}"/></error></iq>`;
  assert.equal(errorCondition({ xml, summary: "iq error → urn:ietf:params:xml:ns:xmpp-bind (bad-request)" }), "bad-request");
  // A condition outside the stanzas namespace is no defined condition.
  const spoof = `<iq type="error" id="c"><error type="cancel"><item-not-found xmlns="urn:example:evil"/></error></iq>`;
  assert.equal(errorCondition({ xml: spoof, summary: "iq error (item-not-found)" }), "undefined-condition");
});

test("a check's pairs are derived by id and sender; a reply from another address is not taken", () => {
  const { model, add, describe } = fixture({ k1: "check" });
  const req = add("k1", "out", `<iq type="get" id="s1" to="example.org"><address xmlns="urn:xmpp:sic:1"/></iq>`);
  const spoof = add("k1", "in", `<iq type="result" id="s1" from="mallory@evil.example"/>`);
  const reply = add("k1", "in", `<iq type="result" id="s1" from="example.org"><address xmlns="urn:xmpp:sic:1"><ip>192.0.2.7</ip></address></iq>`);
  assert.equal(model.partnerOf(req.seq), reply.seq);
  assert.equal(model.partnerOf(spoof.seq), undefined);
  assert.match(describe(req)!, /^✓ result \d+(\.\d)? ms$/);
  assert.equal(describe(reply), "↩ answers sic:1");
});

test("filters: direction, JID in to/from, unpaired only, kinds and text together; described in the view's words", () => {
  const { model, record, add } = fixture();
  const a = add("c1", "out", `<iq type="get" id="1" to="example.org"><ping xmlns="urn:xmpp:ping"/></iq>`);
  const b = add("c1", "in", `<iq type="result" id="1" from="example.org"/>`);
  const c = add("c1", "out", `<iq type="get" id="2" to="Bob@Example.org/phone"><query xmlns="${DISCO}"/></iq>`);
  const d = add("c1", "in", `<message from="bob@example.org/phone"><body>x</body></message>`);
  const e = add("c1", "in", `<presence from="carol@example.org"/>`);
  record({ request: a.seq, reply: b.seq, latencyMs: 3, outcome: "result" });
  const shown = () => [...model.groups.values()].flat().map((x) => x.seq);

  model.setFilter({ direction: "in" });
  assert.deepEqual(shown(), [b.seq, d.seq, e.seq]);
  model.setFilter({ direction: "out" });
  assert.deepEqual(shown(), [a.seq, c.seq]);
  model.setFilter({ direction: "all", jid: "bob@example" });
  assert.deepEqual(shown(), [c.seq, d.seq], "JIDs compare without case, to or from");
  model.setFilter({ jid: "", unpairedOnly: true });
  assert.deepEqual(shown(), [c.seq]);
  assert.equal(model.visibleCount, 1);
  assert.equal(filterDescription(model.filter, englishL10n), "filter: unpaired");
  model.setFilter({ unpairedOnly: false, kinds: new Set(["iq", "presence"]), direction: "in", jid: "carol", text: "carol" });
  assert.deepEqual(shown(), [e.seq]);
  assert.equal(filterDescription(model.filter, englishL10n), `filter: iq, presence · received · JID "carol" · "carol"`);
  model.setFilter(NO_FILTER);
  assert.equal(isFiltered(model.filter), false);
  assert.equal(model.visibleCount, 5);
});

test("headers: to/from/id/type of the first tag only, entities decoded, hostile walls not read", () => {
  assert.deepEqual(headerOf(`<iq type='get' id="a&amp;b" to="x@y"><query to="not-me"/></iq>`), { type: "get", id: "a&b", to: "x@y" });
  assert.deepEqual(headerOf(`<!-- a note -->`), {});
  assert.deepEqual(headerOf(`<message ${"a='1' ".repeat(2000)}from="z@y"/>`), {});
  const cache = new HeaderCache(3);
  for (let seq = 1; seq <= 5; seq++) cache.of({ seq, xml: `<presence from="p${seq}@y"/>` });
  // Bounded: the oldest seqs are parsed again (same answer), the newest kept.
  assert.equal(cache.of({ seq: 5, xml: `<presence from="changed@y"/>` }).from, "p5@y");
  assert.equal(cache.of({ seq: 1, xml: `<presence from="again@y"/>` }).from, "again@y");
});

test("groups: the one with the newest entry first, entries oldest first; search counts matches in that order", () => {
  const { log, add, model } = fixture({ c1: "console", k1: "check" });
  add("k1", "out", `<presence id="k-1"/>`);
  add("c1", "out", `<message to="a@x" id="c-1"><body>needle one</body></message>`);
  add("k1", "out", `<message to="b@x" id="k-2"><body>needle two</body></message>`);
  add("c1", "in", `<message from="a@x" id="c-2"><body>needle three</body></message>`);
  const groups = groupEntries(log.list());
  assert.deepEqual([...groups.keys()], ["c1", "k1"]);
  assert.deepEqual(groups.get("c1")!.map((e) => e.seq), [2, 4]);
  assert.deepEqual(searchMatches(groups, "NEEDLE"), [2, 4, 3]);

  assert.equal(model.find("needle"), 2);
  assert.deepEqual({ ...model.search, matches: model.search!.matches.length }, { text: "needle", matches: 3, index: 0 });
  assert.equal(model.step(1), 4);
  assert.equal(model.step(1), 3);
  assert.equal(model.step(1), 2, "wraps around");
  assert.equal(model.step(-1), 3);
  // New entries arrive: the current match stays current, the count grows.
  add("c1", "in", `<message from="a@x" id="c-3"><body>needle four</body></message>`);
  model.invalidate();
  assert.equal(model.search!.matches.length, 4);
  assert.equal(model.search!.matches[model.search!.index], 3);
  model.endSearch();
  assert.equal(model.search, undefined);
  assert.equal(model.find("absent"), undefined);
  assert.equal(model.search!.index, -1);
});

test("the stanza log counts the entries it dropped, and looks entries up by seq", () => {
  const log = new StanzaLog({ maxEntries: 3, maxBytes: 1e9 });
  const rec = new StanzaRecorder(log, "c", []);
  for (let i = 0; i < 10; i++) rec.element("in", parse(`<presence id="${i}"/>`));
  assert.equal(log.dropped, 7);
  assert.equal(log.get(8)?.seq, 8);
  assert.equal(log.get(7), undefined, "a dropped entry is gone");
  assert.equal(log.get(11), undefined);
  assert.equal(log.oldestSeq, 8, "10 added, 3 kept: the oldest held is the 8th");
  const byBytes = new StanzaLog({ maxEntries: 1000, maxBytes: 100 });
  const rec2 = new StanzaRecorder(byBytes, "c", []);
  for (let i = 0; i < 20; i++) rec2.element("in", parse(`<presence id="${String(i).padStart(20, "0")}"/>`));
  assert.equal(byBytes.dropped + byBytes.size.entries, 20, "every entry is either held or counted as dropped");
  log.clear();
  assert.equal(log.dropped, 0, "clearing is not dropping");
  assert.equal(log.oldestSeq, 0, "an empty log has no oldest entry");
});

test("a JSON Lines export re-opens as a group with the same pairs; the file's text is neutralised", () => {
  const { log, model, record, add } = fixture();
  const ping = add("c1", "out", `<iq type="get" id="p1" to="example.org"><ping xmlns="urn:xmpp:ping"/></iq>`);
  const pong = add("c1", "in", `<iq type="result" id="p1" from="example.org"/>`);
  record({ request: ping.seq, reply: pong.seq, latencyMs: 12, outcome: "result" });
  const text = transcriptJsonLines(log.list(), [model.pairOf(ping.seq)!]);
  // A hostile line: a bidi override and an escape sequence in the summary and the XML.
  const hostile = JSON.stringify({ seq: 99, time: new Date(0).toISOString(), direction: "in", kind: "message", summary: "message \u202e\u001b[2J", xml: "<message>\u001b[31m</message>", pairedWith: null, latencyMs: null, outcome: null });
  const reopened = new StanzaLog();
  const view = new StanzaLogModel(reopened, { pairOf: () => undefined }, { kind: () => undefined, jid: () => undefined });
  const { entries, pairs } = importTranscript(reopened, parseTranscriptJsonLines(text + hostile + "\n"), "opened-1");
  view.addOpenedPairs(pairs);
  assert.equal(entries, 3);
  const [request, reply, message] = reopened.list();
  const describe = (e: StanzaLogEntry) => pairText(e, { pair: view.pairOf(e.seq), entry: (s) => view.entry(s), condition: (r) => view.condition(r), label: (x) => view.label(x) }, englishL10n);
  assert.equal(describe(request!), "✓ result 12 ms");
  assert.equal(describe(reply!), "↩ answers ping");
  assert.ok(!/[\u001b\u202e]/.test(message!.summary + message!.xml), `not neutralised: ${JSON.stringify(message)}`);
  assert.equal(request!.checkId, "opened-1");
});

test("a console's login iqs, which its PairBook never sees, are paired from the log itself", () => {
  const { model, add, describe } = fixture();
  const bind = add("c1", "out", `<iq type="set" id="b1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`);
  const bound = add("c1", "in", `<iq type="result" id="b1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>alice@example.org/r</jid></bind></iq>`);
  model.invalidate();
  assert.match(describe(bind) ?? "", /^✓ result \d+ ms$/, "the bind row is not left '… no reply yet'");
  assert.equal(model.partnerOf(bind.seq), bound.seq);
});

// A flood in one group: the view shows its newest GROUP_ROWS rows and one "earlier" row, so what a
// refresh computes (and VS Code draws) is bounded by what is shown; more on request; a search
// match or a paired stanza further back is shown by raising that group's limit.
test("a group shows its newest rows, earlier ones on request; revealing an older entry shows that far back", () => {
  const { model, add } = fixture({ flood: "console", small: "check" });
  const total = 2 * GROUP_ROWS + 150;
  const added = Array.from({ length: total }, (_, i) => add("flood", "in", `<message from="bob@example.org/r" id="m${i}"><body>n${i}</body></message>`));
  add("small", "out", `<iq type="get" id="s1"><query xmlns="${DISCO}"/></iq>`);

  const first = model.rowsOf("flood");
  assert.equal(first.entries.length, GROUP_ROWS);
  assert.equal(first.earlier, total - GROUP_ROWS);
  assert.deepEqual(first.entries.map((e) => e.seq), added.slice(-GROUP_ROWS).map((e) => e.seq), "not the newest rows, oldest first");
  assert.deepEqual(model.rowsOf("small"), { earlier: 0, entries: model.groups.get("small") }, "a small group is shown whole");

  model.showEarlier("flood");
  assert.equal(model.rowsOf("flood").entries.length, 2 * GROUP_ROWS);
  assert.equal(model.rowsOf("flood").earlier, 150);

  // The oldest entry: the limit rises to a whole number of steps that reaches it.
  assert.equal(model.ensureShown(added[0]!.seq), true);
  assert.deepEqual(model.rowsOf("flood"), { earlier: 0, entries: added });
  // An entry the filter hides cannot be shown by raising a limit.
  model.setFilter({ direction: "out" });
  assert.equal(model.ensureShown(added[0]!.seq), false);
});
