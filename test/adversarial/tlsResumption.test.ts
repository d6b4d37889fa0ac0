// TLS session resumption, proven against our own server (Node's TLS issues and accepts tickets;
// neither test-bed server resumes, see BENCHMARKS.md). A ticket is reused only under the same trust.
import assert from "node:assert/strict";
import { test } from "node:test";
import { check, StanzaLog } from "../../src/core";
import { optionsFor } from "./helpers";
import { AdversarialServer } from "./server";

const resumed = (log: StanzaLog) => log.list().some((e) => e.kind === "tls" && /resumed session/.test(e.summary));

for (const transport of ["starttls", "direct"] as const) {
  test(`${transport}: a repeated check resumes its TLS session, and only under the same trust`, async () => {
    const server = await AdversarialServer.start({ transport });
    try {
      const logs = [new StanzaLog(), new StanzaLog(), new StanzaLog()];
      await check({ ...optionsFor(server), log: logs[0]! });
      await check({ ...optionsFor(server), log: logs[1]! });
      const { caFile: _ca, ...withoutCa } = optionsFor(server);
      await check({ ...withoutCa, fingerprint: server.certs.fingerprint, log: logs[2]! });
      assert.deepEqual(logs.map(resumed), [false, true, false]);
    } finally {
      await server.stop();
    }
  });
}
