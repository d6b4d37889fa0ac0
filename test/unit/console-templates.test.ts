import assert from "node:assert/strict";
import { test } from "node:test";
import { compose } from "../../src/core/console/compose";
import { STANZA_TEMPLATES, templateById } from "../../src/core/console/templates";

const CTX = { domain: "example.org", bareJid: "alice@example.org" };

test("every template passes compose() with the account's domain filled in", () => {
  assert.equal(STANZA_TEMPLATES.length, 12);
  for (const t of STANZA_TEMPLATES) {
    const { stanzas } = compose(t.xml(CTX), { secrets: ["s3cret-password"] });
    assert.equal(stanzas.length, 1, t.id);
    assert.ok(t.label.length > 0 && t.detail.length > 0, t.id);
  }
  assert.equal(new Set(STANZA_TEMPLATES.map((t) => t.id)).size, STANZA_TEMPLATES.length, "ids are unique");
});

test("each template asks what its name says, addressed as the servers require", () => {
  const expected: Record<string, [to: string | undefined, payload: string | null]> = {
    "disco-info": ["example.org", "query http://jabber.org/protocol/disco#info"],
    "disco-items": ["example.org", "query http://jabber.org/protocol/disco#items"],
    ping: ["example.org", "ping urn:xmpp:ping"],
    version: ["example.org", "query jabber:iq:version"],
    time: ["example.org", "time urn:xmpp:time"],
    roster: [undefined, "query jabber:iq:roster"],
    vcard: [undefined, "vCard vcard-temp"],
    sic1: [undefined, "address urn:xmpp:sic:1"],
    sic0: [undefined, "ip urn:xmpp:sic:0"],
    extdisco: ["example.org", "services urn:xmpp:extdisco:2"],
    message: ["alice@example.org", "body"],
    presence: [undefined, "priority"],
  };
  for (const [id, [to, payload]] of Object.entries(expected)) {
    const el = compose(templateById(id)!.xml(CTX)).stanzas[0]!.element;
    assert.equal(el.attrs.to, to, id);
    const child = el.getChildElements()[0];
    assert.equal(child ? [child.name, child.attrs.xmlns].filter(Boolean).join(" ") : null, payload, id);
    if (el.name === "iq") assert.equal(el.attrs.type, "get", id);
  }
});

test("without a bare JID the message goes to a placeholder on the domain; odd domains are escaped", () => {
  const el = compose(templateById("message")!.xml({ domain: "example.org" })).stanzas[0]!.element;
  assert.equal(el.attrs.to, "someone@example.org");
  const odd = compose(templateById("ping")!.xml({ domain: `a"b<c` })).stanzas[0]!.element;
  assert.equal(odd.attrs.to, `a"b<c`);
});
