// SASL2 (XEP-0388) + Bind 2 (XEP-0386) offers: when they are used, and how profiles remember them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStanza } from "../support/xml";
import { sasl2MechanismFor } from "../../src/core/sasl";
import { featureSignature, ProfileCache } from "../../src/core/session/serverProfile";


// As Prosody's mod_sasl2 + mod_sasl2_bind2 advertise them.
const offer = (mechanisms: string[], bind = true) =>
  parseStanza(
    `<stream:features><authentication xmlns='urn:xmpp:sasl:2'>${mechanisms.map((m) => `<mechanism>${m}</mechanism>`).join("")}` +
      `<inline>${bind ? "<bind xmlns='urn:xmpp:bind:0'><inline><feature var='urn:xmpp:csi:0'/></inline></bind>" : ""}</inline></authentication>` +
      `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
  );

test("SASL2 is used only with Bind 2 inlined and a mechanism we support", () => {
  assert.equal(sasl2MechanismFor(offer(["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"])), "SCRAM-SHA-256");
  assert.equal(sasl2MechanismFor(offer(["SCRAM-SHA-1"], false)), null);
  assert.equal(sasl2MechanismFor(offer(["X-OAUTH2"])), null);
  assert.equal(sasl2MechanismFor(parseStanza("<stream:features/>")), null);
});

test("the feature signature covers SASL2's mechanisms and inline features", () => {
  const a = featureSignature(offer(["SCRAM-SHA-1"]));
  assert.match(a, /urn:xmpp:sasl:2#authentication\[SCRAM-SHA-1;inline:urn:xmpp:bind:0#bind\]/);
  assert.notEqual(a, featureSignature(offer(["SCRAM-SHA-1"], false)));
  assert.notEqual(a, featureSignature(offer(["SCRAM-SHA-1", "PLAIN"])));
});

test("saved profiles: login is optional, and only known values load", () => {
  const base = { plainFeatures: null, secureFeatures: "x", boundFeatures: "", mechanism: "SCRAM-SHA-1", sessionRequired: false, discoFeatures: [], query: { namespace: "urn:xmpp:sic:1", element: "address" } };
  const cache = new ProfileCache();
  cache.load({ old: base, sasl2: { ...base, login: "sasl2-bind2" }, bogus: { ...base, login: "sasl3" } });
  assert.deepEqual(Object.keys(cache.toJSON()).sort(), ["old", "sasl2"]);
});
