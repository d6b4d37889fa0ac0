// Scripts for a server whose every text is an attack on whoever displays it: terminal escape
// sequences that retitle the window, erase the line and print a fake "LOGIN OK", carriage
// returns, C1 controls, DEL, bidi overrides, and a 100 KB see-other-host redirect. Used by the
// property test over every output path, and by any test that needs such a server:
// AdversarialServer.start(hostileScripts.streamErrorText(TERMINAL_ATTACK)) or start(hugeRedirect()).
import { DOMAIN, NS_SASL, NS_SIC_1, NS_STANZAS, NS_STREAM_ERRORS, type Conn, type Query, type Script } from "./server";

/**
 * What a hostile server puts in its texts, all of it legal XML: XML refuses ESC and BEL, but not
 * their 8-bit twins (C1: CSI U+009B, OSC U+009D, ST U+009C), CR (as &#13;), DEL or bidi controls.
 * It retitles the window, erases the line and prints a fake green "LOGIN OK".
 */
export const TERMINAL_ATTACK =
  "\u009d0;pwned\u009c\u009b2K\r\u009b32mLOGIN OK\u009b0m \u007f DEL \u202eevil\u202c \u2066iso\u2069 \r\n second line";
/** The same with 7-bit ESC sequences, which only base64 (SCRAM's e=) can carry past XML. */
export const ESCAPE_ATTACK = "\u001b]0;pwned\u0007\u001b[2K\r\u001b[32mLOGIN OK\u001b[0m";

/** A see-other-host value of this many characters. */
export const HUGE_REDIRECT_CHARS = 100 * 1024;

/** XML text for `text`: markup escaped, CR and C0 controls as character references (XML 1.0 refuses C0 but TAB, LF, CR). */
export function xmlText(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!)
    .replace(/\r/g, "&#13;");
}

/** A name (element, condition) made of what XML's lax parsers take in names: no whitespace, no markup. */
export function xmlName(text: string): string {
  return "x" + text.replace(/[\s/<>=&'"!?\u0000-\u001f]/g, "");
}

const onQuery = (act: (c: Conn, q: Query) => Promise<unknown>): Script => ({
  onQuery: async (c, q) => {
    await act(c, q);
    return true;
  },
});

/** One hostile script per place a server's text reaches the user. */
export const hostileScripts = {
  streamErrorText: (text: string) => onQuery((c) => c.streamError("policy-violation", text)),
  streamErrorCondition: (text: string) =>
    onQuery((c) => c.send(`<stream:error><${xmlName(text)} xmlns='${NS_STREAM_ERRORS}'/></stream:error>`)),
  seeOtherHost: (text: string) =>
    onQuery((c) => c.send(`<stream:error><see-other-host xmlns='${NS_STREAM_ERRORS}'>${xmlText(text)}</see-other-host></stream:error>`)),
  saslFailureText: (text: string): Script => ({
    onAuth: async (c) => {
      await c.send(`<failure xmlns='${NS_SASL}'><not-authorized/><text>${xmlText(text)}</text></failure>`);
      return true;
    },
  }),
  scramServerError: (text: string): Script => ({ mechanisms: ["SCRAM-SHA-1"], scram: { serverError: text } }),
  mechanisms: (text: string): Script => ({ mechanisms: [xmlText(text)] }),
  notFeatures: (text: string): Script => ({
    onHeader: async (c, stage) => stage !== "authenticated" && (await c.header(), await c.send(`<${xmlName(text)}/>`), true),
  }),
  stanzaErrorText: (text: string) => onQuery((c, q) => c.error(q.id, "internal-server-error", { type: "wait", text })),
  stanzaErrorCondition: (text: string) =>
    onQuery((c, q) => c.send(`<iq type='error' id='${q.id}'><error type='cancel'><${xmlName(text)} xmlns='${NS_STANZAS}'/></error></iq>`)),
  answerIp: (text: string) => onQuery((c, q) => c.result(q.id, `<address xmlns='${NS_SIC_1}'><ip>${xmlText(text)}</ip></address>`)),
  answerPort: (text: string) =>
    onQuery((c, q) => c.result(q.id, `<address xmlns='${NS_SIC_1}'><ip>${c.remote.ip}</ip><port>${xmlText(text)}</port></address>`)),
  foreignPayload: (text: string) => onQuery((c, q) => c.result(q.id, `<${xmlName(text)} xmlns='${xmlText(text)}'/>`)),
  discoFeatures: (text: string): Script => ({ discoFeatures: ["urn:xmpp:sic:1", xmlText(text)] }),
  /** A successful check whose log carries the text in a message's body and attributes. */
  loggedMessage: (text: string): Script => ({
    afterBind: async (c) => {
      await c.send(`<message from='${xmlText(text)}@${DOMAIN}' type='${xmlText(text)}'><body>${xmlText(text)}</body></message>`);
    },
  }),
} satisfies Record<string, (text: string) => Script>;

export type HostilePlace = keyof typeof hostileScripts;

/** The scenario of issue 9 for the extension: escape sequences in every error text, and a 100 KB redirect. */
export function hugeRedirect(): Script {
  return hostileScripts.seeOtherHost(`${TERMINAL_ATTACK}${"h".repeat(HUGE_REDIRECT_CHARS)}.example:5222`);
}
