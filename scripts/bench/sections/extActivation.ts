// The extension's activation time as VS Code reports it, for the packaged .vsix: `npm run package`
// in a staging copy, installed with --install-extension into fresh code-servers (4.100, VS Code
// 1.100) next to a one-line "Hello Baseline" extension packaged the same way and activated by the
// same events. Each start has its own user data and extensions dirs; the workbench runs in
// headless Chromium, and the numbers are read from "Developer: Startup Performance" (the
// extension host's ActivationTimes per extension) and "Developer: Show Running Extensions".
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { activationOnFreshStart, packageHelloExtension, type ActivationRow } from "../../../test/vscode/activationTimes";
import { buildVsix, vscodeTestsUnavailable } from "../../../test/vscode/harness";
import { progress, ROOT, WORK } from "../harness/config";

export const OURS = "xmpp-sic.xmpp-sic";
/** "Loaded on first use in 41.2 ms (code 18.0 ms, set-up 23.2 ms)." in the extension's log. */
export const FIRST_USE_LINE = /Loaded on first use in ([\d.]+) ms \(code ([\d.]+) ms, set-up ([\d.]+) ms\)/;

/** The first-use cost a start logged: [total, code, set-up] in ms. */
export function firstUseCost(row: ActivationRow): [number, number, number] | undefined {
  const m = row.firstUse ? FIRST_USE_LINE.exec(row.firstUse) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
export const HELLO = "xmpp-sic-bench.hello";

export interface ActivationStart {
  ours: ActivationRow;
  hello: ActivationRow;
  /** The other extensions activated by the same event in this start (built-ins), in table order. */
  sameEvent: ActivationRow[];
}

export interface Packaged {
  vsixBytes: number;
  /** dist/extension.js, dist/workbench.js and dist/core.js as packed (the production build vsce ran). */
  shellBytes: number;
  workbenchBytes: number;
  coreBytes: number;
}

export interface ActivationNumbers {
  packaged: Packaged;
  activationEvents: string[];
  starts: ActivationStart[];
  /** Starts that could not be read, and why (replaced by further starts). */
  failures: string[];
  /** Why the activation was not measured (no code-server or Chromium here). */
  skipped?: string;
}

/** No start-up event: the extension activates when a view of it is opened or a command of it runs. */
export const onFirstUse = (activationEvents: string[]) => !activationEvents.some((e) => e === "*" || e === "onStartupFinished");

/** Load Code + Call Activate: what Running Extensions shows as an extension's activation time. */
export const shown = (row: ActivationRow) => row.loadCodeMs + row.callActivateMs;

export async function measureActivation(starts: number): Promise<ActivationNumbers> {
  progress("extension: npm run package (a staging copy) …");
  const vsix = await buildVsix(join(WORK, "ext-package"));
  const stage = join(WORK, "ext-package", "package");
  const packaged = {
    vsixBytes: statSync(vsix).size,
    shellBytes: statSync(join(stage, "dist/extension.js")).size,
    workbenchBytes: statSync(join(stage, "dist/workbench.js")).size,
    coreBytes: statSync(join(stage, "dist/core.js")).size,
  };
  const activationEvents: string[] = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).activationEvents ?? [];
  const skipped = vscodeTestsUnavailable();
  if (skipped) return { packaged, activationEvents, starts: [], failures: [], skipped };
  const hello = await packageHelloExtension(join(WORK, "ext-hello"), activationEvents);
  const runs: ActivationStart[] = [];
  const failures: string[] = [];
  // A start that cannot be read (a busy machine can make the workbench miss a deadline) is
  // reported and replaced, up to as many again.
  for (let attempt = 1; runs.length < starts && attempt <= 2 * starts; attempt++) {
    progress(`extension: activation in a fresh code-server, start ${runs.length + 1} of ${starts} …`);
    try {
      const rows = await activationOnFreshStart({
        vsixes: [vsix, hello],
        ids: [OURS, HELLO],
        names: [/XMPP IP Check/, /Hello Baseline/],
        // Activated on first use: the person opens our view, then the baseline's, as they would.
        openContainers: onFirstUse(activationEvents) ? ["XMPP IP Check", "Hello Baseline"] : [],
        // What that first use cost beyond activation: the workbench's own log line (src/vscode/workbench.ts).
        firstUseLog: FIRST_USE_LINE,
      });
      const find = (id: string) => rows.find((r) => r.id.toLowerCase() === id)!;
      const ours = find(OURS);
      runs.push({ ours, hello: find(HELLO), sameEvent: rows.filter((r) => r.event === ours.event && r.id !== OURS && r.id !== HELLO) });
      progress(`extension: ours ${shown(ours)} ms (load ${ours.loadCodeMs} + activate ${ours.callActivateMs}), baseline ${shown(find(HELLO))} ms`);
    } catch (err) {
      failures.push(err instanceof Error ? err.message.split("\n")[0]! : String(err));
      progress(`extension: start failed, replaced: ${failures.at(-1)}`);
    }
  }
  return { packaged, activationEvents, starts: runs, failures };
}
