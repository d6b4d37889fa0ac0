// The questions behind Add Account and Edit Account, one function per setting. Each validates as
// the person types, with the core's validators, and opens on the current value.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import * as vscode from "vscode";
import { FAMILY_CHOICES, SicError, validateJid, type FamilyChoice, type TlsMode } from "../core";
import { validateFingerprint, validatePort } from "../core/account";
import { checkCaPem } from "../core";
import type { ExtensionAccountSettings } from "./accounts";
import { expandHome, problem, splitHostPort } from "./hostPort";
import { askPick, askText, BACK, type Answer, type StepHeader } from "./quickInput";

export { expandHome } from "./hostPort";

/** What the steps fill in; the password only when one was typed. */
export interface Draft extends ExtensionAccountSettings {
  password?: string;
}


export async function askJid(h: StepHeader, d: Draft, taken: (jid: string) => boolean): Promise<Answer<string>> {
  const validate = (v: string) => problem(() => validateJid(v)) ?? (taken(validateJid(v).bare) ? vscode.l10n.t("{0} is already an account: edit that one instead.", validateJid(v).bare) : undefined);
  return askText({ ...h, prompt: vscode.l10n.t("Your JID, the address you log in with: the server of its domain is asked which IP address it sees."), placeholder: "user@example.org", value: d.jid ?? "", validate });
}

export async function askPassword(h: StepHeader, editing: boolean): Promise<Answer<string>> {
  return askText({
    ...h,
    prompt: editing ? vscode.l10n.t("The new password (leave empty to keep the stored one). Kept in VS Code's secret storage only.") : vscode.l10n.t("The account's password, to log in. Kept in VS Code's secret storage only, never in settings."),
    placeholder: editing ? "unchanged" : "password",
    password: true,
    validate: (v) => (!editing && v === "" ? vscode.l10n.t("A password is needed to log in.") : undefined),
  });
}

/** The host; "host:port" also sets the port. */
export async function askHost(h: StepHeader, d: Draft): Promise<Answer<{ host?: string; port?: number }>> {
  const answer = await askText({
    ...h,
    prompt: vscode.l10n.t("The server's host name or IP address, only if it differs from what the JID's domain announces (DNS SRV). \"host:port\" sets the port too."),
    placeholder: vscode.l10n.t("empty: found through the JID's domain"),
    value: d.host ?? "",
    validate: (v) => {
      const split = v.trim() === "" ? undefined : splitHostPort(v, vscode.l10n);
      return typeof split === "string" ? split : undefined;
    },
  });
  if (answer === undefined || answer === BACK) return answer;
  if (answer.trim() === "") return {};
  const split = splitHostPort(answer, vscode.l10n) as { host: string; port?: number };
  return split.port === undefined ? { host: split.host } : split;
}

export async function askPort(h: StepHeader, d: Draft): Promise<Answer<number | undefined>> {
  const answer = await askText({
    ...h,
    prompt: vscode.l10n.t("The TCP port, only if it is not the usual one (5222 for STARTTLS, 5223 for direct TLS, or what SRV says)."),
    placeholder: vscode.l10n.t("empty: the usual port"),
    value: d.port === undefined ? "" : String(d.port),
    validate: (v) => (v.trim() === "" ? undefined : problem(() => validatePort(v))),
  });
  if (answer === undefined || answer === BACK) return answer;
  return answer.trim() === "" ? undefined : validatePort(answer);
}

type TlsItem = vscode.QuickPickItem & { mode: TlsMode | undefined };
const TLS_ITEMS: TlsItem[] = [
  { label: vscode.l10n.t("Automatic"), description: vscode.l10n.t("as the domain's SRV records say"), detail: vscode.l10n.t("Direct TLS or STARTTLS, as the domain announces; STARTTLS without SRV records."), mode: undefined },
  { label: "STARTTLS", description: vscode.l10n.t("usually port 5222"), detail: vscode.l10n.t("Upgrade the standard XMPP connection to TLS."), mode: "starttls" },
  { label: vscode.l10n.t("Direct TLS"), description: vscode.l10n.t("usually port 5223, XEP-0368"), detail: vscode.l10n.t("TLS from the first byte."), mode: "direct" },
  { label: vscode.l10n.t("No TLS"), description: vscode.l10n.t("loopback only"), detail: vscode.l10n.t("Unencrypted; refused unless the server is on this machine."), mode: "none" },
];

export async function askTls(h: StepHeader, d: Draft): Promise<Answer<TlsMode | undefined>> {
  const answer = await askPick({ ...h, placeholder: vscode.l10n.t("How to secure the connection (the server must offer it)"), items: TLS_ITEMS, active: TLS_ITEMS.find((i) => i.mode === d.tls) });
  return answer === undefined || answer === BACK ? answer : answer.mode;
}

type Trust = "system" | "ca" | "fingerprint";
type TrustItem = vscode.QuickPickItem & { trust: Trust };
const TRUST_ITEMS: TrustItem[] = [
  { label: vscode.l10n.t("System CAs"), detail: vscode.l10n.t("The server's certificate must chain to a CA this system trusts."), trust: "system" },
  { label: vscode.l10n.t("Also trust a CA file…"), detail: vscode.l10n.t("A PEM file with your own CA, for this account only (chosen in a file dialog)."), trust: "ca" },
  { label: vscode.l10n.t("Pin a certificate fingerprint…"), detail: vscode.l10n.t("Trust exactly one server certificate, by its SHA-256 fingerprint."), trust: "fingerprint" },
];

