// Stanzas of the log made editable again. Pure (no `vscode`): a rewrite of the root start tag of
// the log's serialised, redacted XML, whose attribute values are always quoted and escaped.
// - Edit and Resend (a sent stanza): the same stanza without its id, so compose() gives the resend
//   a fresh one and its reply is not mistaken for the first one's.
// - Copy as Template (a received stanza): no id, addressed back to whoever sent it, and no `from`
//   (the server stamps that).
import { prettyXml } from "../../core";

const START_TAG = /^(\s*<)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)(\s*\/?>)/;
const ATTRIBUTE = /\s+([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')/g;

type Attribute = { name: string; value: string };

/** The pretty-printed XML with the root's attributes rewritten; null when it does not start with an element. */
function rewriteRoot(xml: string, rewrite: (attrs: Attribute[]) => Attribute[]): string | null {
  const start = START_TAG.exec(xml);
  if (!start) return null;
  const [whole, open, name, attrText, close] = start as unknown as [string, string, string, string, string];
  const attrs = rewrite([...attrText.matchAll(ATTRIBUTE)].map((m) => ({ name: m[1]!, value: m[2]! })));
  return prettyXml(`${open.trimStart()}${name}${attrs.map((a) => ` ${a.name}=${a.value}`).join("")}${close.trim()}${xml.slice(whole.length)}`);
}

export function forResend(xml: string): string | null {
  return rewriteRoot(xml, (attrs) => attrs.filter((a) => a.name !== "id"));
}

export function templateFromReceived(xml: string): string | null {
  return rewriteRoot(xml, (attrs) => {
    const from = attrs.find((a) => a.name === "from");
    const kept = attrs.filter((a) => a.name !== "id" && a.name !== "from" && a.name !== "to");
    return from ? [...kept, { name: "to", value: from.value }] : kept;
  });
}
