// How a stream fails, in sentences: a direct-TLS port answering a plain stream header, a server
// that stopped reading what we write, malformed XML. Kept apart from xmlStream.ts, which decides when.
import { SicError } from "./errors";
import { quoted } from "./text";

/** What the stream knows of its connection when it fails. */
export interface ConnectionFacts {
  encrypted: boolean;
  heardAnything: boolean;
  phase: string;
  remotePort: number | undefined;
}

/**
 * A plain stream header sent to a direct-TLS port ends in a reset, a close or a TLS alert before
 * any XML: say so (a front end then suggests direct TLS), rather than only "ECONNRESET".
 * `chunk`: the first bytes the server sent, when it sent some (a TLS record starts 0x15 or 0x16).
 */
export function directTlsPortError(facts: ConnectionFacts, what: string, chunk?: Buffer): SicError | undefined {
  if (facts.encrypted || facts.heardAnything || facts.phase !== "opening the stream") return undefined;
  if (chunk && chunk[0] !== 0x15 && chunk[0] !== 0x16) return undefined;
  const port = facts.remotePort;
  return new SicError("connect", `The server ${what} while ${facts.phase}, before a word of XMPP.`, {
    reason: "reset-at-stream-start",
    ...(port ? { data: { port: String(port) } } : {}),
  });
}

export function writeStalled(waitingBytes: number, stallMs: number, phase: string): SicError {
  const kb = Math.round(waitingBytes / 1024);
  return new SicError("connect", `The server stopped reading what this client sends: ${kb} KB waited ${stallMs / 1000} s to be written while ${phase}.`);
}

export function malformedXml(err: Error, phase: string): SicError {
  return new SicError("bad-reply", `The server sent malformed XML while ${phase}: ${quoted(err.message)}`, { cause: err });
}
