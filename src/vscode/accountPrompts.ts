// The input boxes and quick picks behind Add Account and Edit Account. Each step validates as
// the user types, with the core's validators, so a saved account is always a valid one.
import * as vscode from "vscode";
import { SicError, validateAccount, validateJid, type AccountSettings, type TlsMode } from "../core";
import { validateFingerprint, validatePort } from "../core/account";

export interface AccountInput {
  settings: AccountSettings;
  password: string | undefined;
}

const TLS_CHOICES: (vscode.QuickPickItem & { mode: TlsMode | undefined })[] = [
  { label: "Automatic", description: "as DNS SRV says (default)", detail: "Direct TLS or STARTTLS, as the domain's SRV records announce; STARTTLS without them.", mode: undefined },
  { label: "STARTTLS", description: "port 5222", detail: "Upgrade the standard XMPP connection to TLS.", mode: "starttls" },
  { label: "Direct TLS", description: "port 5223, XEP-0368", detail: "TLS from the first byte.", mode: "direct" },
  { label: "No TLS", description: "loopback only", detail: "Unencrypted; refused unless the server is on this machine.", mode: "none" },
];

type Trust = "system" | "ca" | "fingerprint";
const TRUST_CHOICES: (vscode.QuickPickItem & { trust: Trust })[] = [
  { label: "System CAs", detail: "The server's certificate must chain to a CA this system trusts.", trust: "system" },
  { label: "Also trust a CA file…", detail: "A PEM file with your own CA, for this account only.", trust: "ca" },
  { label: "Pin a certificate fingerprint…", detail: "Trust exactly one server certificate, by its SHA-256 fingerprint.", trust: "fingerprint" },
];

function check(validate: () => unknown): string | undefined {
  try {
    validate();
    return undefined;
  } catch (err) {
    return err instanceof SicError ? err.message : String(err);
  }
}

/** Asks for a whole account; undefined when the user cancels at any step. */
export async function promptAccount(existing?: AccountSettings): Promise<AccountInput | undefined> {
  const title = existing ? `Edit ${existing.jid}` : "Add XMPP Account";
  const jid = await vscode.window.showInputBox({
    title,
    prompt: "Your JID (user@example.org)",
    value: existing?.jid ?? "",
    ignoreFocusOut: true,
    validateInput: (v) => check(() => validateJid(v)),
  });
  if (jid === undefined) return undefined;

  const password = await vscode.window.showInputBox({
    title,
    prompt: existing ? "Password (leave empty to keep the stored one)" : "Password — kept in VS Code's secret storage only",
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (!existing && v === "" ? "A password is needed to log in." : undefined),
  });
  if (password === undefined) return undefined;

  const host = await vscode.window.showInputBox({
    title,
    prompt: "Server host name or IP (leave empty to use the JID's domain)",
    value: existing?.host ?? "",
    ignoreFocusOut: true,
  });
  if (host === undefined) return undefined;

  const port = await vscode.window.showInputBox({
    title,
    prompt: "Port (leave empty for the default: 5222, or 5223 with direct TLS)",
    value: existing?.port ? String(existing.port) : "",
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === "" ? undefined : check(() => validatePort(v))),
  });
  if (port === undefined) return undefined;

  const tls = await vscode.window.showQuickPick(
    TLS_CHOICES.map((c) => ({ ...c, picked: c.mode === existing?.tls })),
    { title, placeHolder: "How to secure the connection", ignoreFocusOut: true },
  );
  if (!tls) return undefined;

  const settings: AccountSettings = {
    jid: jid.trim(),
    ...(host.trim() ? { host: host.trim() } : {}),
    ...(port.trim() ? { port: validatePort(port) } : {}),
    ...(tls.mode ? { tls: tls.mode } : {}),
  };
  if (tls.mode !== "none") {
    const trust = await promptTrust(title, existing);
    if (trust === undefined) return undefined;
    Object.assign(settings, trust);
  }
  validateAccount(settings);
  return { settings, password: password === "" ? undefined : password };
}

async function promptTrust(title: string, existing?: AccountSettings): Promise<Pick<AccountSettings, "caFile" | "fingerprint"> | undefined> {
  const current: Trust = existing?.caFile ? "ca" : existing?.fingerprint ? "fingerprint" : "system";
  const choice = await vscode.window.showQuickPick(
    TRUST_CHOICES.map((c) => ({ ...c, picked: c.trust === current })),
    { title, placeHolder: "Which certificates to trust", ignoreFocusOut: true },
  );
  if (!choice) return undefined;
  if (choice.trust === "system") return {};
  if (choice.trust === "ca") {
    const caFile = await vscode.window.showInputBox({
      title,
      prompt: "Path of the CA certificate (PEM)",
      value: existing?.caFile ?? "",
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : "Enter the path of a PEM file."),
    });
    return caFile === undefined ? undefined : { caFile: caFile.trim() };
  }
  const fingerprint = await vscode.window.showInputBox({
    title,
    prompt: "SHA-256 fingerprint of the server certificate (64 hex digits, colons optional)",
    value: existing?.fingerprint ?? "",
    ignoreFocusOut: true,
    validateInput: (v) => check(() => validateFingerprint(v)),
  });
  return fingerprint === undefined ? undefined : { fingerprint: validateFingerprint(fingerprint) };
}
