// Server profiles across versions: what the CLI (~/.cache/xmpp-sic/servers.json) and the extension
// (globalState) saved before questions existed still loads, and each question finds its entry.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Element } from "@xmpp/xml";
import { discoPlanner } from "../../src/core/questions/disco";
import { sicQuestion } from "../../src/core/questions/sic";
import { ProfileCache, type ServerProfile } from "../../src/core/session/serverProfile";
import { NS_SIC_0, NS_SIC_1 } from "../../src/core/sic";

/** A profile as version 1 wrote it: disco#info's features and the query at the top level. */
const VERSION_1 = {
  plainFeatures: "urn:ietf:params:xml:ns:xmpp-tls#starttls",
  secureFeatures: "urn:ietf:params:xml:ns:xmpp-sasl#mechanisms[PLAIN,SCRAM-SHA-1]",
  boundFeatures: "urn:ietf:params:xml:ns:xmpp-bind#bind",
  mechanism: "SCRAM-SHA-1",
  sessionRequired: false,
  discoFeatures: ["http://jabber.org/protocol/disco#info", NS_SIC_0],
  query: { namespace: NS_SIC_0, element: "address" },
};
const KEY = "starttls|example.org|xmpp.example.org|5222";

/** The requests a question writes when it starts, pipelined, from this profile. */
function firstRequest(profile: ServerProfile, protocol: "auto" | "sic:1" = "auto"): Element {
  const features = discoPlanner.recall(profile.answers[discoPlanner.key]);
  assert.ok(features !== undefined, "the planner could not use the remembered features");
  const sent: Element[] = [];
  sicQuestion(protocol).start({ domain: "example.org", features, memory: profile.answers.sic, request: (_t, payload) => (sent.push(payload), "id") });
  assert.equal(sent.length, 1);
  return sent[0]!;
}

test("a version-1 profile (as saved to servers.json or globalState) loads and its answers reach the questions", () => {
  const cache = new ProfileCache();
  cache.load(JSON.parse(JSON.stringify({ [KEY]: VERSION_1 })));
  const profile = cache.get(KEY);
  assert.ok(profile, "the old profile was dropped");
  assert.equal(profile.mechanism, "SCRAM-SHA-1");
  assert.equal(profile.secureFeatures, VERSION_1.secureFeatures);
  assert.ok(!("discoFeatures" in profile) && !("query" in profile), "the old fields stayed at the top level");
  assert.deepEqual(discoPlanner.recall(profile.answers[discoPlanner.key]), VERSION_1.discoFeatures);
  // The remembered query goes first, not the first of the plan (which would be sic:0's <ip/>).
  const request = firstRequest(profile);
  assert.equal(request.name, "address");
  assert.equal(request.attrs.xmlns, NS_SIC_0);
});

test("a converted profile saves in the new form and loads again unchanged", () => {
  const cache = new ProfileCache();
  cache.load({ [KEY]: VERSION_1 });
  const saved = JSON.parse(JSON.stringify(cache));
  assert.deepEqual(Object.keys(saved[KEY].answers).sort(), ["disco#info", "sic"]);
  const again = new ProfileCache();
  again.load(saved);
  assert.deepEqual(again.toJSON(), cache.toJSON());
});

test("an unusable remembered query is ignored: the plan from the features goes first", () => {
  const cache = new ProfileCache();
  cache.load({ [KEY]: { ...VERSION_1, query: { namespace: "urn:example:evil", element: "address" }, discoFeatures: [NS_SIC_1] } });
  const request = firstRequest(cache.get(KEY)!);
  assert.equal(request.attrs.xmlns, NS_SIC_1);
  // A forced version is sent as forced, whatever was remembered.
  const forced = new ProfileCache();
  forced.load({ [KEY]: VERSION_1 });
  assert.equal(firstRequest(forced.get(KEY)!, "sic:1").attrs.xmlns, NS_SIC_1);
});

test("unusable remembered features leave the planner to ask again", () => {
  for (const features of [["x".repeat(5000)], [42], "urn:xmpp:sic:1", Array(1000).fill("f")]) {
    assert.equal(discoPlanner.recall(features), undefined, JSON.stringify(features).slice(0, 40));
  }
});

test("profiles that are not whole are dropped, of either version", () => {
  const { mechanism: _mechanism, ...noMechanism } = VERSION_1;
  const { discoFeatures: _disco, ...noDisco } = VERSION_1;
  const current = { ...noDisco, query: undefined, answers: { sic: VERSION_1.query } };
  const cache = new ProfileCache();
  cache.load({
    noMechanism,
    noDisco,
    answersArray: { ...current, answers: [] },
    answersHuge: { ...current, answers: { "disco#info": Array(300).fill("y".repeat(1000)) } },
    answersMany: { ...current, answers: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`q${i}`, true])) },
    whole: current,
  });
  assert.deepEqual(Object.keys(cache.toJSON()), ["whole"]);
});
