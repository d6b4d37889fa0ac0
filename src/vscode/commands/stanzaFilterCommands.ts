// The Stanza Log's filters (kind, text, direction, JID, unpaired only) and its search ("match 3 of
// 17", next and previous). View-title buttons pass the focused tree row as the first argument:
// each handler takes only the documented value (kinds, text, "in"/"out"/"all", a JID, a boolean)
// and asks for anything else, so a focused row never becomes a filter.
import * as vscode from "vscode";
import type { StanzaKind } from "../../core";
import type { DirectionFilter } from "../stanzaFilter";
import type { SearchState } from "../stanzaModel";
import { ALL_KINDS } from "../stanzaView";
import { register, type Services } from "./shared";

const isKindList = (value: unknown): value is StanzaKind[] => Array.isArray(value) && value.every((k) => typeof k === "string");
const isDirection = (value: unknown): value is DirectionFilter => value === "all" || value === "in" || value === "out";

/** What a script gets back from the search commands: the 1-based match and how many there are. */
function searchResult(state: Readonly<SearchState> | undefined): { text: string; match: number; of: number; seq: number | null } | undefined {
  if (!state) return undefined;
  return { text: state.text, match: state.index + 1, of: state.matches.length, seq: state.matches[state.index] ?? null };
}

const askText = (title: string, prompt: string, value: string) => vscode.window.showInputBox({ title, prompt, value });

async function askDirection(current: DirectionFilter): Promise<DirectionFilter | undefined> {
  const choices: { label: string; value: DirectionFilter }[] = [
    { label: vscode.l10n.t("Sent and received"), value: "all" },
    { label: vscode.l10n.t("Received only"), value: "in" },
    { label: vscode.l10n.t("Sent only"), value: "out" },
  ];
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({ ...c, description: c.value === current ? vscode.l10n.t("current") : undefined })),
    { title: vscode.l10n.t("Show stanzas in this direction") },
  );
  return picked?.value;
}

export function registerStanzaFilterCommands({ stanzaView: view, output }: Services): vscode.Disposable[] {
  /** A text filter: a script's string, or asked (a focused row is no string). */
  const textFilter = async (arg: unknown, key: "text" | "jid", title: string, prompt: string) => {
    const value = typeof arg === "string" ? arg : await askText(title, prompt, view.currentFilter[key]);
    if (value === undefined) return undefined;
    view.setFilter({ [key]: key === "jid" ? value.trim() : value });
    return view.currentFilter[key];
  };
  return [
    register("xmppSic.stanzaLog.filterKinds", output, async (arg?: unknown) => {
      let kinds = isKindList(arg) ? arg : undefined;
      if (!kinds) {
        const current = view.currentFilter.kinds;
        const picked = await vscode.window.showQuickPick(
          ALL_KINDS.map((k) => ({ label: k, picked: current.has(k) })),
          { canPickMany: true, title: vscode.l10n.t("Show these kinds of stanza") },
        );
        if (!picked) return undefined;
        kinds = picked.map((p) => p.label as StanzaKind);
      }
      view.setFilter({ kinds: new Set(kinds.filter((k) => ALL_KINDS.includes(k))) });
      return kinds;
    }),
    register("xmppSic.stanzaLog.filterText", output, (arg?: unknown) =>
      textFilter(arg, "text", vscode.l10n.t("Filter the Stanza Log"), vscode.l10n.t("Show stanzas whose summary or XML contains this text (empty: all)")),
    ),
    register("xmppSic.stanzaLog.filterDirection", output, async (arg?: unknown) => {
      const direction = isDirection(arg) ? arg : await askDirection(view.currentFilter.direction);
      if (direction === undefined) return undefined;
      view.setFilter({ direction });
      return direction;
    }),
    register("xmppSic.stanzaLog.filterJid", output, (arg?: unknown) =>
      textFilter(arg, "jid", vscode.l10n.t("Filter the Stanza Log by JID"), vscode.l10n.t("Show stanzas whose to or from contains this text (empty: all)")),
    ),
    register("xmppSic.stanzaLog.filterUnpaired", output, (arg?: unknown) => {
      const unpairedOnly = typeof arg === "boolean" ? arg : !view.currentFilter.unpairedOnly;
      view.setFilter({ unpairedOnly });
      return unpairedOnly;
    }),
    register("xmppSic.stanzaLog.clearFilter", output, () => view.clearFilters()),
    register("xmppSic.stanzaLog.find", output, async (arg?: unknown) => {
      const text =
        typeof arg === "string"
          ? arg
          : await askText(vscode.l10n.t("Find in Stanza Log"), vscode.l10n.t("Find stanzas whose summary or XML contains this text"), view.model.search?.text ?? "");
      if (text === undefined) return undefined;
      return searchResult(await view.find(text));
    }),
    register("xmppSic.stanzaLog.nextMatch", output, async () => searchResult(await view.step(1))),
    register("xmppSic.stanzaLog.previousMatch", output, async () => searchResult(await view.step(-1))),
    register("xmppSic.stanzaLog.endSearch", output, () => view.endSearch()),
  ];
}
