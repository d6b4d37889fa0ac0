// The limits a server's XML stream is held to, so that memory is bounded by what we keep and not
// by what arrives: characters XML forbids, restricted XML (RFC 6120 §11.1), the size of one
// element, nesting depth, and the text between stanzas. Whitespace between stanzas (keepalives,
// RFC 6120 §4.6.1) is dropped before the parser sees it; any other text there is discarded and
// counted, and too much of it is a bad reply.
import { Parser } from "@xmpp/xml";
import { SicError } from "./errors";

export interface StreamLimits {
  /** Characters of one top-level element (or of the header), and of all text between stanzas. */
  maxElementChars: number;
  /** Nesting depth, counting the stream root as 1. */
  maxDepth: number;
  /** Elements received but not yet read (a flood of unrelated stanzas). */
  maxQueued: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxElementChars: 128 * 1024,
  maxDepth: 32,
  maxQueued: 10_000,
};

/** Characters outside XML 1.0's Char production (NUL and other C0 controls, U+FFFE, U+FFFF). */
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const WHITESPACE = /^[ \t\r\n]*$/;
const LEADING_WHITESPACE = /^[ \t\r\n]+/;

/**
 * The parser, with a depth limit, and with text directly inside the stream root (between stanzas)
 * never kept: @xmpp/xml would append it to the root element for the life of the stream.
 */
export class LimitedParser extends Parser {
  depth = 0;
  private strayChars = 0;
  constructor(private readonly limits: StreamLimits) {
    super();
  }
  override onStartElement(name: string, attrs: Record<string, string>): void {
    if (++this.depth > this.limits.maxDepth) {
      throw new SicError("bad-reply", `The server sent XML nested deeper than ${this.limits.maxDepth} levels.`);
    }
    super.onStartElement(name, attrs);
  }
  override onEndElement(name: string): void {
    this.depth--;
    super.onEndElement(name);
  }
  override onText(text: string): void {
    if (this.depth !== 1) return super.onText(text);
    if (WHITESPACE.test(text)) return;
    this.strayChars += text.length;
    if (this.strayChars > this.limits.maxElementChars) throw tooMuchStrayText(this.limits);
  }
}

function tooMuchStrayText(limits: StreamLimits): SicError {
  return new SicError("bad-reply", `The server sent more than ${limits.maxElementChars} characters of text between stanzas, where XMPP allows only whitespace.`);
}

/** Where the bytes fed so far leave the parser: in text, in a tag, in a quoted attribute value, in CDATA. */
type Lexical = "text" | "tag" | "quote'" | 'quote"' | "cdata";

const TAG_END_OR_QUOTE = /['">]/g;

/** The lexical state after `text`, and where an unfinished "<![CDATA[" may start (to scan again). */
function lexicalAfter(state: Lexical, text: string): { state: Lexical; tagAt: number } {
  let at = 0;
  let tagAt = -1;
  while (at < text.length) {
    if (state === "text") {
      const lt = text.indexOf("<", at);
      if (lt < 0) break;
      tagAt = lt;
      at = lt + 1;
      state = text.startsWith("![CDATA[", at) ? "cdata" : "tag";
    } else if (state === "tag") {
      TAG_END_OR_QUOTE.lastIndex = at;
      const m = TAG_END_OR_QUOTE.exec(text);
      if (!m) break;
      at = m.index + 1;
      state = m[0] === ">" ? "text" : m[0] === "'" ? "quote'" : 'quote"';
    } else if (state === "cdata") {
      const end = text.indexOf("]]>", at);
      if (end < 0) break;
      at = end + 3;
      state = "text";
    } else {
      const close = text.indexOf(state === "quote'" ? "'" : '"', at);
      if (close < 0) break;
      at = close + 1;
      state = "tag";
    }
  }
  return { state, tagAt: state === "tag" && text.length - tagAt < 9 ? tagAt : -1 };
}

/**
 * What a server's text must pass before the parser sees it. One guard per stream; reset() at a
 * stream restart.
 */
export class InputGuard {
  /** Characters fed since the last top-level element ended: one element's size, or a run of text. */
  private pendingChars = 0;
  private restrictedTail = "";
  private lexical: Lexical = "text";
  /** The start of a tag that may still become "<![CDATA[", scanned again with the next text. */
  private tagCarry = "";

  constructor(private readonly limits: StreamLimits) {}

  reset(): void {
    this.pendingChars = 0;
    this.restrictedTail = "";
    this.lexical = "text";
    this.tagCarry = "";
  }

  /** A top-level element (or the header) is complete. */
  elementDone(): void {
    this.pendingChars = 0;
  }

  /**
   * The part of `text` the parser is to see; throws a bad-reply SicError for what is refused.
   * `betweenStanzas`: the parser is inside the stream root and no element is open.
   */
  admit(text: string, betweenStanzas: boolean, phase: string): string {
    if (FORBIDDEN_CHARS.test(text)) {
      throw new SicError("bad-reply", `The server sent a character XML forbids (a control character) while ${phase}.`);
    }
    const restricted = this.findRestrictedXml(text);
    if (restricted) throw new SicError("bad-reply", `The server sent restricted XML (${restricted}), which XMPP forbids (RFC 6120 §11.1).`);
    // Keepalives never reach the parser, which would hold them as text until the next "<".
    const inText = this.lexical === "text" && !this.tagCarry;
    const feed = inText && betweenStanzas ? text.replace(LEADING_WHITESPACE, "") : text;
    this.pendingChars += feed.length;
    if (this.pendingChars > this.limits.maxElementChars) {
      if (inText && betweenStanzas && !feed.includes("<")) throw tooMuchStrayText(this.limits);
      throw new SicError("bad-reply", `The server sent an element larger than ${this.limits.maxElementChars} characters while ${phase}.`);
    }
    const scan = this.tagCarry + feed;
    const after = lexicalAfter(this.tagCarry ? "text" : this.lexical, scan);
    this.lexical = after.state;
    this.tagCarry = after.tagAt >= 0 ? scan.slice(after.tagAt) : "";
    return feed;
  }

  /** DTDs, entity declarations and comments are not allowed in XMPP; refusing them defuses entity bombs. */
  private findRestrictedXml(text: string): string | null {
    const scan = this.restrictedTail + text;
    let at = scan.indexOf("<!");
    while (at !== -1) {
      if (scan.length - at < 9) break; // may still become <![CDATA[ in the next chunk
      if (!scan.startsWith("<![CDATA[", at)) {
        return scan.startsWith("<!--", at) ? "a comment" : "a DOCTYPE or entity declaration";
      }
      at = scan.indexOf("<!", at + 2);
    }
    this.restrictedTail = scan.slice(-8);
    return null;
  }
}
