// The one door every failure leaves a session by.
import { isSicError, SicError } from "../errors";
import { scrubSecrets } from "../redact";

/** Every failure leaves as a SicError, and no message carries the password in any form. */
export async function guarded<T>(password: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const sic = isSicError(err)
      ? err
      : new SicError("connect", `The check failed unexpectedly: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
    // The reason and its data (e.g. the certificate's fingerprint) are ours, not secret: they survive.
    throw new SicError(sic.code, scrubSecrets(sic.message, password ? [password] : []), {
      cause: sic.cause,
      ...(sic.reason ? { reason: sic.reason } : {}),
      ...(sic.data ? { data: sic.data } : {}),
    });
  }
}
