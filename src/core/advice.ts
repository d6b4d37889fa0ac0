// What a person can do about a failure, in the terms of the front end they use: the core's error
// says what happened; this one table says how to fix it, on a command line or in VS Code. Each
// front end appends its wording to the message (errorSentence), so the two never drift apart.
import type { ErrorCode, ErrorReason, SicError } from "./errors";

export type FrontEnd = "cli" | "vscode";

type Wording = Record<FrontEnd, (data: Readonly<Record<string, string>>) => string>;

const REASON_ADVICE: Record<ErrorReason, Wording> = {
  "untrusted-certificate": {
    cli: () =>
      "If you trust this server, pass its CA with --ca FILE or pin its certificate with --fingerprint SHA256 " +
      "(openssl s_client -connect HOST:PORT -starttls xmpp | openssl x509 -noout -fingerprint -sha256).",
    vscode: (d) =>
      d.fingerprint
        ? `If you trust this server, choose its CA file, or trust this one certificate (SHA-256 ${d.fingerprint}) once you have compared that fingerprint with the one its admin gives you.`
        : "If you trust this server, choose its CA file or pin its certificate's SHA-256 fingerprint in Edit Account.",
  },
  "pin-mismatch": {
    cli: () => "If the server's certificate changed legitimately, pin the new fingerprint; otherwise do not trust this connection.",
    vscode: () => "If the server's certificate changed legitimately (ask its admin), trust the new one; otherwise do not trust this connection.",
  },
  "reset-at-stream-start": {
    cli: (d) => `${d.port ? `Port ${d.port}` : "The port"} may expect direct TLS (XEP-0368): try --tls direct, or the server's STARTTLS port (usually 5222).`,
    vscode: (d) => `${d.port ? `Port ${d.port}` : "The port"} may expect direct TLS (XEP-0368): choose "Direct TLS" in Edit Account, or the server's STARTTLS port (usually 5222).`,
  },
  "dns-unanswered": {
    cli: () => "Check your network and DNS resolver, or give the server with --host.",
    vscode: () => "Check your network and DNS resolver, or give the server's host in Edit Account.",
  },
  "no-xmpp-service": {
    cli: () => "Check the JID's domain, or give the server with --host.",
    vscode: () => "Check the JID's domain, or give the server's host in Edit Account.",
  },
  "tls-required": {
    cli: () => "Use --tls starttls (or direct).",
    vscode: () => "Choose STARTTLS (or Direct TLS) in Edit Account.",
  },
  "login-invalid": {
    cli: () => "A new password will not help: the server, or something between you and it, broke the SCRAM login. Tell the server's admin; until it is fixed, do not trust this connection.",
    vscode: () => "A new password will not help: the server, or something between you and it, broke the SCRAM login. Tell the server's admin (Show Log has the details); until it is fixed, do not trust this connection.",
  },
};

/** The advice per code, where no reason says more. */
export const CODE_ADVICE: Record<ErrorCode, Record<FrontEnd, string>> = {
  usage: { cli: "Fix the command or account settings named in the message.", vscode: "Fix the account setting named in the message (Edit Account)." },
  connect: {
    cli: "Check the host and port, that the server runs, and that your network reaches it.",
    vscode: "Check the account's host and port (Edit Account), that the server runs, and that your network reaches it.",
  },
  tls: {
    cli: "Trust the server's CA with --ca FILE or pin its certificate with --fingerprint SHA256.",
    vscode: "Choose the server's CA file or pin its certificate in Edit Account.",
  },
  auth: { cli: "Check the JID and password; the server refused them.", vscode: "Check the JID and password (Change Password); the server refused them." },
  unsupported: {
    cli: "Ask the server's admin to enable mod_ipcheck (Prosody) or mod_sic (ejabberd).",
    vscode: "Ask the server's admin to enable mod_ipcheck (Prosody) or mod_sic (ejabberd).",
  },
  forbidden: {
    cli: "The server refused to say; it only answers questions about your own session.",
    vscode: "The server refused to say; it only answers questions about your own session.",
  },
  "server-error": { cli: "The server failed to answer; try again later or tell its admin.", vscode: "The server failed to answer; try again later or tell its admin." },
  "bad-reply": {
    cli: "The server's answer was malformed; report it to the server's developers.",
    vscode: "The server's answer was malformed (see the Stanza Log); report it to the server's developers.",
  },
  timeout: {
    cli: "The server or network is too slow or silent; raise --timeout or check the path.",
    vscode: "The server or network is too slow or silent; raise the xmppSic.timeoutSeconds setting or check the host and port.",
  },
  "stream-error": { cli: "The server closed the XMPP stream; the message names its reason.", vscode: "The server closed the XMPP stream; the message names its reason." },
  cancelled: { cli: "The check was cancelled before it finished.", vscode: "The check was cancelled before it finished." },
};

/** An error's reason and data, as carried by a SicError or by its JSON form. */
export interface ErrorFacts {
  code: ErrorCode;
  message: string;
  reason?: ErrorReason | undefined;
  data?: Readonly<Record<string, string>> | undefined;
}

/** The advice for this error's reason, in this front end's terms; "" when it has no reason. */
export function reasonAdvice(error: ErrorFacts, frontEnd: FrontEnd): string {
  return error.reason ? REASON_ADVICE[error.reason][frontEnd](error.data ?? {}) : "";
}

/** The whole sentence a person reads: what happened, then what to do about it here. */
export function errorSentence(error: ErrorFacts | SicError, frontEnd: FrontEnd): string {
  const advice = reasonAdvice(error, frontEnd);
  return advice ? `${error.message} ${advice}` : error.message;
}

export const CLI_HINTS = Object.fromEntries(Object.entries(CODE_ADVICE).map(([code, w]) => [code, w.cli])) as Record<ErrorCode, string>;
