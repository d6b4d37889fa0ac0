// Add Account and Edit Account as one multi-step input: "Add XMPP account (2/7)", Back on every
// step after the first, Escape anywhere saves nothing. Edit first asks which setting to change,
// so one field changes without replaying the rest; "All settings" walks every step, each opening
// on the current value, so Enter through them keeps everything.
import * as vscode from "vscode";
import type { Account } from "./accounts";
import { askFamilies, askHost, askJid, askPassword, askPort, askTls, askTrust, familyLabel, tlsLabel, trustLabel, type Draft } from "./accountSteps";
import { askPick, BACK, type Answer, type StepHeader } from "./quickInput";

type Step = (h: StepHeader, d: Draft) => Promise<Answer<Partial<Draft>>>;

interface Context {
  editing: boolean;
  /** Whether another account already has this JID. */
  taken: (jid: string) => boolean;
}

function steps(ctx: Context): [name: string, step: Step][] {
  return [
    ["JID", async (h, d) => mapped(await askJid(h, d, ctx.taken), (jid) => ({ jid: jid.trim() }))],
    ["Password", async (h) => mapped(await askPassword(h, ctx.editing), (password) => (password ? { password } : {}))],
    ["Server", async (h, d) => mapped(await askHost(h, d), (hp) => ({ host: hp.host, ...(hp.port !== undefined ? { port: hp.port } : {}) }))],
    ["Port", async (h, d) => mapped(await askPort(h, d), (port) => ({ port }))],
    ["TLS", async (h, d) => mapped(await askTls(h, d), (tls) => ({ tls, ...(tls === "none" ? { caFile: undefined, fingerprint: undefined } : {}) }))],
    ["Trust", async (h, d) => (d.tls === "none" ? {} : askTrust(h, d))],
    ["Families", async (h, d) => mapped(await askFamilies(h, d), (families) => ({ families }))],
  ];
}

function mapped<T, U>(answer: Answer<T>, f: (value: T) => U): Answer<U> {
  if (answer === undefined || answer === BACK) return answer as undefined | typeof BACK;
  return f(answer as T);
}

/** Every step in order, Back going one step back; undefined when the person pressed Escape. */
async function walk(title: string, start: Draft, ctx: Context): Promise<Draft | undefined> {
  const all = steps(ctx);
  const draft: Draft = { ...start };
  const history: Draft[] = [];
  for (let i = 0; i < all.length; ) {
    const answer = await all[i]![1]({ title, step: i + 1, total: all.length, back: i > 0 }, draft);
    if (answer === undefined) return undefined;
    if (answer === BACK) {
      Object.assign(draft, history.pop());
      i--;
      continue;
    }
    history.push({ ...draft });
    Object.assign(draft, answer);
    i++;
  }
  return draft;
}

export async function addAccountWizard(taken: (jid: string) => boolean): Promise<Draft | undefined> {
  return walk(vscode.l10n.t("Add XMPP account"), { jid: "" }, { editing: false, taken });
}

type Which = vscode.QuickPickItem & { step?: number; all?: true; password?: true };

/**
 * Edit: "Which setting?", then that one step (Back returns to the question). Resolves to the
 * changed settings (to merge), "password" for Change Password, or undefined when nothing changes.
 */
export async function editAccountWizard(account: Account, taken: (jid: string) => boolean): Promise<Partial<Draft> | "password" | undefined> {
  const ctx: Context = { editing: true, taken };
  const title = vscode.l10n.t("Edit {0}", account.jid);
  const all = steps(ctx);
  const items: Which[] = [
    { label: "JID", description: account.jid, step: 0 },
    { label: vscode.l10n.t("Password"), description: vscode.l10n.t("change the stored password"), password: true },
    { label: vscode.l10n.t("Server"), description: account.host ?? vscode.l10n.t("found through the JID's domain"), step: 2 },
    { label: vscode.l10n.t("Port"), description: account.port === undefined ? vscode.l10n.t("the usual one") : String(account.port), step: 3 },
    { label: "TLS", description: tlsLabel(account.tls), step: 4 },
    ...(account.tls === "none" ? [] : [{ label: vscode.l10n.t("Trust"), description: trustLabel(account), step: 5 }]),
    { label: vscode.l10n.t("Address families"), description: familyLabel(account.families), step: 6 },
    { label: vscode.l10n.t("All settings, one after another"), description: vscode.l10n.t("each opens on its current value"), all: true },
  ];
  for (;;) {
    const which = await askPick({ title, back: false, placeholder: vscode.l10n.t("Which setting?"), items });
    if (which === undefined || which === BACK) return undefined;
    if (which.password) return "password";
    if (which.all) return walk(title, account, ctx);
    const answer = await all[which.step!]![1]({ title: `${title}: ${which.label}`, back: true }, { ...account });
    if (answer === BACK) continue;
    return answer;
  }
}
