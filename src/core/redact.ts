// What is secret in an XMPP exchange, in one place. Redaction happens before anything is stored
// in the stanza log, so no later consumer (views, exports, --log) can leak what it never received.
import type { Element } from "@xmpp/xml";
import { neutralise } from "./text";

export const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
export const NS_SASL2 = "urn:xmpp:sasl:2";

/** Elements whose text carries credentials or proofs derived from them (RFC 6120 §6, XEP-0388). */
const SECRET_ELEMENTS: Record<string, ReadonlySet<string>> = {
  [NS_SASL]: new Set(["auth", "challenge", "response", "success"]),
  [NS_SASL2]: new Set(["initial-response", "challenge", "response", "additional-data"]),
};

export const REDACTED = "[redacted]";

/** Attributes that carry credentials, by the element's namespace and name (XEP-0215's TURN services). */
const SECRET_ATTRIBUTES: Record<string, Record<string, ReadonlySet<string>>> = {
  "urn:xmpp:extdisco:2": { service: new Set(["username", "password"]) },
  "urn:xmpp:extdisco:1": { service: new Set(["username", "password"]) },
};

export function isSecretElement(el: Element): boolean {
  const ns = el.attrs.xmlns ?? el.getNS();
  return ns !== undefined && SECRET_ELEMENTS[ns]?.has(el.name) === true;
}

/** Serialises an element with the payloads of secret elements (at any depth) replaced. */
export function redactElement(el: Element): string {
  return serialise(el, false, undefined);
}

function serialise(el: Element, inSecret: boolean, parentNs: string | undefined): string {
  const secret = inSecret || isSecretElement(el);
  const ns: string | undefined = el.attrs.xmlns ?? parentNs;
  const secretAttrs = ns !== undefined ? SECRET_ATTRIBUTES[ns]?.[el.name] : undefined;
  let out = "<" + el.name;
  for (const [key, value] of Object.entries(el.attrs)) {
    if (value !== undefined) out += ` ${key}="${secretAttrs?.has(key) ? REDACTED : escapeAttr(value)}"`;
  }
  if (el.children.length === 0) return out + "/>";
  out += ">";
  let redactedText = false;
  for (const child of el.children) {
    if (typeof child !== "string") {
      out += serialise(child, secret, ns);
    } else if (!secret) {
      out += escapeText(child);
    } else if (!redactedText && child.length > 0) {
      out += REDACTED;
      redactedText = true;
    }
  }
  return out + `</${el.name}>`;
}

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, "&quot;");
}

/**
 * Every way a secret could appear in text: in clear, XML-escaped, and base64-encoded at any byte
 * alignment (the secret inside a larger base64 payload, e.g. PLAIN's "\0user\0password", is encoded
 * differently depending on its offset mod 3; the stable middle of each encoding is what we search).
 */
export function secretForms(secret: string): string[] {
  if (secret.length === 0) return [];
  // Text nodes escape & < > but not '"', attributes all four: a secret with both a quote and one of
  // the others serialises differently in each, so both escapings are searched.
  const forms = new Set<string>([secret, escapeText(secret), escapeAttr(secret)]);
  const bytes = Buffer.from(secret, "utf8");
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const b64 = padded.toString("base64");
    // Characters that depend only on the secret's bytes: skip the ones touched by the padding
    // before it and by whatever follows it in a larger payload.
    const start = Math.ceil((shift * 4) / 3);
    const end = Math.floor(((shift + bytes.length) * 4) / 3);
    const stable = b64.slice(start, end);
    if (stable.length >= 4) forms.add(stable);
  }
  return [...forms];
}

/** Replaces every form of every secret in text. Used on log entries, messages and output. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Messages are neutralised when made (text.ts): a secret with a control character appears escaped.
    for (const form of [...secretForms(secret), neutralise(secret)]) {
      if (form.length > 0 && out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}
