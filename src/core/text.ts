// The one place where text a server chose becomes text we display. Every such string (error texts
// and condition names, redirect hosts, SCRAM messages, quoted answers, the stanza log) passes
// through here before it leaves the core, so no terminal, log file, JSON consumer or editor ever
// receives a control character from a server: C0 controls, DEL and C1 controls (escape sequences,
// carriage returns that overwrite a line), Unicode line separators and bidi controls (text that
// reads differently from what it is) are shown as visible escapes such as \x1b or \u009b.
// XML's character rules do not stop any of these: C1, DEL and CR (as &#13;) are all legal XML,
// and anything can hide inside base64.

/** How many characters of one server text a message quotes. */
export const QUOTE_MAX = 300;
/** How many characters of a name (element, condition, mechanism) a message quotes. */
export const NAME_MAX = 64;
/** The backstop for a whole message: no error sentence is longer. */
export const MESSAGE_MAX = 2_000;

const ELLIPSIS = "…";

/**
 * Characters never shown raw: C0 controls, DEL, C1 controls, U+2028/U+2029 (line and paragraph
 * separators), the bidi marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "g");
/** The same, except TAB and LF: for multi-line text such as an XML body. */
const UNSAFE_KEEPING_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (NAMED[c]) return NAMED[c];
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Whether text holds a character that must never reach a display raw (TAB and LF allowed with keepLines). */
export function hasUnsafeChar(text: string, keepLines = false): boolean {
  return keepLines ? new RegExp(UNSAFE_KEEPING_LINES.source).test(text) : UNSAFE.test(text);
}

/**
 * Every unsafe character as a visible escape. With keepLines, TAB and LF stay (an XML body, a
 * multi-line block); without, the result is one line.
 */
export function neutralise(text: string, options: { keepLines?: boolean } = {}): string {
  return text.replace(options.keepLines ? UNSAFE_KEEPING_LINES : UNSAFE_ALL, escapeChar);
}

/** At most `max` characters (never splitting a surrogate pair), with "…" when something was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ELLIPSIS;
}

/**
 * A server's text as one of our sentences quotes it: one line, neutralised, clipped to `max`
 * characters of output (an escape is never cut in half).
 */
export function quoted(text: string, max = QUOTE_MAX): string {
  // Cut the raw text first, so a megabyte is never escaped only to be thrown away.
  const raw = clip(text, max);
  const safe = neutralise(raw);
  if (safe.length <= max) return safe;
  let out = "";
  for (const c of raw.length < text.length ? raw.slice(0, -1) : raw) {
    const shown = neutralise(c);
    if (out.length + shown.length > max - 1) break;
    out += shown;
  }
  return out + ELLIPSIS;
}

/** A name the server chose (element, condition, mechanism, host), quoted. */
export function quotedName(name: string): string {
  return quoted(name, NAME_MAX);
}

/**
 * JSON text with every unsafe character as a \u escape: JSON.stringify escapes C0 controls but
 * leaves DEL, C1, the separators and bidi controls raw. The value parses back unchanged.
 */
export function jsonSafe(json: string): string {
  return json.replace(UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
