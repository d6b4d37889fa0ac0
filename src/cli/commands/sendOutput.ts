// How `send` reports each sent stanza: one JSON line (a contract for scripts: sent, id, reply,
// type, condition, latencyMs) or text with the reply pretty-printed. Everything the server wrote
// goes through the one neutraliser (core/text.ts) and the password scrub.
import { prettyXml, scrubSecrets } from "../../core";
import { quoted } from "../../core/text";
import { redactElement } from "../../core/redact";
import type { SentOutcome } from "./sendExchange";

export const DEFAULT_REPLY_WAIT_MS = 15_000;
/** A reply is clipped here in the output; the stanza log keeps what its own limits allow. */
const MAX_REPLY_CHARS = 64 * 1024;
const MAX_LINE_CHARS = 2000;

export function outcomeJson(o: SentOutcome, secrets: readonly string[]) {
  return {
    sent: o.stanza.element.toString(),
    id: o.stanza.id,
    reply: o.reply ? quoted(replyXml(o, secrets), MAX_REPLY_CHARS) : null,
    type: o.type,
    condition: o.condition,
    latencyMs: o.latencyMs === null ? null : Math.round(o.latencyMs * 10) / 10,
  };
}

export function outcomeText(o: SentOutcome, secrets: readonly string[], replyDeadlineMs: number): string {
  const { name, id, expectsReply } = o.stanza;
  const sent = `→ ${name}${o.stanza.element.attrs.type ? ` ${o.stanza.element.attrs.type}` : ""} id=${quoted(id, 200)}`;
  if (!o.reply) {
    const none = expectsReply ? `no reply within ${replyDeadlineMs} ms` : "sent";
    return `${sent}\n← ${none}\n\n`;
  }
  const head = `← ${o.type}${o.condition ? ` (${o.condition})` : ""} in ${o.latencyMs?.toFixed(1)} ms`;
  const body = prettyXml(replyXml(o, secrets).slice(0, MAX_REPLY_CHARS))
    .split("\n")
    .map((line) => {
      const indent = /^ */.exec(line)![0];
      return indent + quoted(line.slice(indent.length), MAX_LINE_CHARS);
    })
    .join("\n");
  return `${sent}\n${head}\n${body}\n\n`;
}

/** 0 when every iq got a result and nothing bounced, else 1. */
export function exitCodeOf(outcomes: readonly SentOutcome[]): number {
  return outcomes.some((o) => o.type === "error" || (o.stanza.expectsReply && o.type !== "result")) ? 1 : 0;
}

/** The reply as the stanza log shows it: redacted, then scrubbed of the password. */
function replyXml(o: SentOutcome, secrets: readonly string[]): string {
  return scrubSecrets(redactElement(o.reply!), secrets);
}
