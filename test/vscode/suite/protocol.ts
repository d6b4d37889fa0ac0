// What the Node side of a VS Code test and the suite inside the extension host tell each other.
// The Node side starts code-server with SUITE_ENV naming a SuiteConfig JSON file; the extension
// host inherits code-server's environment, so the suite reads its inputs from that file and writes
// a SuiteResult to config.resultFile before its run() settles.

export const SUITE_ENV = "XMPP_SIC_VSCODE_SUITE";

export interface ProsodyTarget {
  domain: string;
  host: string;
  starttlsPort: number;
  directTlsPort: number;
  caFile: string;
  user: string;
  password: string;
  /** Another account on the same server (one VS Code account per JID). */
  second: { user: string; password: string };
}

export interface SuiteConfig {
  resultFile: string;
  /** A directory the suite may write to (e.g. the exported stanza log); the Node side inspects it. */
  scratchDir: string;
  prosody?: ProsodyTarget;
  /** Why there is no Prosody, when there is none: the tests that need it are skipped with this. */
  prosodySkip?: string;
  /** Only the tests whose full title contains this. */
  grep?: string;
}

export type TestState = "passed" | "failed" | "pending";

export interface SuiteTestResult {
  fullTitle: string;
  state: TestState;
  durationMs: number;
  error?: string;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  tests: SuiteTestResult[];
  /** A failure outside any test (loading, hooks). */
  error?: string;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** The password and its base64 forms (alone, inside a SASL PLAIN payload, and at any offset). */
export function secretForms(user: string, password: string): string[] {
  const forms = [password, b64(password), b64(`\0${user}\0${password}`)];
  // Inside a longer base64 text the password's encoding depends on its offset mod 3; the middle
  // of each of those encodings is fixed (the edges mix with neighbouring bytes).
  for (let pad = 0; pad < 3; pad++) {
    const encoded = b64("\0".repeat(pad) + password);
    const start = Math.ceil((pad * 4) / 3) + 1;
    const middle = encoded.slice(start, encoded.length - 4);
    if (middle.length >= 8) forms.push(middle);
  }
  return forms;
}
