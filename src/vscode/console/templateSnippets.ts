// The stanza templates as a VS Code snippets file for `xml` (snippets/xml.json): the domain and
// the JID as tab stops. Pure, so a unit test keeps the checked-in file equal to STANZA_TEMPLATES.
import { STANZA_TEMPLATES } from "../../core";

export interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

/** `$` and `}` are snippet syntax: escaped in the template text, then the tab stops put in. */
export function templateSnippets(): Record<string, Snippet> {
  const DOMAIN = "\u0000domain\u0000";
  const USER = "\u0000user\u0000";
  const snippets: Record<string, Snippet> = {};
  for (const t of STANZA_TEMPLATES) {
    const text = t.xml({ domain: DOMAIN, bareJid: `${USER}@${DOMAIN}` })
      .replace(/[$}\\]/g, (c) => `\\${c}`)
      .replaceAll(DOMAIN, "${1:example.org}")
      .replaceAll(USER, "${2:user}");
    snippets[t.label] = { prefix: `xmpp-${t.id}`, description: t.detail, body: text.split("\n") };
  }
  return snippets;
}
