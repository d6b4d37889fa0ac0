// The XML console's commands: Open and Close XML Console (palette, Results context menu), Send
// Stanza (editor title), New Stanza…, and the Stanza Log's Edit and Resend and Copy as Template.
// Builds the console's parts; activate() only hands it the services.
import * as vscode from "vscode";
import { templateById, validateJid } from "../../core";
import { withoutId } from "../accounts";
import { settingsKey } from "../outcome";
import { register, resolveAccount, type Services } from "../commands/shared";
import type { StanzaDocuments } from "../stanzaDocuments";
import { openStanzaEditor, sessionFor, type ConsoleContext } from "./consoleContext";
import { StanzaDiagnostics } from "./diagnostics";
import { copyAsTemplate, editAndResend } from "./logActions";
import { newStanza } from "./newStanza";
import { sendStanza } from "./sendStanza";
import { SendHistories } from "./sendHistory";
import { ConsoleSessions } from "./sessions";

export function registerConsoleCommands(services: Services, documents: StanzaDocuments, state: vscode.Memento): vscode.Disposable[] {
  const { accounts, output } = services;
  const sessions = new ConsoleSessions(services);
  const diagnostics = new StanzaDiagnostics();
  const history = new SendHistories(state);
  const ctx: ConsoleContext = { ...services, documents, sessions, diagnostics, history, owners: new Map() };
  return [
    sessions,
    diagnostics,
    // A removed or edited account's session is closed: it would go on with stale settings. A
    // removed account's send history is forgotten.
    accounts.onDidChange(() => {
      void history.keepOnly(accounts.list().map((a) => a.id));
      for (const s of sessions.list()) {
        const now = accounts.get(s.account.id);
        if (!now || settingsKey(withoutId(now)) !== settingsKey(withoutId(s.account))) void sessions.close(s.account.id);
      }
    }),
    register("xmppSic.console.open", output, async (target?: unknown) => {
      const account = await resolveAccount(accounts, target, vscode.l10n.t("Open the XML console of which account?"));
      if (!account) return undefined;
      const session = await sessionFor(ctx, account);
      const jid = validateJid(account.jid);
      await openStanzaEditor(ctx, account, templateById("disco-info")!.xml({ domain: jid.domain, bareJid: jid.bare }));
      return { checkId: session.live.checkId, boundJid: session.live.boundJid };
    }),
    register("xmppSic.console.close", output, async (target?: unknown) => {
      const live = sessions.list();
      if (live.length === 0 && target === undefined) {
        void vscode.window.showInformationMessage(vscode.l10n.t("No XML console is open."));
        return false;
      }
      const account =
        target === undefined && live.length === 1 ? live[0]!.account : await resolveAccount(accounts, target, vscode.l10n.t("Close the XML console of which account?"));
      return account ? sessions.close(account.id) : false;
    }),
    register("xmppSic.console.send", output, (target?: unknown) => sendStanza(ctx, target)),
    register("xmppSic.console.newStanza", output, (target?: unknown) => newStanza(ctx, target)),
    register("xmppSic.console.editAndResend", output, (arg?: unknown) => editAndResend(ctx, arg)),
    register("xmppSic.console.copyAsTemplate", output, (arg?: unknown) => copyAsTemplate(ctx, arg)),
  ];
}
