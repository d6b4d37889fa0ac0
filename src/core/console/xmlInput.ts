// A strict, namespace-aware reader for XML a person typed into the console, with the line and
// column of every mistake. The stream's own parser (ltx, via @xmpp/xml) is lenient and knows no
// positions — it accepts unquoted attributes, stray text and unclosed elements — so what we send is
// read here instead. XMPP's restrictions apply (RFC 6120 §11.1): no DTD, comments, processing
// instructions or entities beyond XML's five; a leading XML declaration is tolerated and dropped.
// Names resolve as if inside a client stream: the default namespace is jabber:client and the
// `stream` prefix is bound, so `<stream:features/>` is recognised for what it is.
import { NS_STREAMS } from "../xmlStream";
import { positionAt } from "./position";

export const NS_CLIENT = "jabber:client";
const NS_XML = "http://www.w3.org/XML/1998/namespace";

export interface InputLimits {
  maxChars: number;
  maxElements: number;
  maxDepth: number;
}

export interface XmlAttribute {
  /** As typed, e.g. "xml:lang" or "type". */
  qname: string;
  prefix: string;
  local: string;
  /** The resolved namespace ("" for an unprefixed attribute). */
  ns: string;
  value: string;
}

export interface XmlNode {
  prefix: string;
  local: string;
  /** The resolved namespace ("" for none). */
  ns: string;
  /** Attributes other than namespace declarations. */
  attrs: XmlAttribute[];
  children: (XmlNode | string)[];
  /** Offset of the "<" that opens it. */
  offset: number;
}

export type InputProblem = "malformed" | "restricted" | "stream" | "too-large";

export class XmlInputError extends Error {
  constructor(
    readonly problem: InputProblem,
    readonly offset: number,
    message: string,
    /** The text ended before what it opened was complete: more input may finish it. */
    readonly unfinished = false,
  ) {
    super(message);
  }
}

/** Characters outside XML 1.0's Char production, and unpaired surrogates. */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{Mn}\p{Mc}_.\-\u00B7\u203F\u2040]*$/u;
const NAME_CHARS = /[^\s<>/=!?"'&;]+/y;
/** What is bound inside a client stream before anything is typed. */
const STREAM_SCOPE: [string, string][] = [["", NS_CLIENT], ["stream", NS_STREAMS], ["xml", NS_XML]];
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

interface Open {
  node: XmlNode;
  qname: string;
  scope: Map<string, string>;
}

/** Reads zero or more top-level elements (whitespace between them allowed). */
export function readXmlElements(text: string, limits: InputLimits): XmlNode[] {
  if (text.length > limits.maxChars) {
    throw new XmlInputError("too-large", limits.maxChars, `The input is longer than ${limits.maxChars} characters.`);
  }
  const bad = FORBIDDEN_CHAR.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new XmlInputError("malformed", bad.index, `U+${code} is not a character XML allows.`);
  }
  return new Reader(text, limits).read();
}

class Reader {
  private pos = 0;
  private elements = 0;
  private readonly stack: Open[] = [];
  private readonly roots: XmlNode[] = [];

  constructor(
    private readonly text: string,
    private readonly limits: InputLimits,
  ) {}

