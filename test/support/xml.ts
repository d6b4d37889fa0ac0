// Parsing test stanzas as the stream does: inside a stream header, which sets the prefixes.
import assert from "node:assert/strict";
import { Parser, type Element } from "@xmpp/xml";

export function parseStanza(xmlText: string): Element {
  const parser = new Parser();
  let out: Element | undefined;
  parser.on("start", () => {});
  parser.on("element", (el) => (out = el));
  parser.write(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>${xmlText}`);
  assert.ok(out, "test stanza did not parse");
  return out;
}
