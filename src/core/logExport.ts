// The stanza log as a well-formed XML document, for saving and sharing. Entries keep their raw
// (already redacted) XML in CDATA, because a stream header alone is an open tag, not an element.
// Entries are displayable already (stanzaLog.ts); neutralised again here, as the file leaves the core.
import type { StanzaLogEntry } from "./stanzaLog";
import { neutralise } from "./text";

const attr = (s: string) => neutralise(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
const cdata = (s: string) => `<![CDATA[${neutralise(s, { keepLines: true }).split("]]>").join("]]]]><![CDATA[>")}]]>`;

export function exportLogXml(entries: readonly StanzaLogEntry[], labels: (checkId: string) => string = (id) => id): string {
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!-- Exported by xmpp-sic on ${new Date().toISOString()}. Redacted: SASL payloads and passwords never appear. -->`,
    `<stanza-log xmlns="urn:xmpp-sic:log:0">`,
  ];
  for (const e of entries) {
    lines.push(
      `  <entry seq="${e.seq}" time="${new Date(e.time).toISOString()}" direction="${e.direction}" kind="${e.kind}" ` +
        `check="${attr(labels(e.checkId))}" summary="${attr(e.summary)}">${cdata(e.xml)}</entry>`,
    );
  }
  lines.push(`</stanza-log>`, "");
  return lines.join("\n");
}
