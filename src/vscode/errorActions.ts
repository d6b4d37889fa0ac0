// A failed check in VS Code's terms: a short label per error code for the views, the sentence
// with VS Code's advice (advice.ts), and the actions that fix it: trust the certificate the server
// showed, choose a CA file, change the password, edit the account, show the log.
import * as vscode from "vscode";
import { errorSentence, type ErrorCode, type ErrorReason } from "../core";
import type { Account, AccountStore } from "./accounts";
import { chooseCaFile } from "./accountSteps";
import type { StoredError } from "./outcome";
import type { Output } from "./output";

const CODE_LABELS: Record<ErrorCode, string> = {
  usage: "Account settings need fixing",
  connect: "Cannot reach the server",
  tls: "TLS failed",
  auth: "Wrong JID or password",
  unsupported: "Server does not offer IP check",
  forbidden: "Server refused to say",
  "server-error": "Server error",
  "bad-reply": "Malformed answer",
  timeout: "No answer in time",
  "stream-error": "Server closed the stream",
  cancelled: "Cancelled",
};

const REASON_LABELS: Record<ErrorReason, string> = {
  "untrusted-certificate": "Certificate not trusted",
  "pin-mismatch": "Certificate changed",
  "reset-at-stream-start": "Port may expect direct TLS",
  "dns-unanswered": "DNS did not answer",
  "no-xmpp-service": "Domain offers no XMPP service",
  "tls-required": "Server requires TLS",
};

export function errorLabel(error: StoredError): string {
  return (error.reason && REASON_LABELS[error.reason]) ?? CODE_LABELS[error.code];
}

/** The sentence a person reads in VS Code: what happened and what to do here. */
export function errorText(error: StoredError): string {
  return errorSentence(error, "vscode");
}

interface Action {
  title: string;
  run: () => Thenable<unknown>;
}

/** A warning with the actions that can fix this error; Retry only where retrying can help. */
export async function showFailure(accounts: AccountStore, output: Output, account: Account, error: StoredError): Promise<void> {
  const recheck = () => vscode.commands.executeCommand("xmppSic.check", account.id);
  const edit: Action = { title: "Edit Account", run: () => vscode.commands.executeCommand("xmppSic.editAccount", { kind: "account", account }) };
  const log: Action = { title: "Show Log", run: async () => output.show() };
  const retry: Action = { title: "Retry", run: recheck };
  const fingerprint = error.data?.fingerprint;
  const trust: Action[] = fingerprint
    ? [{ title: `Trust this certificate (SHA-256 ${fingerprint.slice(0, 5)}…)`, run: () => trustCertificate(accounts, account, fingerprint).then((ok) => ok && recheck()) }]
    : [];
  const chooseCa: Action = { title: "Choose CA file…", run: () => useCaFile(accounts, account).then((ok) => ok && recheck()) };
  const byReason: Partial<Record<ErrorReason, Action[]>> = {
    "untrusted-certificate": [...trust, chooseCa],
    "pin-mismatch": [...trust, log],
    "reset-at-stream-start": [edit, log],
    "dns-unanswered": [retry, edit, log],
    "no-xmpp-service": [edit],
    "tls-required": [edit],
  };
  const byCode: Partial<Record<ErrorCode, Action[]>> = {
    auth: [{ title: "Change Password", run: () => vscode.commands.executeCommand("xmppSic.changePassword", account.id).then((id) => id && recheck()) }, edit],
    connect: [edit, log],
    timeout: [retry, edit, log],
    tls: [edit, log],
    usage: [edit],
  };
  const actions = (error.reason && byReason[error.reason]) ?? byCode[error.code] ?? [retry, log];
  const choice = await vscode.window.showWarningMessage(`${account.jid}: ${errorText(error)}`, ...actions.map((a) => a.title));
  await actions.find((a) => a.title === choice)?.run();
}

/** Pins the certificate the server showed, once the person has compared and confirmed it. */
export async function trustCertificate(accounts: AccountStore, account: Account, fingerprint: string): Promise<boolean> {
  const trust = "Trust This Certificate";
  const answer = await vscode.window.showWarningMessage(
    `Trust the certificate ${account.jid}'s server showed?`,
    {
      modal: true,
      detail: `SHA-256 ${fingerprint}\n\nCompare it with the fingerprint the server's admin gives you. Once trusted, only this exact certificate is accepted for this account (no CA is needed).`,
    },
    trust,
  );
  if (answer !== trust) return false;
  await accounts.update(account.id, { fingerprint, caFile: undefined });
  return true;
}

export async function useCaFile(accounts: AccountStore, account: Account): Promise<boolean> {
  const picked = await chooseCaFile(account.caFile);
  if (!picked) return false;
  if (picked.problem) {
    void vscode.window.showErrorMessage(picked.problem);
    return false;
  }
  await accounts.update(account.id, { caFile: picked.path, fingerprint: undefined });
  return true;
}
