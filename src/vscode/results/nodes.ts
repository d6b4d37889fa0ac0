// The kinds of row the Results tree shows, shared by the view and the commands on its rows.
import type * as vscode from "vscode";
import type { CheckResult } from "../../core";
import type { Account } from "../accounts";
import type { FamilyResult, StoredError } from "../outcome";

export type ResultNode =
  | { kind: "account"; account: Account }
  | { kind: "family"; account: Account; family: FamilyResult }
  | Fact
  | { kind: "error"; account: Account; error: StoredError }
  /** The UDP picture of one check (result.udp is set): its Bindings, mapping and verdict below. */
  | { kind: "udp"; account: Account; result: CheckResult }
  /** The candidates that check implies, with the Copy as Jingle / JSON actions. */
  | { kind: "candidates"; account: Account; result: CheckResult };

export interface Fact {
  kind: "fact";
  account: Account;
  label: string;
  value: string;
  icon: string | vscode.ThemeIcon;
  tooltip?: string | vscode.MarkdownString;
  /** Set on the rows about an address: Copy IP, IP:Port and JSON apply to them. */
  result?: CheckResult;
  /** What Copy Value copies when it is not the whole value (an address without its decoration). */
  copy?: string;
}
