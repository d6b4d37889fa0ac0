// What a measured section is to the bench: a name for --only, what it needs started, how it
// measures, and the Markdown it contributes to the report. The registry (sections/index.ts) lists
// them in report order; adding a section is adding a file and one line there.
import type { OwnedXmppServer } from "../../testbed/index";
import type { Environment } from "../harness/environment";
import type { NamedServer } from "../harness/inProcess";
import type { Options } from "../harness/options";

export interface SectionContext {
  options: Options;
  /** Started when a chosen section needs it. */
  prosody: OwnedXmppServer | undefined;
  /** Prosody, and ejabberd when it is needed and could start. */
  servers: NamedServer[];
}

export interface ReportContext {
  options: Options;
  env: Environment;
  /** Any section's result in this run (undefined: it did not run). */
  result<R>(section: Section<R>): R | undefined;
}

/** A row of the summary's "The targets" table; rows are sorted by `order` across sections. */
export interface TargetRow<R> {
  order: number;
  /** Called for every registered section, also one that did not run (`own` undefined). */
  row(own: R | undefined, report: ReportContext): string | undefined;
}

export interface Section<R> {
  /** For --only. */
  name: string;
  /** One line for --help. */
  about: string;
  /** Its label in the report's "Other load" row; undefined: it starts without waiting for idle CPUs. */
  quietLabel?: string;
  needs: { prosody?: boolean; ejabberd?: boolean; slixmpp?: boolean };
  measure(ctx: SectionContext): Promise<R>;
  targets?: TargetRow<R>[];
  /** Rows of the summary's "All measurements" table. */
  summary?(own: R, report: ReportContext): string[];
  /** Its part of the report after the summary. */
  chapter?(own: R, report: ReportContext): string[];
  /** A mode of bench.cjs the section runs in a child process: `bench.cjs <flag> ARGS…`. */
  child?: { flag: string; run(args: string[]): void };
}
