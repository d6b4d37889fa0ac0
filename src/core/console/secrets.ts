// Whether text carries a secret in any form redact.ts knows (clear, XML-escaped, base64 at any
// alignment). The console refuses such text instead of scrubbing it: a stanza with its password
// replaced would not be what the person meant to send.
import { secretForms } from "../redact";

/** A finder for every form of the secrets, worked out once: it returns where the first form starts, or -1. */
export function secretFinder(secrets: readonly string[]): (text: string) => number {
  const forms = [...new Set(secrets.flatMap((s) => secretForms(s)))].filter((f) => f.length > 0);
  return (text) => {
    let first = -1;
    for (const form of forms) {
      const at = text.indexOf(form);
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    return first;
  };
}

export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secretFinder(secrets)(text) !== -1;
}
