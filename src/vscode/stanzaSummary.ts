// How one stanza log entry reads in a console-like list: a short name for what it is (`bind`,
// `disco#info`, `sic:1 → 127.0.0.1:42814`), a 24-hour time with milliseconds, and whether it
// reports a failure. Pure (no `vscode`), so unit tests can read it; every server-controlled byte is
// neutralised and clipped here, before it reaches a tree row.
import type { StanzaLogEntry } from "../core";

const MAX_LABEL = 72;
const MAX_VALUE = 64;

/** Namespace prefixes that say nothing in a list: what follows them names the payload. */
const NS_PREFIXES = [
  "urn:ietf:params:xml:ns:xmpp-",
  "http://jabber.org/protocol/",
  "urn:xmpp:",
  "jabber:iq:",
  "http://etherx.jabber.org/",
];

/** Control, bidi-override and line characters become one visible placeholder; the text is clipped. */
export function displayText(text: string, max = MAX_LABEL): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, "\ufffd");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** `urn:ietf:params:xml:ns:xmpp-bind` → `bind`, `http://jabber.org/protocol/disco#info` → `disco#info`. */
export function shortNamespace(ns: string): string {
  const prefix = NS_PREFIXES.find((p) => ns.startsWith(p) && ns.length > p.length);
  return prefix ? ns.slice(prefix.length) : ns;
}

const firstText = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}\\b[^>]*>([^<]{1,200})</${name}>`).exec(xml)?.[1]?.trim() || undefined;

/** What a result carries that a reader looks for first, e.g. the address of a XEP-0279 answer. */
function resultValue(short: string, xml: string): string | undefined {
  if (short.startsWith("sic:")) {
    const ip = firstText(xml, "ip");
    if (!ip) return undefined;
    const port = firstText(xml, "port");
    const host = ip.includes(":") && port ? `[${ip}]` : ip;
    return port ? `${host}:${port}` : host;
  }
  if (short === "bind") return firstText(xml, "jid");
  if (short === "disco#info" || short === "disco#items") {
    const features = xml.match(/<feature\b/g)?.length ?? 0;
    const items = xml.match(/<(identity|item)\b/g)?.length ?? 0;
    return short === "disco#items" ? `${items} items` : `${features} features`;
  }
  return undefined;
}

function iqLabel(summary: string, xml: string): string {
  // The core's form: "iq <type>[ → <payload namespace or name>][ (<error condition>)]".
  const match = /^iq (\S+)(?: → (\S+))?(?: \((\S+)\))?/.exec(summary);
  if (!match) return summary;
  const [, type, target, condition] = match;
  const short = target ? shortNamespace(target) : type!;
  if (type === "error") return `${short} ✗ ${condition ?? "error"}`;
  if (type === "result" && target) {
    const value = resultValue(short, xml);
    return value ? `${short} → ${displayText(value, MAX_VALUE)}` : short;
  }
  return short;
}

/** The short label of an entry, e.g. `bind`, `disco#info`, `sic:1 → 127.0.0.1:42814`. */
export function shortSummary(entry: Pick<StanzaLogEntry, "kind" | "summary" | "xml">): string {
  const { kind, summary, xml } = entry;
  let label: string;
  if (kind === "iq") label = iqLabel(summary, xml);
  else if (kind === "stream") label = summary.replace(/^stream features: /, "features: ").replace(/^stream open from .*/, "stream open");
  else if (kind === "sasl") label = summary.replace(/^sasl2? /, "");
  else label = summary;
  return displayText(label);
}

/** Whether an entry reports that something failed: an error reply, a stream error, a refused login or TLS. */
export function isFailure(entry: Pick<StanzaLogEntry, "kind" | "summary">): boolean {
  const { kind, summary } = entry;
  if (kind === "iq") return /^iq error\b/.test(summary);
  if (kind === "stream") return summary.startsWith("stream error");
  if (kind === "sasl") return /^sasl2? failure\b/.test(summary);
  if (kind === "tls") return summary === "failure";
  return false;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** 24-hour local time with milliseconds: `20:02:39.489`. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** 24-hour local time without milliseconds, for group headers: `20:02:39`. */
export function clockTimeShort(ms: number): string {
  return clockTime(ms).slice(0, 8);
}

/** The session's own login payloads (resource binding, session establishment), which the console refuses to send. */
const LOGIN_PAYLOAD = /\bxmlns=(["'])(?:urn:ietf:params:xml:ns:xmpp-(?:bind|session)|urn:xmpp:bind:0)\1/;

/**
 * A stanza row's contextValue, which the menus match: "stanza" or "stanzaPaired", then its
 * direction, and ".resendable" on a sent iq, message or presence that is not the login's own
 * (Edit and Resend). Copy as Template wants ".in"; Go to Paired Stanza "stanzaPaired.".
 */
export function stanzaContext(e: Pick<StanzaLogEntry, "direction" | "kind" | "xml">, paired: boolean): string {
  const resendable = e.direction === "out" && (e.kind === "iq" || e.kind === "message" || e.kind === "presence") && !LOGIN_PAYLOAD.test(e.xml);
  return `stanza${paired ? "Paired" : ""}.${e.direction}${resendable ? ".resendable" : ""}`;
}
