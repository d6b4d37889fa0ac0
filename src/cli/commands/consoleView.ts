// What the console prints: each element in or out with the time and direction, each pairing
// outcome (✓ result, ✗ error, ⏱ no reply) — colour only on a terminal and without NO_COLOR.
import type { StanzaLogEntry } from "../../core";
import type { PairingEvent } from "../../core/console";
import { quoted } from "../../core/text";
import { prettyNeutral } from "./sendOutput";

export interface View {
  entry(e: StanzaLogEntry): string;
  pairing(e: PairingEvent<number>): string | null;
  note(text: string): string;
}

export function consoleView(colour: boolean): View {
  const paint = (code: string, s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  return {
    entry: (e) => {
      const arrow = e.direction === "in" ? paint("36", "←") : paint("33", "→");
      return `${paint("2", time(e.time))} ${arrow} ${quoted(e.summary, 200)}\n${prettyNeutral(e.xml)}\n`;
    },
    pairing: (e) => {
      const id = quoted(e.id ?? "(none)", 120);
      if (e.kind === "reply") {
        const what = e.outcome === "result" ? paint("32", "✓ result") : paint("31", `✗ ${e.error?.condition ?? "error"}`);
        return `${what} to ${id} in ${e.latencyMs.toFixed(1)} ms${e.late ? " (late)" : ""}\n`;
      }
      if (e.kind === "no-reply") return `${paint("31", "⏱ no reply")} to ${id} after ${Math.round(e.waitedMs)} ms\n`;
      if (e.kind === "given-up") return `${paint("31", "⏱")} ${quoted(e.note, 300)}\n`;
      return e.id === null ? null : `${paint("35", "? unpaired")} ${id}: ${e.note}\n`;
    },
    note: (text) => paint("2", text) + "\n",
  };
}