  read(): XmlNode[] {
    const t = this.text;
    if (t.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipSpace();
    if (t.startsWith("<?xml", this.pos) && /[\s?]/.test(t[this.pos + 5] ?? "")) this.skipDeclaration();
    while (this.pos < t.length) {
      if (this.stack.length === 0) {
        this.skipSpace();
        if (this.pos >= t.length) break;
        if (t[this.pos] !== "<") this.fail("malformed", "Text outside an element; only elements can be sent.");
      }
      if (t[this.pos] === "<") this.markup();
      else this.textNode();
    }
    const open = this.stack.at(-1);
    if (open) this.fail("malformed", `<${open.qname}> is never closed.`, open.node.offset, true);
    return this.roots;
  }

  /** `unfinished`: the failure is that the text ended (more input may complete it), not a wrong character. */
  private fail(problem: InputProblem, message: string, at = this.pos, unfinished = false): never {
    throw new XmlInputError(problem, at, message, unfinished);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private skipDeclaration(): void {
    const end = this.text.indexOf("?>", this.pos);
    if (end === -1) this.fail("malformed", "The XML declaration is not closed with ?>.", this.pos, true);
    this.pos = end + 2;
  }

  private markup(): void {
    const t = this.text;
    const at = this.pos;
    if (t.startsWith("<!--", at)) this.fail("restricted", "Comments are not allowed in XMPP (RFC 6120 §11.1).");
    if (t.startsWith("<![CDATA[", at)) return this.cdata();
    if (t.startsWith("<!", at)) this.fail("restricted", "DOCTYPE and entity declarations are not allowed in XMPP (RFC 6120 §11.1).");
    if (t.startsWith("<?", at)) this.fail("restricted", "Processing instructions are not allowed in XMPP (RFC 6120 §11.1).");
    if (t.startsWith("</", at)) return this.endTag();
    this.startTag();
  }

  private cdata(): void {
    if (this.stack.length === 0) this.fail("malformed", "CDATA outside an element; only elements can be sent.");
    const end = this.text.indexOf("]]>", this.pos + 9);
    if (end === -1) this.fail("malformed", "A CDATA section is never closed with ]]>.", this.pos, true);
    this.appendText(this.text.slice(this.pos + 9, end));
    this.pos = end + 3;
  }

  private textNode(): void {
    const end = this.text.indexOf("<", this.pos);
    const stop = end === -1 ? this.text.length : end;
    const raw = this.text.slice(this.pos, stop);
    const cdataEnd = raw.indexOf("]]>");
    if (cdataEnd !== -1) this.fail("malformed", "]]> is not allowed in text; write ]]&gt;.", this.pos + cdataEnd);
    this.appendText(this.decode(raw, this.pos));
    this.pos = stop;
  }

  private appendText(s: string): void {
    if (s.length > 0) this.stack.at(-1)!.node.children.push(s);
  }

  private name(what: string): string {
    NAME_CHARS.lastIndex = this.pos;
    const m = NAME_CHARS.exec(this.text);
    if (!m) this.fail("malformed", `Expected ${what} here.`, this.pos, this.pos >= this.text.length);
    const parts = m[0].split(":");
    if (parts.length > 2 || !parts.every((p) => NCNAME.test(p))) this.fail("malformed", `"${m[0].slice(0, 60)}" is not a valid XML name.`);
    this.pos += m[0].length;
    return m[0];
  }

  private endTag(): void {
    const at = this.pos;
    this.pos += 2;
    const qname = this.name("the name of a closing tag");
    this.skipSpace();
    if (this.text[this.pos] !== ">") this.fail("malformed", `Expected ">" to end </${qname}>.`);
    this.pos++;
    const open = this.stack.pop();
    if (!open) {
      if (qname.split(":").at(-1) === "stream") this.fail("stream", "</stream:stream> closes the stream; the session does that itself.", at);
      this.fail("malformed", `</${qname}> closes an element that was never opened.`, at);
    }
    if (open.qname !== qname) {
      const where = positionAt(this.text, open.node.offset);
      this.fail("malformed", `</${qname}> does not close <${open.qname}> (opened at line ${where.line}, column ${where.column}).`, at);
    }
    if (this.stack.length === 0) this.roots.push(open.node);
  }

  private startTag(): void {
    const at = this.pos;
    this.pos++;
    const qname = this.name("an element name after <");
    const raw = this.attributes(qname);
    const selfClosing = this.text[this.pos] === "/";
    this.pos += selfClosing ? 2 : 1;
    const parent = this.stack.at(-1);
    const declares = raw.some((a) => a.qname === "xmlns" || a.prefix === "xmlns");
    // Most elements declare nothing: they share their parent's bindings instead of copying them.
    const scope = parent && !declares ? parent.scope : new Map(parent?.scope ?? STREAM_SCOPE);
    const attrs: XmlAttribute[] = [];
    for (const a of raw) {
      if (a.qname === "xmlns") scope.set("", a.value);
      else if (a.prefix === "xmlns") this.declare(scope, a, at);
      else attrs.push(a);
    }
    const [prefix, local] = split(qname);
    const ns = scope.get(prefix);
    if (ns === undefined) this.fail("malformed", `The prefix "${prefix}" of <${qname}> is not declared.`, at);
    this.checkAttributeNames(attrs, scope, at);
    if (++this.elements > this.limits.maxElements) this.fail("too-large", `The input has more than ${this.limits.maxElements} elements.`, at);
    if (this.stack.length + 1 > this.limits.maxDepth) this.fail("too-large", `Elements are nested deeper than ${this.limits.maxDepth} levels.`, at);
    const node: XmlNode = { prefix, local, ns, attrs, children: [], offset: at };
    if (!parent && local === "stream" && ns === NS_STREAMS) {
      this.fail("stream", "<stream:stream> opens a stream; the session does that itself.", at);
    }
    parent?.node.children.push(node);
    if (selfClosing) {
      if (!parent) this.roots.push(node);
    } else {
      this.stack.push({ node, qname, scope });
    }
  }

  private attributes(qname: string): XmlAttribute[] {
    const attrs: XmlAttribute[] = [];
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ">" || (c === "/" && this.text[this.pos + 1] === ">")) return attrs;
      if (c === undefined) this.fail("malformed", `<${qname}> is not finished: expected ">" or "/>".`, this.pos, true);
      if (before === this.pos) this.fail("malformed", `Expected a space, ">" or "/>" in <${qname}>.`);
      const nameAt = this.pos;
      const name = this.name(`an attribute name, ">" or "/>" in <${qname}>`);
      this.skipSpace();
      if (this.text[this.pos] !== "=") this.fail("malformed", `Expected "=" after the attribute ${name}.`, this.pos, this.pos >= this.text.length);
      this.pos++;
      this.skipSpace();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") this.fail("malformed", `The value of ${name} must be in quotes.`, this.pos, quote === undefined);
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end === -1) this.fail("malformed", `The value of ${name} is never closed with ${quote}.`, this.pos, true);
      const rawValue = this.text.slice(this.pos + 1, end);
      const lt = rawValue.indexOf("<");
      if (lt !== -1) this.fail("malformed", `"<" is not allowed in an attribute value; write &lt;.`, this.pos + 1 + lt);
      if (attrs.some((a) => a.qname === name)) this.fail("malformed", `The attribute ${name} is given twice.`, nameAt);
      const [prefix, local] = split(name);
      attrs.push({ qname: name, prefix, local, ns: "", value: this.decode(rawValue, this.pos + 1) });
      this.pos = end + 1;
    }
  }

  private declare(scope: Map<string, string>, a: XmlAttribute, at: number): void {
    if (a.local === "xmlns") this.fail("malformed", "The prefix xmlns cannot be declared.", at);
    if (a.value === "") this.fail("malformed", `The prefix "${a.local}" cannot be bound to an empty namespace.`, at);
    if ((a.local === "xml") !== (a.value === NS_XML)) this.fail("malformed", "The prefix xml is bound to its own namespace only.", at);
    scope.set(a.local, a.value);
  }

  private checkAttributeNames(attrs: XmlAttribute[], scope: Map<string, string>, at: number): void {
    const seen = new Set<string>();
    for (const a of attrs) {
      const ns = a.prefix ? scope.get(a.prefix) : "";
      if (ns === undefined) this.fail("malformed", `The prefix "${a.prefix}" of the attribute ${a.qname} is not declared.`, at);
      a.ns = ns;
      const expanded = `${ns} ${a.local}`;
      if (seen.has(expanded)) this.fail("malformed", `The attribute ${a.local} is given twice in one namespace.`, at);
      seen.add(expanded);
    }
  }

  /** Replaces XML's five entities and character references; anything else is refused. */
  private decode(raw: string, offset: number): string {
    if (!raw.includes("&")) return raw;
    return raw.replace(/&([^;&<\s]*);?/g, (whole, body: string, index: number) => {
      const at = offset + index;
      if (!whole.endsWith(";")) this.fail("malformed", `"&" must start an entity such as &amp;.`, at);
      if (PREDEFINED[body] !== undefined) return PREDEFINED[body]!;
      const num = /^#x([0-9a-fA-F]{1,6})$/.exec(body)?.[1] ?? /^#([0-9]{1,7})$/.exec(body)?.[1];
      if (num === undefined) this.fail("restricted", `The entity &${body.slice(0, 40)}; is not allowed; XMPP knows only XML's five.`, at);
      const code = parseInt(num, body.startsWith("#x") ? 16 : 10);
      const ok = code === 9 || code === 10 || code === 13 || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
      if (!ok) this.fail("malformed", `&${body}; is not a character XML allows.`, at);
      return String.fromCodePoint(code);
    });
  }
}

function split(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(":");
  return colon === -1 ? ["", qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}
