// Copy actions on a Results entry.
import * as vscode from "vscode";
import { SicError } from "../../core";
import { endpoint, resultJson } from "../present";
import type { ResultNode } from "../resultsView";
import { register, type Services } from "./shared";

export function registerResultCommands({ accounts, checks, output }: Services): vscode.Disposable[] {
  const resultOf = (node: ResultNode | string | undefined) => {
    const account = typeof node === "string" ? accounts.require(node) : node && "account" in node ? node.account : accounts.defaultAccount();
    const outcome = account && checks.lastResult(account.id);
    if (!outcome?.ok) throw new SicError("usage", "There is no successful check to copy yet.");
    return outcome.result;
  };
  const copy = async (text: string) => {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied ${text.length > 40 ? "result" : text}`, 2000);
    return text;
  };
  return [
    register("xmppSic.copyIp", output, (node?: ResultNode | string) => copy(resultOf(node).address.ip)),
    register("xmppSic.copyIpPort", output, (node?: ResultNode | string) => {
      const r = resultOf(node);
      return copy(endpoint(r.address.ip, r.address.port));
    }),
    register("xmppSic.copyJson", output, (node?: ResultNode | string) => copy(resultJson(resultOf(node)))),
  ];
}
