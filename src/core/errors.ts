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

/**
 * Finer than the code, where a front end can offer a fix of its own (see advice.ts): the message
 * states what happened; each front end appends its advice for the reason, in its own terms.
 */
export type ErrorReason =
  | "untrusted-certificate"
  | "pin-mismatch"
  | "reset-at-stream-start"
  | "dns-unanswered"
  | "no-xmpp-service"
  | "tls-required"
  /** The server broke SCRAM's rules (bad messages, an unknown e=, a wrong signature): a password change cannot help. */
  | "login-invalid";

export interface ErrorDetails {
  reason: ErrorReason;
  /** What the fix needs, e.g. the SHA-256 fingerprint of the certificate the server showed. */
  data?: Readonly<Record<string, string>>;
}

export class SicError extends Error {
  override readonly name = "SicError";
  readonly reason: ErrorReason | undefined;
  readonly data: Readonly<Record<string, string>> | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown } & Partial<ErrorDetails>,
  ) {
    // The backstop: whatever a sentence quotes, it leaves the core as one line of displayable text.
    super(clip(neutralise(message), MESSAGE_MAX), options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options?.reason;
    this.data = options?.data;
  }
}

export function isSicError(value: unknown): value is SicError {
  return value instanceof SicError;
}

/** What a person can do about each code on a command line (advice.ts has every front end's wording). */
export { CLI_HINTS as ERROR_HINTS } from "./advice";
