// Whether text carries a secret in any form redact.ts knows (clear, XML-escaped, base64 at any
// alignment). The console refuses such text instead of scrubbing it: a stanza with its password
// replaced would not be what the person meant to send.
import { secretForms } from "../redact";

/** Where the first form of any secret starts in text, or -1. */
export function findSecret(text: string, secrets: readonly string[]): number {
  let first = -1;
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      const at = form.length > 0 ? text.indexOf(form) : -1;
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
  }
  return first;
}

export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return findSecret(text, secrets) !== -1;
}