/** Which certificates to trust: the system's, a CA file (chosen and checked) or a pinned fingerprint. */
export async function askTrust(h: StepHeader, d: Draft): Promise<Answer<Pick<Draft, "caFile" | "fingerprint">>> {
  let note = "";
  for (;;) {
    const current: Trust = d.caFile ? "ca" : d.fingerprint ? "fingerprint" : "system";
    const choice = await askPick({ ...h, placeholder: vscode.l10n.t("{0}Which certificates to trust for this server", note), items: TRUST_ITEMS, active: TRUST_ITEMS.find((i) => i.trust === current) });
    if (choice === undefined || choice === BACK) return choice;
    if (choice.trust === "system") return { caFile: undefined, fingerprint: undefined };
    if (choice.trust === "fingerprint") {
      const fp = await askFingerprint({ ...h, back: true }, d.fingerprint);
      if (fp === BACK) continue;
      return fp === undefined ? undefined : { caFile: undefined, fingerprint: fp };
    }
    const picked = await chooseCaFile(d.caFile);
    if (picked === undefined) continue;
    if (picked.problem) {
      note = vscode.l10n.t("{0} — ", picked.problem);
      continue;
    }
    return { caFile: picked.path, fingerprint: undefined };
  }
}

export async function askFingerprint(h: StepHeader, value?: string): Promise<Answer<string>> {
  const answer = await askText({
    ...h,
    prompt: vscode.l10n.t("The SHA-256 fingerprint of the server's certificate, as its admin gives it: 64 hex digits, colons optional."),
    placeholder: "AB:CD:EF:…",
    value: value ?? "",
    validate: (v) => problem(() => validateFingerprint(v)),
  });
  return answer === undefined || answer === BACK ? answer : validateFingerprint(answer);
}

/** A CA file from the file dialog, read and checked to hold a PEM certificate; undefined when dismissed. */
export async function chooseCaFile(current?: string): Promise<{ path: string; problem?: string } | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title: vscode.l10n.t("Choose the CA certificate (PEM) to trust for this account"),
    openLabel: vscode.l10n.t("Trust this CA"),
    canSelectMany: false,
    filters: { [vscode.l10n.t("PEM certificates")]: ["pem", "crt", "cer"], [vscode.l10n.t("All files")]: ["*"] },
    defaultUri: vscode.Uri.file(current ? expandHome(current) : homedir()),
  });
  const uri = uris?.[0];
  if (!uri) return undefined;
  const path = expandHome(uri.fsPath);
  return { path, ...(await caFileProblem(path)) };
}

export async function caFileProblem(path: string): Promise<{ problem?: string }> {
  try {
    checkCaPem(await readFile(path, "utf8"), path);
    return {};
  } catch (err) {
    return { problem: err instanceof SicError ? err.message : vscode.l10n.t("{0} cannot be read: {1}", path, (err as Error).message) };
  }
}

type FamilyItem = vscode.QuickPickItem & { choice: FamilyChoice };
const FAMILY_TEXT: Record<FamilyChoice, [string, string]> = {
  auto: [vscode.l10n.t("Automatic"), vscode.l10n.t("every family the server has an address in (the default)")],
  both: [vscode.l10n.t("IPv4 and IPv6"), vscode.l10n.t("both, side by side; a family the server lacks shows as a failure")],
  ipv4: [vscode.l10n.t("IPv4 only"), vscode.l10n.t("one check over IPv4")],
  ipv6: [vscode.l10n.t("IPv6 only"), vscode.l10n.t("one check over IPv6")],
};
// Built on first use: FAMILY_CHOICES lives in the lazily loaded core, which activation must not load.
const familyItems = (): FamilyItem[] => FAMILY_CHOICES.map((choice) => ({ label: FAMILY_TEXT[choice][0], description: FAMILY_TEXT[choice][1], choice }));

export function familyLabel(choice: FamilyChoice | undefined): string {
  return FAMILY_TEXT[choice ?? "auto"][0];
}

export async function askFamilies(h: StepHeader, d: Draft): Promise<Answer<FamilyChoice>> {
  const items = familyItems();
  const answer = await askPick({
    ...h,
    placeholder: vscode.l10n.t("Which address families to check, each on its own connection (IPv4 is often NATed while IPv6 is routed)"),
    items,
    active: items.find((i) => i.choice === (d.families ?? "auto")),
  });
  return answer === undefined || answer === BACK ? answer : answer.choice;
}

export function tlsLabel(mode: TlsMode | undefined): string {
  return TLS_ITEMS.find((i) => i.mode === mode)!.label;
}

export function trustLabel(d: Draft): string {
  return d.caFile ? vscode.l10n.t("CA file {0}", d.caFile) : d.fingerprint ? vscode.l10n.t("pinned {0}…", d.fingerprint.slice(0, 11)) : vscode.l10n.t("System CAs");
}
