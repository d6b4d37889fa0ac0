// XEP-0215 (External Service Discovery) as a question a session asks: the STUN services the server
// announces, asked only when its disco#info lists extdisco (:2 preferred, :1 as the fall-back),
// written with the XEP-0279 query so it costs no wait of its own. What is remembered is the list
// of STUN services (type, host, port, transport: nothing secret). TURN credentials are asked only
// when a caller wants a relay; they stay in the reply's vault (extdisco.ts credentialsFor) for this
// run and are redacted from the stanza log (redact.ts).
import { xml } from "@xmpp/xml";
import { SicError } from "../errors";
import { NS_EXTDISCO_1, NS_EXTDISCO_2, parseExtdisco, type ExtdiscoReply, type ExternalService } from "../extdisco";
import type { AskContext, Asked, Question } from "../session/question";

/** The services found; `turn` only when TURN was asked for (its credentials via turn.credentialsFor). */
export interface ExtdiscoFound {
  /** The namespace that answered; null when the server does not offer XEP-0215. */
  namespace: string | null;
  /** STUN services (type stun/stuns), validated and bounded. */
  stun: ExternalService[];
  turn: ExtdiscoReply | null;
  /** Entries left out of the replies, with why. */
  skipped: string[];
}

/** A remembered STUN service: exactly these four fields, nothing secret. */
export type RememberedService = Pick<ExternalService, "type" | "host" | "port" | "transport">;

const NONE: ExtdiscoFound = { namespace: null, stun: [], turn: null, skipped: [] };

export interface ExtdiscoOptions {
  /** Also ask for type='turn' (credentials), for this run only. */
  turn?: boolean;
  /** Flags announcements unreachable from here (extdisco.ts); the XMPP server's address. */
  serverIp?: () => string | undefined;
  /** A known server: called with the remembered STUN services as the question starts, before any answer. */
  onRemembered?: (services: RememberedService[]) => void;
}

export function extdiscoQuestion(options: ExtdiscoOptions = {}): Question<ExtdiscoFound> {
  return {
    key: "extdisco",
    needsFeatures: true,
    start(ctx) {
      const remembered = recallServices(ctx.memory);
      if (remembered && remembered.length > 0) options.onRemembered?.(remembered);
      const offered = ctx.features ? [NS_EXTDISCO_2, NS_EXTDISCO_1].filter((ns) => ctx.features!.includes(ns)) : [];
      // Asked only when listed: a server that does not say it has it is not asked.
      if (offered.length === 0) return async () => ({ answer: NONE, memory: { namespace: null, services: [] } });
      const ask = (ns: string, type: string) => ctx.request("get", xml("services", { xmlns: ns, type }), ctx.domain);
      const stunId = ask(offered[0]!, "stun");
      const turnId = options.turn ? ask(offered[0]!, "turn") : null;
      return (read) => readAnswers(read, offered, stunId, turnId, options.serverIp?.());
    },
  };
}

async function readAnswers(
  { iqs, phase, domain }: AskContext,
  offered: string[],
  stunId: string,
  turnId: string | null,
  serverIp: string | undefined,
): Promise<Asked<ExtdiscoFound>> {
  phase(`asking for the STUN services (${offered[0]})`);
  let namespace = offered[0]!;
  let reply = await iqs.reply(stunId);
  const turnReply = turnId ? await iqs.reply(turnId) : null;
  if (!reply.ok && offered[1]) {
    namespace = offered[1];
    phase(`asking for the STUN services (${namespace})`);
    reply = await iqs.request("get", xml("services", { xmlns: namespace, type: "stun" }), domain);
  }
  if (!reply.ok) {
    // A refusal is an answer too ("no services for you"): the check goes on without UDP.
    return { answer: { ...NONE, namespace: null }, memory: { namespace: null, services: [] } };
  }
  const parsed = parseExtdisco(reply.iq, serverIp);
  const stun = parsed.services.filter((s) => s.type === "stun" || s.type === "stuns");
  const turn = turnReply?.ok ? parseExtdisco(turnReply.iq, serverIp) : null;
  const remembered: RememberedService[] = stun.map(({ type, host, port, transport }) => ({ type, host, port, transport }));
  return { answer: { namespace, stun, turn, skipped: parsed.skipped }, memory: { namespace, services: remembered } };
}

/** The STUN services an earlier session remembered, checked (a saved profile is untrusted). */
export function recallServices(memory: unknown): RememberedService[] | undefined {
  if (typeof memory !== "object" || memory === null) return undefined;
  const services = (memory as Record<string, unknown>).services;
  if (!Array.isArray(services) || services.length > 16) return undefined;
  const ok = services.every(
    (s) =>
      typeof s === "object" && s !== null &&
      (s.type === "stun" || s.type === "stuns") &&
      typeof s.host === "string" && s.host.length <= 253 &&
      Number.isInteger(s.port) && s.port > 0 && s.port < 65536 &&
      (s.transport === "udp" || s.transport === "tcp"),
  );
  // Only the four fields: whatever else a tampered file put there goes no further.
  return ok ? (services as RememberedService[]).map(({ type, host, port, transport }) => ({ type, host, port, transport })) : undefined;
}

export function noStunError(): SicError {
  return new SicError(
    "unsupported",
    "The server announces no STUN service (XEP-0215 External Service Discovery): its disco#info does not list urn:xmpp:extdisco:2 or :1, or its answer names no STUN server. " +
      "Ask its admin to enable mod_stun_disco (ejabberd) or mod_turn_external / external_services (Prosody), or run with --udp auto.",
  );
}
