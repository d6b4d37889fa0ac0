import assert from "node:assert/strict";
import { test } from "node:test";
import { prettyXml } from "../../src/core/prettyXml";

test("nested elements are indented, text kept inline", () => {
  assert.equal(
    prettyXml(`<iq type="result" id="a"><address xmlns="urn:xmpp:sic:1"><ip>192.0.2.1</ip><port>5</port></address></iq>`),
    [`<iq type="result" id="a">`, `  <address xmlns="urn:xmpp:sic:1">`, `    <ip>192.0.2.1</ip>`, `    <port>5</port>`, `  </address>`, `</iq>`].join("\n"),
  );
});

test("escaping survives the round trip", () => {
  assert.equal(prettyXml(`<body a="x&quot;y">1 &lt; 2 &amp; 3</body>`), `<body a="x&quot;y">1 &lt; 2 &amp; 3</body>`);
});

test("stream headers get one attribute per line; comments and broken XML pass through", () => {
  assert.equal(prettyXml(`<stream:stream to='localhost' version='1.0'>`), `<stream:stream\n  to='localhost'\n  version='1.0'>`);
  assert.equal(prettyXml(`<!-- TLS established -->`), `<!-- TLS established -->`);
  assert.equal(prettyXml(`<a><b></a>`), `<a><b></a>`);
});
