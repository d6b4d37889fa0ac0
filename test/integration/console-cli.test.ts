// xmpp-sic console with its input piped (not a terminal): stanzas typed over several lines are sent
// when complete, replies are shown paired, a refused element is not sent, the history is kept in
// the cache directory without the password, and there is no colour off a terminal.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/cli";
import { account, KINDS, serverOrSkip } from "../support/servers";

for (const kind of KINDS) {
  test(`${kind}: console — multi-line input, templates, refusals, paired replies, history without secrets`, async (t) => {
    const server = await serverOrSkip(t, kind);
    if (!server) return;
    const { jid, password } = account(server);
    const cache = mkdtempSync(join(tmpdir(), "xmpp-sic-console-"));
    try {
      const input = [
        `<iq type="get" to="${server.domain}" id="typed-ping">`,
        `  <ping xmlns="urn:xmpp:ping"/>`,
        `</iq>`,
        `/templates`,
        `/send disco-info`,
        `<iq type="set"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`,
        `<message to="nobody@${server.domain}"><body>${password}</body></message>`,
        "",
      ].join("\n");
      const args = ["console", jid, "--host", "127.0.0.1", "--port", String(server.starttlsPort), "--ca", server.certs.caFile];
      const run = await runCli(args, { env: { XMPP_PASSWORD: password, XDG_CACHE_HOME: cache }, stdin: input });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /^Connected as alice@localhost\/\S+\. \/help for commands\.$/m);
      assert.match(run.stdout, /^\d\d:\d\d:\d\d\.\d{3} → iq get → urn:xmpp:ping\n<iq [^\n]*id="typed-ping"/m);
      assert.match(run.stdout, /^✓ result to typed-ping in \d+\.\d ms$/m);
      assert.match(run.stdout, /^disco-info {3}Service discovery/m);
      assert.equal(run.stdout.match(/^✓ result to /gm)?.length, 2, "the template's reply is paired too");
      assert.match(run.stdout, /^Not sent: Line 1, column \d+: .*bind/im);
      assert.match(run.stdout, /^Not sent: .*password/im);
      assert.ok(!run.stdout.includes("\u001b["), "colour off a terminal");
      assert.ok(!run.stdout.includes("The session ended"), "a quit is not reported as the server ending the session");
      assert.ok(!run.stdout.includes(password) && !run.stderr.includes(password));
      const history = readFileSync(join(cache, "xmpp-sic", "console-history.json"), "utf8");
      assert.match(history, /typed-ping/);
      assert.ok(!history.includes(password));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
}
