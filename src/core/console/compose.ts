// From what a person typed to stanzas the console may send. Accepts one or more <iq>, <message>
// and <presence> elements in jabber:client (implied when no namespace is given, any prefix), and
// refuses, with a sentence and the line and column, everything else: malformed or restricted XML,
// stream-level, TLS, SASL, bind, session and stream-management elements at any depth, and any
// stanza that carries one of the given secrets (the account's password) in any form. All or
// nothing: one refusal refuses the whole input, so a batch is never sent half-way.
//
// Ids: every stanza leaves with one. A missing (or empty) id is filled in on iq, where RFC 6120
// §8.1.3 requires it, and on message and presence too, so that an error bounced back for them
// (which carries the same id) can be matched to what was sent. Ids that were given are kept.
// Stanzas are re-serialised canonically: the stanza itself unprefixed in the stream's namespace,
// every child with a default-namespace declaration where its namespace changes.
import { xml, type Element } from "@xmpp/xml";
import { SicError } from "../errors";
import { newId } from "../iq";
import { secretFinder } from "./secrets";
import { refusalFor } from "./refusals";
import { positionAt, type SourcePosition } from "./position";
import { NS_CLIENT, readXmlElements, XmlInputError, type InputLimits, type XmlNode } from "./xmlInput";

export type StanzaName = "iq" | "message" | "presence";

export type ComposeRule = "empty" | "malformed" | "restricted" | "too-large" | "refused" | "not-a-stanza" | "invalid-stanza" | "secret";

export interface ComposeLimits extends InputLimits {
  maxStanzas: number;
}

export const DEFAULT_COMPOSE_LIMITS: ComposeLimits = {
  maxChars: 256 * 1024,
  maxElements: 10_000,
  maxDepth: 32,
  maxStanzas: 100,
};

export interface ComposeOptions {
  /** Texts no stanza may carry (the account's password). */
  secrets?: readonly string[];
  limits?: Partial<ComposeLimits>;
  /** Generates missing ids; the default is the core's random "sic-…" ids. */
  newId?: () => string;
}

export interface ComposedStanza {
  name: StanzaName;
  element: Element;
  id: string;
  idAdded: boolean;
  /** An iq get or set: the sender must await its result or error. */
  expectsReply: boolean;
  /** Where it starts in the input. */
  position: SourcePosition;
}

export interface ComposeResult {
  stanzas: ComposedStanza[];
  /** What was changed on the way, one sentence each. */
  notes: string[];
}

/** A refusal: a usage error with the rule broken and, when known, where. */
export class ComposeError extends SicError {
  constructor(
    readonly rule: ComposeRule,
    /** The sentence without its position (SicError's `reason` is the error-advice key). */
    readonly problem: string,
    readonly position: SourcePosition | null,
    /** The input ended before its element was complete (a console may wait for more lines). */
    readonly unfinished = false,
  ) {
    super("usage", position ? `Line ${position.line}, column ${position.column}: ${problem}` : problem);
  }
}

const IQ_TYPES = new Set(["get", "set", "result", "error"]);
const MESSAGE_TYPES = new Set(["chat", "error", "groupchat", "headline", "normal"]);
const PRESENCE_TYPES = new Set(["error", "probe", "subscribe", "subscribed", "unavailable", "unsubscribe", "unsubscribed"]);
const TYPES: Record<StanzaName, ReadonlySet<string>> = { iq: IQ_TYPES, message: MESSAGE_TYPES, presence: PRESENCE_TYPES };

export function compose(text: string, options: ComposeOptions = {}): ComposeResult {
  const limits = { ...DEFAULT_COMPOSE_LIMITS, ...options.limits };
  const secrets = options.secrets ?? [];
  const at = (offset: number) => positionAt(text, offset);
  let nodes: XmlNode[];
  try {
    nodes = readXmlElements(text, limits);
  } catch (err) {
    if (!(err instanceof XmlInputError)) throw err;
    const rule: ComposeRule = err.problem === "stream" ? "refused" : err.problem;
    throw new ComposeError(rule, err.message, at(err.offset), err.unfinished);
  }
  if (nodes.length === 0) throw new ComposeError("empty", "Nothing to send: type an <iq>, <message> or <presence> element.", null);
  if (nodes.length > limits.maxStanzas) {
    throw new ComposeError("too-large", `${nodes.length} stanzas at once is more than the ${limits.maxStanzas} allowed.`, at(nodes[limits.maxStanzas]!.offset));
  }
  const findSecret = secretFinder(secrets);
  const secretAt = findSecret(text);
  if (secretAt !== -1) throw secretError(at(secretAt));
  const notes: string[] = [];
  const stanzas = nodes.map((node) => {
    const position = at(node.offset);
    const name = checkStanza(node, position);
    checkTree(node, text);
    const element = toElement(node, NS_CLIENT);
    if (node.prefix) notes.push(`Line ${position.line}: <${node.prefix}:${node.local}> is sent as <${node.local}>, in the stream's namespace.`);
    let id = element.attrs.id as string | undefined;
    const idAdded = !id;
    if (!id) {
      id = (options.newId ?? newId)();
      element.attrs.id = id;
      notes.push(`Line ${position.line}: added id "${id}" to <${name}>.`);
    }
    if (secrets.length > 0 && carriesSecret(element, findSecret)) throw secretError(position);
    return { name, element, id, idAdded, expectsReply: name === "iq" && (element.attrs.type === "get" || element.attrs.type === "set"), position };
  });
  return { stanzas, notes };
}

