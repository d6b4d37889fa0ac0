// The same hostility against a pipelined check: the server behaves for the first check (which
// profiles it, see serverProfile.ts), then turns hostile, so the second check sends its steps
// without waiting (starttls with the header, auth with the header after TLS, bind and the query
// with the header after login) into a server that no longer plays along. Each still ends in the
// exact code, in time, nothing open, no credentials outside verified TLS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ErrorCode } from "../../src/core";
import { expectError, expectResult, scenario } from "./helpers";
import { NS_SASL, NS_SIC_1, type Script } from "./server";

const cases: [label: string, hostile: Script, code: ErrorCode, pattern?: RegExp][] = [
  ["stream error after TLS", { onHeader: async (c, stage) => stage === "tls" && (await c.header(), await c.streamError("policy-violation"), true) }, "stream-error", /<policy-violation\/>/],
  ["stream error during SASL", { onAuth: async (c) => (await c.streamError("not-authorized"), true) }, "stream-error", /<not-authorized\/>/],
  ["stream error after bind", { afterBind: async (c) => (await c.streamError("system-shutdown"), true) }, "stream-error", /<system-shutdown\/>/],
  ["stream error as the reply", { onQuery: async (c) => (await c.streamError("resource-constraint"), true) }, "stream-error", /<resource-constraint\/>/],
  ["SASL failure", { users: { alice: "changed password" } }, "auth", /wrong JID or password/],
  ["an unexpected SASL element", { onAuth: async (c) => (await c.send(`<challenge xmlns='${NS_SASL}'>AAAA</challenge>`), true) }, "bad-reply", /unexpected SASL <challenge\/>/],
  ["the socket closed after the query", { onQuery: (c) => (c.destroy(), true) }, "connect", /closed the connection/],
  ["no reply at all", { onQuery: () => true }, "timeout", /No answer within/],
  ["a malformed answer", { onQuery: async (c, q) => (await c.result(q.id, `<address xmlns='${NS_SIC_1}'><ip>not-an-ip</ip></address>`), true) }, "bad-reply", /"not-an-ip" is not/],
  ["forbidden", { onQuery: async (c, q) => (await c.error(q.id, "forbidden"), true) }, "forbidden", /<forbidden\/>/],
  ["malformed XML as the reply", { onQuery: async (c) => (await c.send("<iq><a></b></iq>"), true) }, "bad-reply", /malformed XML/],
];

describe("hostile after being profiled: the pipelined check fails the same way", () => {
  for (const [label, hostile, code, pattern] of cases) {
    test(`${label}: ${code}`, () =>
      scenario({}, async (server) => {
        await expectResult(server);
        Object.assign(server.script, hostile);
        const before = server.connections.length;
        const { error } = await expectError(server, code, pattern, code === "timeout" ? { timeoutMs: 1_500 } : {});
        assert.ok(error.message.length > 0);
        // Whatever happened, credentials went only inside TLS (this server always requires it).
        for (const c of server.connections.slice(before)) {
          const auth = c.received.indexOf("<auth");
          if (auth !== -1) assert.ok(c.received.indexOf("<starttls") < auth, "auth before starttls");
        }
      }));
  }

  test("SCRAM impostor after being profiled: auth, and no query is answered", () =>
    scenario({ mechanisms: ["SCRAM-SHA-256"] }, async (server) => {
      await expectResult(server);
      server.script.scram = { wrongServerSignature: true };
      const queriesBefore = server.queries.length;
      await expectError(server, "auth", /SCRAM server signature mismatch/);
      // A pipelined query may have been sent behind bind; it must not have been taken as an answer.
      assert.ok(server.queries.length - queriesBefore <= 1);
    }));
});
