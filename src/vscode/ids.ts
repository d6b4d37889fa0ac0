// Names VS Code knows the extension's parts by, shared by the activation stand-ins (firstUse.ts)
// and the workbench: a module of their own, so activation does not bundle the code that uses them.
export const RESULTS_VIEW_ID = "xmppSic.results";
export const STANZA_VIEW_ID = "xmppSic.stanzaLog";
/** Read-only stanza and transcript documents (stanzaDocuments.ts). */
export const STANZA_SCHEME = "xmpp-sic-stanza";
