// XEP-0065 (SOCKS5 Bytestreams) as far as candidates need it: which disco items are proxies, and
// the streamhosts a proxy announces, read by namespace into a bounded, validated list. Every string
// here came from a server: JIDs are checked before one is used as an address, hosts must be an IP or
// a host name, ports 1–65535, and whatever is reported of a bad entry is quoted (text.ts).
import type { Element } from "@xmpp/xml";
import { validHost } from "./extdisco";
import { parseIp } from "./ip";
import { hasUnsafeChar, quoted } from "./text";

export const NS_BYTESTREAMS = "http://jabber.org/protocol/bytestreams";
export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";

/** How many of the server's disco items are asked whether they are a proxy. */
export const MAX_ITEMS = 10;
/** Streamhosts kept per proxy (a proxy announces one or two). */
export const MAX_STREAMHOSTS = 8;
/** Notes kept per reply: a reply of 10 000 bad entries yields a handful of lines. */
const MAX_NOTES = 4;
const MAX_JID = 1023;
/** A JID we will address a request to: no whitespace, markup or quoting characters (controls: hasUnsafeChar). */
const SAFE_JID = /^[^\s"'<>&]+$/;

export interface Streamhost {
  /** The proxy's JID, as it announced it. */
  jid: string;
  host: string;
  port: number;
}

export interface Streamhosts {
  hosts: Streamhost[];
  /** Entries left out, with why (bounded). */
  notes: string[];
}

/** A JID we may send to: bounded, and free of anything that is not part of an address. */
export function usableJid(jid: string | undefined): jid is string {
  return jid !== undefined && jid.length > 0 && jid.length <= MAX_JID && SAFE_JID.test(jid) && !hasUnsafeChar(jid);
}

/** The first MAX_ITEMS distinct entity JIDs of a disco#items result (items with a node are not entities). */
export function discoItems(result: Element): { jids: string[]; notes: string[] } {
  const items = result.getChild("query", NS_DISCO_ITEMS)?.getChildren("item", NS_DISCO_ITEMS) ?? [];
  const jids: string[] = [];
  let unusable = 0;
  for (const item of items) {
    if (item.attrs.node !== undefined) continue;
    const jid = item.attrs.jid as string | undefined;
    if (!usableJid(jid)) unusable++;
    else if (!jids.includes(jid)) jids.push(jid);
    if (jids.length === MAX_ITEMS) break;
  }
  const notes: string[] = [];
  if (unusable > 0) notes.push(`${unusable} disco item(s) with an unusable JID were not asked`);
  if (items.length > jids.length + unusable && jids.length === MAX_ITEMS) notes.push(`only the first ${MAX_ITEMS} disco items were asked whether they are a SOCKS5 proxy`);
  return { jids, notes };
}

/** Whether a disco#info result describes a SOCKS5 proxy: identity proxy/bytestreams, or the feature. */
export function isProxy(result: Element): boolean {
  const query = result.getChild("query", NS_DISCO_INFO);
  if (!query) return false;
  const identity = query.getChildren("identity", NS_DISCO_INFO).some((i) => i.attrs.category === "proxy" && i.attrs.type === "bytestreams");
  return identity || query.getChildren("feature", NS_DISCO_INFO).some((f) => f.attrs.var === NS_BYTESTREAMS);
}

/** The streamhosts in a proxy's answer to <query xmlns='http://jabber.org/protocol/bytestreams'/>. */
export function parseStreamhosts(result: Element, proxy: string): Streamhosts {
  const who = quoted(proxy, 64);
  const query = result.getChild("query", NS_BYTESTREAMS);
  if (!query) return { hosts: [], notes: [`${who}: its answer has no bytestreams <query/>`] };
  const hosts: Streamhost[] = [];
  const notes: string[] = [];
  let bad = 0;
  const entries = query.getChildren("streamhost", NS_BYTESTREAMS);
  for (const [i, el] of entries.entries()) {
    if (hosts.length === MAX_STREAMHOSTS) {
      notes.push(`${who}: ${entries.length - i} more streamhost(s) than ${MAX_STREAMHOSTS} ignored`);
      break;
    }
    const read = readStreamhost(el);
    if (typeof read !== "string") hosts.push(read);
    else if (++bad <= MAX_NOTES) notes.push(`${who}: streamhost ${i + 1} left out: ${read}`);
  }
  if (bad > MAX_NOTES) notes.push(`${who}: ${bad - MAX_NOTES} more bad streamhost(s) left out`);
  if (entries.length === 0) notes.push(`${who}: it announces no streamhost`);
  return { hosts, notes };
}

function readStreamhost(el: Element): Streamhost | string {
  const { jid, host, port } = el.attrs as Record<string, string | undefined>;
  if (!usableJid(jid)) return `jid "${quoted(jid ?? "", 64)}" is not a usable JID`;
  if (host === undefined || !validHost(host)) return `host "${quoted(host ?? "", 64)}" is not an IP address or host name`;
  if (!/^\d{1,5}$/.test(port ?? "") || Number(port) < 1 || Number(port) > 65535) return `port "${quoted(port ?? "", 8)}" is not 1–65535`;
  const range = parseIp(host)?.range;
  if (range === "unspecified") return `host ${host} is an unspecified address; nobody can connect to it`;
  return { jid, host: parseIp(host)?.ip ?? host.toLowerCase(), port: Number(port) };
}
