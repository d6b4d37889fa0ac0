// Reading a check's stanza log as flights: how many times the client waited for the server.
import type { StanzaLogEntry } from "../../src/core";

/**
 * Waits for the server until the address arrived: client flights (runs of what we sent with
 * nothing received in between; the TLS handshake counts as one) up to the XEP-0279 answer.
 */
export function waits(entries: readonly StanzaLogEntry[]): number {
  let flights = 0;
  let lastWasOut = false;
  for (const e of entries) {
    if (e.direction === "in" && /^iq result → urn:xmpp:sic:/.test(e.summary)) return flights;
    if (e.direction === "out" && !lastWasOut) flights++;
    lastWasOut = e.direction === "out";
  }
  throw new Error("no XEP-0279 answer in the log");
}

/** Position of the first entry in that direction whose summary matches, or -1. */
export const index = (entries: readonly StanzaLogEntry[], direction: "in" | "out", pattern: RegExp) =>
  entries.findIndex((e) => e.direction === direction && pattern.test(e.summary));
