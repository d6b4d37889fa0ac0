// The closed set of ways a check can fail. Every failure that leaves the core is a SicError with
// one of these codes and a sentence a person can act on; shells map codes, never parse messages.
import { clip, MESSAGE_MAX, neutralise } from "./text";

export const ERROR_CODES = [
  "usage",
  "connect",
  "tls",
  "auth",
  "unsupported",
  "forbidden",
  "server-error",
  "bad-reply",
  "timeout",
  "stream-error",
  "cancelled",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class SicError extends Error {
  override readonly name = "SicError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    // The backstop: whatever a sentence quotes, it leaves the core as one line of displayable text.
    super(clip(neutralise(message), MESSAGE_MAX), options);
  }
}

export function isSicError(value: unknown): value is SicError {
  return value instanceof SicError;
}

/** What a person can do about each code, for the CLI's help and the README's troubleshooting. */
export const ERROR_HINTS: Record<ErrorCode, string> = {
  usage: "Fix the command or account settings named in the message.",
  connect: "Check the host and port, that the server runs, and that your network reaches it.",
  tls: "Trust the server's CA with --ca FILE or pin its certificate with --fingerprint SHA256.",
  auth: "Check the JID and password; the server refused them.",
  unsupported: "Ask the server's admin to enable mod_ipcheck (Prosody) or mod_sic (ejabberd).",
  forbidden: "The server refused to say; it only answers questions about your own session.",
  "server-error": "The server failed to answer; try again later or tell its admin.",
  "bad-reply": "The server's answer was malformed; report it to the server's developers.",
  timeout: "The server or network is too slow or silent; raise --timeout or check the path.",
  "stream-error": "The server closed the XMPP stream; the message names its reason.",
  cancelled: "The check was cancelled before it finished.",
};