function secretError(position: SourcePosition): ComposeError {
  const reason = "This contains the account's password (in clear or encoded); it is never sent. Remove it and send again.";
  return new ComposeError("secret", reason, position);
}

/** The top-level rules: which element, which namespace, and what RFC 6120/6121 require of it. */
function checkStanza(node: XmlNode, position: SourcePosition): StanzaName {
  const fail = (rule: ComposeRule, reason: string): never => {
    throw new ComposeError(rule, reason, position);
  };
  const refusal = refusalFor(node.ns);
  const shown = node.prefix ? `${node.prefix}:${node.local}` : node.local;
  if (refusal) fail("refused", `<${shown}> is a ${refusal.what}, which the console does not send: ${refusal.reason}.`);
  if (node.local !== "iq" && node.local !== "message" && node.local !== "presence") {
    fail("not-a-stanza", `<${shown}> is not a stanza; only <iq>, <message> and <presence> can be sent.`);
  }
  const name = node.local as StanzaName;
  if (node.ns !== NS_CLIENT) {
    fail("not-a-stanza", `<${shown}> is in the namespace "${node.ns.slice(0, 80)}"; stanzas sent on a client stream are in jabber:client.`);
  }
  const type = node.attrs.find((a) => a.qname === "type")?.value;
  if (name === "iq" && type === undefined) fail("invalid-stanza", `<iq> needs a type: get, set, result or error.`);
  if (type !== undefined && !TYPES[name].has(type)) {
    fail("invalid-stanza", `"${type.slice(0, 40)}" is not a type of <${name}>; use one of ${[...TYPES[name]].join(", ")}.`);
  }
  if (name === "iq" && (type === "get" || type === "set")) {
    const payloads = node.children.filter((c) => typeof c !== "string").length;
    if (payloads !== 1) fail("invalid-stanza", `An <iq type="${type}"> carries exactly one payload element (RFC 6120 §8.2.3), not ${payloads}.`);
  }
  return name;
}

/** Refused namespaces at any depth, e.g. a bind request inside an iq. */
function checkTree(node: XmlNode, text: string): void {
  for (const child of node.children) {
    if (typeof child === "string") continue;
    const refusal = refusalFor(child.ns);
    if (refusal) {
      const shown = child.prefix ? `${child.prefix}:${child.local}` : child.local;
      throw new ComposeError("refused", `<${shown}> is a ${refusal.what}, which the console does not send: ${refusal.reason}.`, positionAt(text, child.offset));
    }
    checkTree(child, text);
  }
}

/** Canonical form: unprefixed names, a default-namespace declaration wherever the namespace changes. */
function toElement(node: XmlNode, parentNs: string): Element {
  const attrs: Record<string, string> = {};
  if (node.ns !== parentNs) attrs.xmlns = node.ns;
  for (const a of node.attrs) {
    if (a.prefix === "") attrs[a.local] = a.value;
    else if (a.prefix === "xml") attrs[a.qname] = a.value;
    else {
      attrs[a.qname] = a.value;
      attrs[`xmlns:${a.prefix}`] = a.ns;
    }
  }
  return xml(node.local, attrs, ...node.children.map((c) => (typeof c === "string" ? c : toElement(c, node.ns))));
}

/** The password in any attribute value or text, decoded or as it will be serialised. */
function carriesSecret(el: Element, findSecret: (text: string) => number): boolean {
  const has = (text: string) => findSecret(text) !== -1;
  if (has(el.toString())) return true;
  const walk = (e: Element): boolean =>
    Object.values(e.attrs).some((v) => typeof v === "string" && has(v)) ||
    has(e.children.filter((c): c is string => typeof c === "string").join("")) ||
    e.getChildElements().some(walk);
  return walk(el);
}
