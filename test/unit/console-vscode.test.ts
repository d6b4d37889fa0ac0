// The VS Code console's pure parts: the snippets file is the core's templates (domain and JID as
// tab stops), Edit and Resend drops only the id, Copy as Template addresses the stanza back to its
// sender without id or from — and what both produce is something compose() accepts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compose, STANZA_TEMPLATES } from "../../src/core/console";
import { SendHistories } from "../../src/vscode/console/sendHistory";
import { forResend, templateFromReceived } from "../../src/vscode/console/stanzaTemplate";
import { templateSnippets } from "../../src/vscode/console/templateSnippets";

const ROOT = join(__dirname, "..", "..", "..");

test("snippets/xml.json holds every stanza template, the domain as a tab stop", () => {
  const file = JSON.parse(readFileSync(join(ROOT, "snippets/xml.json"), "utf8"));
  assert.deepEqual(file, templateSnippets(), "regenerate snippets/xml.json from templateSnippets()");
  assert.equal(Object.keys(file).length, STANZA_TEMPLATES.length);
  const disco = Object.values(file as Record<string, { prefix: string; body: string[] }>).find((s) => s.prefix === "xmpp-disco-info")!;
  assert.match(disco.body[0]!, /to="\$\{1:example\.org\}"/);
  // With the tab stops filled in as VS Code would, every snippet is a stanza compose() accepts.
  for (const [label, s] of Object.entries(file as Record<string, { body: string[] }>)) {
    const text = s.body.join("\n").replace(/\$\{1:([^}]*)\}/g, "$1").replace(/\$\{2:([^}]*)\}/g, "$1");
    assert.equal(compose(text).stanzas.length, 1, label);
  }
});

test("Edit and Resend: the sent stanza without its id, everything else kept", () => {
  const sent = `<iq xmlns="jabber:client" type="get" to="localhost" id="sic-1a2b"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`;
  const text = forResend(sent)!;
  assert.doesNotMatch(text, /id=/);
  assert.match(text, /to="localhost"/);
  assert.match(text, /<query xmlns="http:\/\/jabber\.org\/protocol\/disco#info"\/>/);
  const again = compose(text, { newId: () => "fresh" }).stanzas[0]!;
  assert.equal(again.id, "fresh");
  assert.equal(again.element.attrs.to, "localhost");
  assert.equal(forResend("not xml"), null);
});

test("Copy as Template: a received stanza addressed back to its sender, no id, no from", () => {
  const received = `<message xmlns="jabber:client" from="bob@example.org/phone" to="alice@example.org/sic" id='m&amp;1' type="chat"><body>hi &lt;there&gt;</body></message>`;
  const text = templateFromReceived(received)!;
  assert.doesNotMatch(text, /\bid=|\bfrom=/);
  assert.match(text, /to="bob@example\.org\/phone"/);
  assert.doesNotMatch(text, /alice@/);
  const stanza = compose(text).stanzas[0]!;
  assert.equal(stanza.element.attrs.to, "bob@example.org/phone");
  assert.equal(stanza.element.attrs.type, "chat");
  assert.equal(stanza.element.getChildText("body"), "hi <there>");
  // No from: nothing to address it to, so no `to` either (the server answers for the account).
  const pushed = templateFromReceived(`<iq type="set" id="push1" to="alice@example.org/sic"><query xmlns="jabber:iq:roster"/></iq>`)!;
  assert.doesNotMatch(pushed, /\bto=|\bid=/);
});

/** globalState as VS Code keeps it: a key-value store (what SendHistories reads and writes). */
class MemoryMemento {
  readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}

test("send history per account in globalState: recent first, never the password, forgotten with the account", async () => {
  const state = new MemoryMemento();
  const histories = new SendHistories(state as never);
  const secret = "correct horse battery";
  await histories.add("a1", "<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>", [secret]);
  await histories.add("a1", "<message to='b@x'><body>hi</body></message>", [secret]);
  await histories.add("a1", `<message to='b@x'><body>${secret}</body></message>`, [secret]);
  await histories.add("a2", "<presence/>", ["other"]);
  assert.deepEqual(histories.recall("a1"), ["<message to='b@x'><body>hi</body></message>", "<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>"]);
  assert.ok(![...state.values.values()].some((v) => String(v).includes("horse")), "the password reached globalState");
  // Survives a reload: a fresh reader over the same store.
  assert.equal(new SendHistories(state as never).recall("a2")[0], "<presence/>");
  // Bounded, whatever was stored.
  for (let i = 0; i < 150; i++) await histories.add("a2", `<presence id='${i}'/>`, []);
  assert.equal(histories.recall("a2").length, 100);
  assert.equal(histories.recall("a2")[0], "<presence id='149'/>");
  await state.update("unrelated", 1);
  await histories.keepOnly(["a2"]);
  assert.deepEqual(histories.recall("a1"), []);
  assert.equal(histories.recall("a2").length, 100);
  assert.equal(state.get("unrelated"), 1);
});
