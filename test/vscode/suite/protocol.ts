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
  /** An account only the kept-session test uses, so the server's log shows its logins alone. */
  kept: { user: string; password: string };
  /** The server's own debug log (connections, logins, closes), for the server's side of a test. */
  logFile: string;
}

/** A TLS endpoint that accepts `user`/`password` of the ProsodyTarget (fails on purpose later). */
export interface FailingServer {
  port: number;
  caFile: string;
}

/** What the failure tests point accounts at; all on 127.0.0.1. */
export interface FailureTargets {
  /** A loopback port where nothing listens (connect). */
  refusedPort: number;
  /** Accepts TCP connections and never sends a byte (timeout). */
  silentPort: number;
  /** Prosody without mod_ipcheck, STARTTLS (unsupported), or why there is none. */
  noIpcheck: FailingServer | { skip: string };
  /** The adversarial server answering the query with malformed XML (bad-reply), STARTTLS. */
  badReply: FailingServer;
  /** The adversarial server answering the query with a stream error (stream-error), STARTTLS. */
  streamError: FailingServer;
  /** GET: ProbeState as JSON, what these servers saw. */
  probeUrl: string;
}

export interface ProbeState {
  silent: { accepted: number; open: number };
  badReply: { accepted: number; open: number };
  streamError: { accepted: number; open: number };
}

export interface SuiteConfig {
  resultFile: string;
  /** A directory the suite may write to (e.g. the exported stanza log); the Node side inspects it. */
  scratchDir: string;
  prosody?: ProsodyTarget;
  /** Why there is no Prosody, when there is none: the tests that need it are skipped with this. */
  prosodySkip?: string;
  failures?: FailureTargets;
  /** Only the tests whose full title contains this. */
  grep?: string;
}

export type TestState = "passed" | "failed" | "pending";

export interface SuiteTestResult {
  fullTitle: string;
  state: TestState;
  durationMs: number;
  error?: string;
  /** Lines a test asked to show in the Node side's report (measurements). */
  notes?: string[];
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
const xmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const nonAsciiEscaped = (s: string) =>
  [...s].map((c) => (c.charCodeAt(0) < 0x80 ? c : c.split("").map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""))).join("");

/**
 * The password as it could appear anywhere: in clear; escaped for XML text and attributes, for
 * JSON (also with non-ASCII as \uXXXX and HTML-safe escapes), for URLs; and base64 (alone, inside
 * a SASL PLAIN payload, and at any offset).
 */
export function secretForms(user: string, password: string): string[] {
  const json = JSON.stringify(password).slice(1, -1);
  const escapes = [
    xmlText(password),
    xmlText(password).replace(/"/g, "&quot;"),
    xmlText(password).replace(/"/g, "&#34;"),
    json,
    nonAsciiEscaped(json),
    nonAsciiEscaped(json).replace(/&/g, "\\u0026").replace(/</g, "\\u003c").replace(/>/g, "\\u003e"),
    encodeURIComponent(password),
  ];
  const forms = [password, ...escapes.filter((form) => form !== password), b64(password), b64(`\0${user}\0${password}`)];
  // Inside a longer base64 text the password's encoding depends on its offset mod 3; the middle
  // of each of those encodings is fixed (the edges mix with neighbouring bytes).
  for (let pad = 0; pad < 3; pad++) {
    const encoded = b64("\0".repeat(pad) + password);
    const start = Math.ceil((pad * 4) / 3) + 1;
    const middle = encoded.slice(start, encoded.length - 4);
    if (middle.length >= 8) forms.push(middle);
  }
  return [...new Set(forms)];
}
