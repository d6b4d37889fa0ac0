// Copy actions on Results rows: the row's value on every row; IP, IP:Port and JSON on the rows
// about an address (an account, a family, its IP and Port).
import * as vscode from "vscode";
import { SicError, type CheckResult } from "../../core";
import { errorText } from "../errorActions";
import { endpoint, resultJson } from "../present";
import type { ResultNode } from "../resultsView";
import { nodeAccount, register, type Services } from "./shared";

export function registerResultCommands({ accounts, checks, output }: Services): vscode.Disposable[] {
  const resultOf = (node: unknown): CheckResult => {
    if (node && typeof node === "object" && "kind" in node) {
      const row = node as ResultNode;
      if (row.kind === "fact" && row.result) return row.result;
      if (row.kind === "family" && row.family.ok) return row.family.result;
    }
    const account = typeof node === "string" ? accounts.require(node) : (nodeAccount(node) ?? accounts.defaultAccount());
    const outcome = account && checks.lastResult(account.id);
    if (!outcome?.ok) throw new SicError("usage", vscode.l10n.t("There is no successful check to copy yet."));
    return outcome.result;
  };
  const copy = async (text: string) => {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t("$(copy) Copied {0}", text.length > 40 ? vscode.l10n.t("result") : text), 2000);
    return text;
  };
  return [
    register("xmppSic.copyIp", output, (node?: unknown) => copy(resultOf(node).address.ip)),
    register("xmppSic.copyIpPort", output, (node?: unknown) => {
      const r = resultOf(node);
      return copy(endpoint(r.address.ip, r.address.port));
    }),
    register("xmppSic.copyJson", output, (node?: unknown) => copy(resultJson(resultOf(node)))),
    register("xmppSic.copyValue", output, (node?: unknown) => {
      if (!node || typeof node !== "object" || !("kind" in node)) throw new SicError("usage", vscode.l10n.t("Copy Value copies a row of the Results view: right-click one."));
      return copy(valueOf(node as ResultNode, (n) => resultOf(n)));
    }),
  ];
}

function valueOf(row: ResultNode, resultOf: (n: unknown) => CheckResult): string {
  switch (row.kind) {
    case "fact":
      return row.value;
    case "error":
      return errorText(row.error);
    case "family":
      return row.family.ok ? endpoint(row.family.result.address.ip, row.family.result.address.port) : errorText(row.family.error);
    case "account": {
      const r = resultOf(row);
      return endpoint(r.address.ip, r.address.port);
    }
  }
}
