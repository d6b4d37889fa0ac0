// Properties of XEP-0215 parsing (src/core/extdisco.ts): any attributes give a bounded list of
// valid services and never put a credential into what can be displayed or serialised.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { xml } from "@xmpp/xml";
import { MAX_SERVICES, NS_EXTDISCO_2, parseExtdisco } from "../../src/core/extdisco";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) };

const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("stun", "turn", "udp", "tcp", "1", "true", "3478", "0.0.0.0", "127.0.0.1", "a.example"));
const service = fc.record(
  { type: text, host: text, port: text, transport: text, restricted: text, username: fc.string({ maxLength: 20 }).map((u) => `SECRET-U-${u}`), password: fc.string({ maxLength: 20 }).map((p) => `SECRET-P-${p}`), expires: text, name: text },
  { requiredKeys: [] },
);

test("parseExtdisco: bounded valid services, credentials only through credentialsFor", () => {
  fc.assert(
    fc.property(fc.array(service, { maxLength: 40 }), fc.option(fc.ipV4(), { nil: undefined }), (entries, serverIp) => {
      const reply = parseExtdisco(xml("iq", { type: "result" }, xml("services", { xmlns: NS_EXTDISCO_2 }, ...entries.map((e) => xml("service", e)))), serverIp);
      assert.ok(reply.services.length <= MAX_SERVICES && reply.skipped.length <= MAX_SERVICES);
      const shown = JSON.stringify(reply.services) + JSON.stringify(reply.skipped);
      for (const s of reply.services) {
        assert.ok(["stun", "stuns", "turn", "turns"].includes(s.type));
        assert.ok(Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535);
        assert.ok(s.transport === "udp" || s.transport === "tcp");
        if (s.hasCredentials) assert.match(reply.credentialsFor(s)?.password ?? "", /^SECRET-P-/);
      }
      assert.ok(!shown.includes("SECRET-"), shown);
    }),
    RUNS,
  );
});
