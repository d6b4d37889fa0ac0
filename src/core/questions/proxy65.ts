// XEP-0065 proxies as a question a session asks: disco#items of the server's domain, disco#info of
// (at most MAX_ITEMS of) the items to find the SOCKS5 proxies, then each proxy's streamhosts. What
// is remembered is the proxies' JIDs (nothing secret), so a known server's proxies are asked for
// their streamhosts behind bind, with no wait of their own. A proxy that refuses or stays silent is
// left out with a note; the whole question has a budget of its own, so it never costs the run.
import { xml } from "@xmpp/xml";
import { NS_DISCO_INFO } from "../sic";
import { discoItems, isProxy, MAX_ITEMS, NS_BYTESTREAMS, NS_DISCO_ITEMS, parseStreamhosts, usableJid, type Streamhost } from "../streamhosts";
import { quoted } from "../text";
import type { AskContext, Asked, Question } from "../session/question";

/** Longest the proxy question waits for answers once the session reads it. */
export const PROXY_BUDGET_MS = 3000;

/** How long "this server has no proxy" is believed: a proxy added later is found within a day. */
export const NO_PROXY_KEPT_MS = 24 * 3600_000;

export interface ProxyFound {
  /** Every streamhost of every proxy that answered, validated, deduplicated. */
  streamhosts: Streamhost[];
  /** What was left out, and why (server text quoted). */
  notes: string[];
}

export interface Proxy65Options {
  budgetMs?: number;
}

/** `searchedAt` (epoch ms) only when the search found none: when to believe that no longer. */
type Memory = { proxies: string[]; searchedAt?: number };
type Progress = { streamhosts: Streamhost[]; notes: string[]; proxies: string[] };

export function proxy65Question(options: Proxy65Options = {}): Question<ProxyFound> {
  const budgetMs = options.budgetMs ?? PROXY_BUDGET_MS;
  return {
    key: "proxy65",
    needsFeatures: false,
    start(ctx) {
      const remembered = recallProxies(ctx.memory);
      if (remembered && remembered.length === 0) return async () => ({ answer: { streamhosts: [], notes: [] }, memory: ctx.memory as Memory });
      if (remembered) {
        const asked = remembered.map((jid) => ({ jid, id: ctx.request("get", xml("query", { xmlns: NS_BYTESTREAMS }), jid) }));
        return (read) => withinBudget(budgetMs, (p) => askKnown(read, asked, p));
      }
      const itemsId = ctx.request("get", xml("query", { xmlns: NS_DISCO_ITEMS }), ctx.domain);
      return (read) => withinBudget(budgetMs, (p) => discover(read, itemsId, p));
    },
  };
}

/** Runs `work`, which fills `progress`; after `budgetMs` the answer is what it has so far. */
async function withinBudget(budgetMs: number, work: (progress: Progress) => Promise<void>): Promise<Asked<ProxyFound>> {
  const progress: Progress = { streamhosts: [], notes: [], proxies: [] };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), budgetMs)));
  const done = work(progress);
  // Once late, the work is abandoned: its reads end when the session closes, quietly.
  done.catch(() => {});
  try {
    if ((await Promise.race([done, late])) === "late") progress.notes.push(`no complete answer from the SOCKS5 proxies within ${budgetMs} ms; the rest were left out`);
  } finally {
    clearTimeout(timer);
  }
  const memory: Memory = progress.proxies.length > 0 ? { proxies: [...progress.proxies] } : { proxies: [], searchedAt: Date.now() };
  return { answer: { streamhosts: [...progress.streamhosts], notes: [...progress.notes] }, memory };
}

async function discover({ iqs, phase, domain }: AskContext, itemsId: string, progress: Progress): Promise<void> {
  phase("asking the server for its services (disco#items)");
  const items = await iqs.reply(itemsId);
  if (!items.ok) {
    progress.notes.push(`the server refused disco#items (<${items.error.condition}/>); no SOCKS5 proxy was looked for`);
    return;
  }
  const { jids, notes } = discoItems(items.iq);
  progress.notes.push(...notes);
  phase(`asking ${jids.length} of the server's services whether they are a SOCKS5 proxy (disco#info)`);
  const infoIds = jids.map((jid) => ({ jid, id: iqs.send("get", xml("query", { xmlns: NS_DISCO_INFO }), jid) }));
  const proxies: string[] = [];
  for (const { jid, id } of infoIds) {
    const info = await iqs.reply(id);
    if (info.ok && isProxy(info.iq)) proxies.push(jid);
  }
  if (proxies.length === 0) return;
  await streamhostsOf({ iqs, phase, domain }, proxies.map((jid) => ({ jid, id: iqs.send("get", xml("query", { xmlns: NS_BYTESTREAMS }), jid) })), progress);
}

/** A known server: its remembered proxies were asked behind bind; if none answers, look again. */
async function askKnown(ctx: AskContext, asked: { jid: string; id: string }[], progress: Progress): Promise<void> {
  await streamhostsOf(ctx, asked, progress);
  if (progress.proxies.length > 0) return;
  progress.notes.length = 0;
  await discover(ctx, ctx.iqs.send("get", xml("query", { xmlns: NS_DISCO_ITEMS }), ctx.domain), progress);
}

async function streamhostsOf({ iqs, phase }: AskContext, asked: { jid: string; id: string }[], progress: Progress): Promise<void> {
  phase(`asking ${asked.length} SOCKS5 proxy(ies) for their streamhosts (XEP-0065)`);
  for (const { jid, id } of asked) {
    const reply = await iqs.reply(id);
    if (!reply.ok) {
      progress.notes.push(`${quoted(jid, 64)} refused the streamhost query (<${reply.error.condition}/>); left out`);
      continue;
    }
    const { hosts, notes } = parseStreamhosts(reply.iq, jid);
    progress.notes.push(...notes);
    const fresh = hosts.filter((h) => !progress.streamhosts.some((k) => k.host === h.host && k.port === h.port));
    progress.streamhosts.push(...fresh);
    if (hosts.length > 0) progress.proxies.push(jid);
  }
}

/**
 * The proxies an earlier session remembered, checked (a saved profile is untrusted); undefined:
 * search again. "None" is believed for NO_PROXY_KEPT_MS after the search that found none.
 */
export function recallProxies(memory: unknown, now = Date.now()): string[] | undefined {
  if (typeof memory !== "object" || memory === null) return undefined;
  const { proxies, searchedAt } = memory as Record<string, unknown>;
  if (!Array.isArray(proxies) || proxies.length > MAX_ITEMS) return undefined;
  if (proxies.length === 0) {
    const recent = typeof searchedAt === "number" && searchedAt <= now && now - searchedAt < NO_PROXY_KEPT_MS;
    return recent ? [] : undefined;
  }
  return proxies.every((p) => typeof p === "string" && usableJid(p)) ? [...(proxies as string[])] : undefined;
}
