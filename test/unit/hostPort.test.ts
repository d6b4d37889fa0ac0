// What a person types as the server (and a CA path), read as meant.
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { test } from "node:test";
import { expandHome, splitHostPort } from "../../src/vscode/hostPort";

test("host:port is split; a bare host or IPv6 address is kept whole", () => {
  assert.deepEqual(splitHostPort("127.0.0.1:5222"), { host: "127.0.0.1", port: 5222 });
  assert.deepEqual(splitHostPort(" xmpp.example.org:5223 "), { host: "xmpp.example.org", port: 5223 });
  assert.deepEqual(splitHostPort("[2001:db8::7]:5222"), { host: "2001:db8::7", port: 5222 });
  assert.deepEqual(splitHostPort("[::1]"), { host: "::1" });
  assert.deepEqual(splitHostPort("2001:db8::7"), { host: "2001:db8::7" });
  assert.deepEqual(splitHostPort("::1"), { host: "::1" });
  assert.deepEqual(splitHostPort("xmpp.example.org"), { host: "xmpp.example.org" });
});

test("a port that is not one, or a host with spaces, is refused with a sentence", () => {
  assert.match(splitHostPort("127.0.0.1:abc") as string, /After the colon comes the port: Port must be a whole number/);
  assert.match(splitHostPort("127.0.0.1:70000") as string, /from 1 to 65535/);
  assert.match(splitHostPort("xmpp example.org") as string, /no spaces or slashes/);
  assert.match(splitHostPort("https://xmpp.example.org") as string, /no spaces or slashes/);
});

test("the sentences come from the localizer the caller passes (the extension passes vscode.l10n)", () => {
  const asked: string[] = [];
  const marked = { t: (message: string, ...args: Array<string | number | boolean>) => (asked.push(message), `[${message}|${args.join(",")}]`) };
  assert.equal(splitHostPort("xmpp example.org", marked), "[A host name or IP address has no spaces or slashes.|]");
  const bad = splitHostPort("127.0.0.1:abc", marked) as string;
  assert.match(bad, /^\[After the colon comes the port: \{0\}\|Port must be a whole number/);
  assert.deepEqual(asked, ["A host name or IP address has no spaces or slashes.", "After the colon comes the port: {0}"]);
});

test("~ and ~/ are the home directory; anything else is as typed", () => {
  assert.equal(expandHome("~/ca.pem"), `${homedir()}/ca.pem`);
  assert.equal(expandHome("~"), homedir());
  assert.equal(expandHome(" /etc/ssl/ca.pem "), "/etc/ssl/ca.pem");
  assert.equal(expandHome("~other/ca.pem"), "~other/ca.pem");
});
