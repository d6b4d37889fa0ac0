// Copy actions on Results rows: the row's value on every row; IP, IP:Port and JSON on the rows
// about an address (an account, a family, its IP and Port); the candidates of a check's UDP
// picture as a Jingle ICE-UDP or SOCKS5 Bytestreams transport, or as JSON.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { candidateJson, candidatesOfCheck, iceCredentials, iceUdpTransport, localInterfaceAddresses, s5bTransport, SicError, type CheckResult } from "../../core";
import { errorText } from "../errorActions";
import { endpoint, resultJson } from "../present";
import type { ResultNode } from "../resultsView";
import { verdictReason, verdictText } from "../results/udpPresent";
import { nodeAccount, register, type Services } from "./shared";

export function registerResultCommands({ accounts, checks, output }: Services): vscode.Disposable[] {
  const resultOf = (node: unknown): CheckResult => {
    if (node && typeof node === "object" && "kind" in node) {
      const row = node as ResultNode;
      if (row.kind === "fact" && row.result) return row.result;
      if (row.kind === "family" && row.family.ok) return row.family.result;
      if (row.kind === "udp" || row.kind === "candidates") return row.result;
    }
    const account = typeof node === "string" ? accounts.require(node) : (nodeAccount(node) ?? accounts.defaultAccount());
    const outcome = account && checks.lastResult(account.id);
    if (!outcome?.ok) throw new SicError("usage", vscode.l10n.t("There is no successful check to copy yet."));
    return outcome.result;
  };
  /** A result with a UDP picture: the candidates' commands need one. */
  const withUdp = (node: unknown): CheckResult => {
    const result = resultOf(node);
    if (!result.udp) throw new SicError("usage", vscode.l10n.t("The last check took no UDP picture: its server announced no STUN service, or the xmppSic.udp setting is off."));
    return result;
  };
  const copy = async (text: string, what?: string) => {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t("$(copy) Copied {0}", what ?? (text.length > 40 ? vscode.l10n.t("result") : text)), 2000);
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
    register("xmppSic.copyIceUdp", output, (node?: unknown) => copy(iceUdpTransport(candidatesOfCheck(withUdp(node)), iceCredentials()).toString(), vscode.l10n.t("Jingle ICE-UDP transport"))),
    register("xmppSic.copyS5b", output, async (node?: unknown) => {
      const result = withUdp(node);
      const s5bPort = await askS5bPort();
      if (s5bPort === undefined) return undefined;
      const candidates = candidatesOfCheck(result, { interfaces: localInterfaceAddresses(), s5bPort });
      return copy(s5bTransport(candidates, { sid: randomBytes(8).toString("hex"), jid: result.boundJid }).toString(), vscode.l10n.t("SOCKS5 Bytestreams transport"));
    }),
    register("xmppSic.copyCandidatesJson", output, (node?: unknown) => {
      const result = withUdp(node);
      return copy(JSON.stringify({ candidates: candidatesOfCheck(result).map(candidateJson), udp: result.udp }, null, 2), vscode.l10n.t("candidates as JSON"));
    }),
  ];
}

/** SOCKS5 candidates are addresses of a listener of the client's: ask on which port it listens. */
async function askS5bPort(): Promise<number | undefined> {
  const valid = (text: string) => /^\d{1,5}$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 65535;
  const answer = await vscode.window.showInputBox({
    title: vscode.l10n.t("Copy as SOCKS5 Bytestreams (S5B)"),
    prompt: vscode.l10n.t("The TCP port your client accepts SOCKS5 Bytestreams connections on (XEP-0065 direct and assisted candidates)"),
    placeHolder: "1080",
    ignoreFocusOut: true,
    validateInput: (text) => (valid(text) ? undefined : vscode.l10n.t("A port from 1 to 65535.")),
  });
  return answer !== undefined && valid(answer) ? Number(answer.trim()) : undefined;
}

function valueOf(row: ResultNode, resultOf: (n: unknown) => CheckResult): string {
  switch (row.kind) {
    case "fact":
      return row.copy ?? row.value;
    case "error":
      return errorText(row.error);
    case "family":
      return row.family.ok ? endpoint(row.family.result.address.ip, row.family.result.address.port) : errorText(row.family.error);
    case "account": {
      const r = resultOf(row);
      return endpoint(r.address.ip, r.address.port);
    }
    case "udp":
      return row.result.udp ? `${verdictText(row.result.udp.mapping.verdict)}: ${verdictReason(row.result.udp)}` : "";
    case "candidates":
      return candidatesOfCheck(row.result).map((c) => `${c.type} ${c.protocol} ${endpoint(c.ip, c.port)} ${c.priority}`).join("\n");
  }
}
