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
  usage: vscode.l10n.t("Account settings need fixing"),
  connect: vscode.l10n.t("Cannot reach the server"),
  tls: vscode.l10n.t("TLS failed"),
  auth: vscode.l10n.t("Wrong JID or password"),
  unsupported: vscode.l10n.t("Server does not offer IP check"),
  forbidden: vscode.l10n.t("Server refused to say"),
  "server-error": vscode.l10n.t("Server error"),
  "bad-reply": vscode.l10n.t("Malformed answer"),
  timeout: vscode.l10n.t("No answer in time"),
  "stream-error": vscode.l10n.t("Server closed the stream"),
  cancelled: vscode.l10n.t("Cancelled"),
};

const REASON_LABELS: Record<ErrorReason, string> = {
  "untrusted-certificate": vscode.l10n.t("Certificate not trusted"),
  "pin-mismatch": vscode.l10n.t("Certificate changed"),
  "reset-at-stream-start": vscode.l10n.t("Port may expect direct TLS"),
  "dns-unanswered": vscode.l10n.t("DNS did not answer"),
  "no-xmpp-service": vscode.l10n.t("Domain offers no XMPP service"),
  "tls-required": vscode.l10n.t("Server requires TLS"),
  "login-invalid": vscode.l10n.t("Server broke the login"),
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
  const edit: Action = { title: vscode.l10n.t("Edit Account"), run: () => vscode.commands.executeCommand("xmppSic.editAccount", { kind: "account", account }) };
  const log: Action = { title: vscode.l10n.t("Show Log"), run: async () => output.show() };
  const retry: Action = { title: vscode.l10n.t("Retry"), run: recheck };
  const fingerprint = error.data?.fingerprint;
  const trust: Action[] = fingerprint
    ? [{ title: vscode.l10n.t("Trust this certificate (SHA-256 {0}…)", fingerprint.slice(0, 5)), run: () => trustCertificate(accounts, account, fingerprint).then((ok) => ok && recheck()) }]
    : [];
  const chooseCa: Action = { title: vscode.l10n.t("Choose CA file…"), run: () => useCaFile(accounts, account).then((ok) => ok && recheck()) };
  const byReason: Partial<Record<ErrorReason, Action[]>> = {
    "untrusted-certificate": [...trust, chooseCa],
    "pin-mismatch": [...trust, log],
    "reset-at-stream-start": [edit, log],
    "dns-unanswered": [retry, edit, log],
    "no-xmpp-service": [edit],
    "tls-required": [edit],
    "login-invalid": [log, edit],
  };
  const byCode: Partial<Record<ErrorCode, Action[]>> = {
    auth: [{ title: vscode.l10n.t("Change Password"), run: () => vscode.commands.executeCommand("xmppSic.changePassword", account.id).then((id) => id && recheck()) }, edit],
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
  const trust = vscode.l10n.t("Trust This Certificate");
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t("Trust the certificate {0}'s server showed?", account.jid),
    {
      modal: true,
      detail: vscode.l10n.t("SHA-256 {0}\n\nCompare it with the fingerprint the server's admin gives you. Once trusted, only this exact certificate is accepted for this account (no CA is needed).", fingerprint),
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
