// The UDP picture of a check as Results rows: a "UDP" node (one row per STUN Binding: the server,
// what it saw of the socket and the round trip, or its error; the socket's own address; the
// mapping behaviour; the verdict with its reasons) and a "Candidates" node (the candidates the
// check implies: core candidatesOfCheck). Every string a server chose (STUN host names, error
// texts, addresses it reported) is quoted by the core before it is shown.
import * as vscode from "vscode";
import { candidatesOfCheck, quoted, type Candidate, type CheckResult, type UdpBinding, type UdpPicture } from "../../core";
import type { Account } from "../accounts";
import { errorLabel } from "../errorActions";
import { endpoint } from "../present";
import type { Fact, ResultNode } from "./nodes";
import { verdictIcon, verdictReason, verdictText } from "./udpPresent";

/** The UDP and Candidates nodes of a result, when the check took a UDP picture. */
export function udpNodes(account: Account, result: CheckResult): ResultNode[] {
  return result.udp ? [{ kind: "udp", account, result }, { kind: "candidates", account, result }] : [];
}

const at = (ip: string, port: number) => quoted(endpoint(ip, port), 80);

export function udpItem(udp: UdpPicture): vscode.TreeItem {
  const item = new vscode.TreeItem("UDP", vscode.TreeItemCollapsibleState.Collapsed);
  item.description = verdictText(udp.mapping.verdict);
  item.iconPath = verdictIcon(udp.mapping.verdict);
  item.tooltip = new vscode.MarkdownString().appendMarkdown(`**${vscode.l10n.t("UDP via STUN")}**: `).appendText(`${verdictText(udp.mapping.verdict)}\n\n${verdictReason(udp)}`);
  item.contextValue = "udp";
  return item;
}

export function udpChildren(account: Account, udp: UdpPicture): Fact[] {
  const fact = (label: string, value: string, icon: string | vscode.ThemeIcon, tooltip: string, copy?: string): Fact => ({ kind: "fact", account, label, value, icon, tooltip, ...(copy ? { copy } : {}) });
  const rows = udp.bindings.map((b) => bindingRow(b, fact));
  const answered = udp.bindings.find((b): b is Extract<UdpBinding, { mapped: unknown }> => "mapped" in b);
  if (answered) {
    const local = at(answered.local.ip, answered.local.port);
    rows.push(fact(vscode.l10n.t("UDP socket"), local, "device-desktop", vscode.l10n.t("This machine's UDP socket every Binding left from, bound to the XMPP connection's local address: {0}", local)));
  }
  const m = udp.mapping;
  const details = [
    quoted(m.behaviour, 40),
    m.portPreserved === null ? undefined : m.portPreserved ? vscode.l10n.t("port kept") : vscode.l10n.t("port changed"),
    m.sameNatAsTcp === null ? undefined : m.sameNatAsTcp ? vscode.l10n.t("same outer address as TCP") : vscode.l10n.t("not the outer address of TCP"),
  ].filter((d): d is string => d !== undefined);
  rows.push(fact(vscode.l10n.t("Mapping"), details.join(" · "), "arrow-swap", vscode.l10n.t("How the NAT maps this UDP socket towards different destinations (RFC 4787): {0}", details.join(", "))));
  rows.push(fact(vscode.l10n.t("Verdict"), verdictText(m.verdict), verdictIcon(m.verdict), verdictReason(udp)));
  return rows;
}

function bindingRow(b: UdpBinding, fact: (label: string, value: string, icon: string | vscode.ThemeIcon, tooltip: string, copy?: string) => Fact): Fact {
  const server = quoted(endpoint(b.server.host, b.server.port), 120);
  const address = b.server.ip ? at(b.server.ip, b.server.port) : server;
  if ("error" in b) {
    const message = quoted(b.error.message);
    return fact(server, `${errorLabel({ code: b.error.code, message })}: ${message}`, new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground")), vscode.l10n.t("STUN server {0} ({1}): {2}", server, address, message), message);
  }
  const mapped = at(b.mapped.ip, b.mapped.port);
  const rtt = vscode.l10n.t("{0} ms", b.rttMs);
  return fact(server, `→ ${mapped} · ${rtt}`, "radio-tower", vscode.l10n.t("STUN server {0} ({1}) saw this socket ({2}) as {3}, {4} after the request.", server, address, at(b.local.ip, b.local.port), mapped, rtt), mapped);
}

export function candidatesItem(result: CheckResult): vscode.TreeItem {
  const candidates = candidatesOfCheck(result);
  const item = new vscode.TreeItem(vscode.l10n.t("Candidates"), candidates.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.description = candidates.length === 1 ? vscode.l10n.t("1 candidate") : vscode.l10n.t("{0} candidates", candidates.length);
  item.iconPath = new vscode.ThemeIcon("list-ordered");
  item.tooltip = vscode.l10n.t(
    "The ICE (UDP) candidates this check implies: the socket's own address and each address a STUN server saw, RFC 8445 priorities. Copy them as a Jingle ICE-UDP transport, as SOCKS5 Bytestreams (asks your client's port) or as JSON. The check's socket is closed: a client gathers its own on a socket it keeps.",
  );
  item.contextValue = "candidates";
  return item;
}

export function candidateChildren(account: Account, result: CheckResult): Fact[] {
  return candidatesOfCheck(result).map((c) => candidateRow(account, c));
}

const CANDIDATE_ICONS: Record<Candidate["type"], string> = { host: "device-desktop", srflx: "globe", relay: "server-environment", proxy: "server" };

function candidateRow(account: Account, c: Candidate): Fact {
  const address = at(c.ip, c.port);
  const tooltip = [
    vscode.l10n.t("{0} candidate over {1}: {2}", c.type, c.protocol.toUpperCase(), address),
    vscode.l10n.t("priority {0}, foundation {1}", c.priority, c.foundation),
    ...(c.related ? [vscode.l10n.t("derived from {0}", at(c.related.ip, c.related.port))] : []),
    ...(c.via ? [vscode.l10n.t("through {0}", quoted(c.via, 120))] : []),
  ].join("\n");
  return { kind: "fact", account, label: `${c.type} ${c.protocol}`, value: vscode.l10n.t("{0} · priority {1}", address, c.priority), icon: CANDIDATE_ICONS[c.type], tooltip, copy: address };
}
