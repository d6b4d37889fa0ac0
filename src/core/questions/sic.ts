// XEP-0279 (Server IP Check) as a question a session asks: which query goes first (the one that
// answered last time, else the first of the plan from disco#info, or of the forced version), the
// fall-back through the other shapes, and what is remembered: the query that answered. The queries,
// the plan and the answer's validation are ../sic.ts.
import { SicError } from "../errors";
import type { AskContext, Asked, Question } from "../session/question";
import {
  forcedQueries,
  parseAnswer,
  planQueries,
  queryError,
  queryPayload,
  sameQuery,
  shouldFallBack,
  SIC0_ADDRESS,
  SIC0_IP,
  SIC1,
  type Protocol,
  type SicAnswer,
  type SicQuery,
} from "../sic";

/** A validated answer, and the query it answered (a kept session asks it again). */
export interface SicFound extends SicAnswer {
  query: SicQuery;
}

/** "auto" plans from disco#info and remembers what answered; a forced version does neither. */
export function sicQuestion(protocol: Protocol): Question<SicFound> {
  return {
    key: "sic",
    needsFeatures: protocol === "auto",
    start(ctx) {
      const plan = protocol === "auto" ? planQueries(ctx.features ? new Set(ctx.features) : null) : forcedQueries(protocol);
      if (plan.length === 0) return () => Promise.reject(notOffered());
      const remembered = protocol === "auto" ? recallQuery(ctx.memory) : undefined;
      const ordered = remembered ? [remembered, ...plan.filter((q) => !sameQuery(q, remembered))] : plan;
      const first = ctx.request("get", queryPayload(ordered[0]!));
      return (read) => fallBack(read, ordered, first, protocol === "auto");
    },
  };
}

/** Asks, on a kept session, the query that answered before; no fall-back. */
export async function askAgain({ iqs, phase }: AskContext, query: SicQuery): Promise<SicFound> {
  phase(`asking again for the address (${query.namespace})`);
  const reply = await iqs.request("get", queryPayload(query));
  if (!reply.ok) throw queryError(reply.error);
  return { ...parseAnswer(reply.iq, query.namespace), query };
}

async function fallBack({ iqs, phase }: AskContext, plan: SicQuery[], firstId: string, remember: boolean): Promise<Asked<SicFound>> {
  let lastCondition = "";
  for (const [i, query] of plan.entries()) {
    phase(`asking for the address (${query.namespace})`);
    const reply = await iqs.reply(i === 0 ? firstId : iqs.send("get", queryPayload(query)));
    if (reply.ok) {
      const memory = remember ? { namespace: query.namespace, element: query.element } : null;
      return { answer: { ...parseAnswer(reply.iq, query.namespace), query }, memory };
    }
    if (!shouldFallBack(query, reply.error)) throw queryError(reply.error);
    lastCondition = reply.error.condition;
  }
  throw new SicError(
    "unsupported",
    `The server answered every form of the XEP-0279 query with an error (last: <${lastCondition}/>); it does not support Server IP Check.`,
  );
}

function notOffered(): SicError {
  return new SicError(
    "unsupported",
    "The server does not offer Server IP Check (XEP-0279): its disco#info lists neither urn:xmpp:sic:1 nor urn:xmpp:sic:0. " +
      "Ask its admin to enable mod_ipcheck (Prosody) or mod_sic (ejabberd).",
  );
}

/** The remembered query as one of ours (a saved profile is untrusted, and fall-back compares by identity). */
function recallQuery(memory: unknown): SicQuery | undefined {
  if (typeof memory !== "object" || memory === null) return undefined;
  const { namespace, element } = memory as Record<string, unknown>;
  return [SIC1, SIC0_IP, SIC0_ADDRESS].find((q) => q.namespace === namespace && q.element === element);
}
