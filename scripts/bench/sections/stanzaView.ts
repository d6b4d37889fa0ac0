// Section 9: the Stanza Log view under a flood. 100 000 stanzas are added to a StanzaLog (the
// extension's default bounds) as fast as the event loop takes them, in reads of 500 like a busy
// socket; the view's own model (src/vscode/stanzaModel.ts) is refreshed by the view's own
// batcher (one refresh per 50 ms at most), and each refresh does what VS Code asks of the view:
// the groups, then every shown row's label and pair text (a group shows its newest GROUP_ROWS),
// with a search active over every entry that passes the filter. No VS Code, no
// server: the cost measured is the view's, per refresh and in total.
import { performance } from "node:perf_hooks";
import { StanzaLog, type PairRecord, type StanzaLogEntry } from "../../../src/core";
import { englishL10n, NO_FILTER, type StanzaFilter } from "../../../src/vscode/stanzaFilter";
import { GROUP_ROWS, RefreshBatcher, StanzaLogModel } from "../../../src/vscode/stanzaModel";
import { pairText } from "../../../src/vscode/stanzaPairs";
import { progress } from "../harness/config";
import { ms, spread, verdict, type Spread } from "../harness/stats";
import type { Section } from "./section";

const STANZAS = 100_000;
const READ = 500;
/** "Responsive": a refresh (the shown rows of the bounded log) fits in one 50 ms batching window. */
const TARGET_MS = 50;

export interface FloodRun {
  label: string;
  stanzas: number;
  totalMs: number;
  refreshes: number;
  perRefresh: Spread;
  /** CPU (user + system) of each refresh: what other work on the machine does not inflate much. */
  cpuPerRefresh: Spread;
  rowsPerRefresh: number;
  held: number;
  dropped: number;
  heapMB: number;
  matches: number;
}

/** One stanza of a console's traffic: a disco#info request, its result, a chat message, a presence. */
function stanza(i: number): Omit<StanzaLogEntry, "seq" | "checkId"> & { checkId: string } {
  const id = `b${i >> 2}`;
  const time = Date.now();
  switch (i % 4) {
    case 0:
      return { time, direction: "out", kind: "iq", summary: "iq get → http://jabber.org/protocol/disco#info", xml: `<iq type="get" id="${id}" to="localhost"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`, checkId: "console" };
    case 1:
      return { time, direction: "in", kind: "iq", summary: "iq result → http://jabber.org/protocol/disco#info", xml: `<iq type="result" id="${id}" from="localhost"><query xmlns="http://jabber.org/protocol/disco#info"><feature var="urn:xmpp:ping"/></query></iq>`, checkId: "console" };
    case 2:
      return { time, direction: "in", kind: "message", summary: `message chat from bob@localhost/r`, xml: `<message type="chat" from="bob@localhost/r" id="m${i}"><body>flood ${i}</body></message>`, checkId: "console" };
    default:
      return { time, direction: "in", kind: "presence", summary: "presence from carol@localhost/r", xml: `<presence from="carol@localhost/r" id="p${i}"/>`, checkId: "console" };
  }
}

async function flood(label: string, filter: StanzaFilter): Promise<FloodRun> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const log = new StanzaLog();
  const book = new Map<number, PairRecord>();
  const model = new StanzaLogModel(log, { pairOf: (seq) => book.get(seq) }, { kind: () => "console", jid: () => "bench@localhost" });
  model.setFilter(filter);
  model.find("flood 9");
  const times: number[] = [];
  const cpu: number[] = [];
  let rows = 0;
  const refresh = () => {
    const t = performance.now();
    const c = process.cpuUsage();
    model.invalidate();
    let n = 0;
    for (const checkId of model.groups.keys()) {
      for (const e of model.rowsOf(checkId).entries) {
        const pair = model.pairOf(e.seq);
        model.label(e);
        pairText(e, { pair, entry: (s) => model.entry(s), condition: (r) => model.condition(r), label: (x) => model.label(x) }, englishL10n);
        n++;
      }
    }
    void model.search;
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    rows = Math.max(rows, n);
  };
  const batcher = new RefreshBatcher(refresh);
  const unsubscribe = log.onEntry(() => batcher.schedule());
  const start = performance.now();
  let request = 0;
  for (let i = 0; i < STANZAS; i += READ) {
    for (let j = i; j < Math.min(STANZAS, i + READ); j++) {
      const e = log.add(stanza(j));
      if (j % 4 === 0) request = e.seq;
      if (j % 4 === 1) {
        // As PairBook.record() keeps it: one record under both seqs.
        const pair: PairRecord = { request, reply: e.seq, latencyMs: 0.4, outcome: "result" };
        book.set(request, pair).set(e.seq, pair);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The last burst's refresh, as the view would run it.
  await new Promise((resolve) => setTimeout(resolve, 60));
  const totalMs = performance.now() - start;
  unsubscribe();
  batcher.dispose();
  // What stays: the log, its caches and the model (the garbage of the run collected first).
  gc?.();
  const heapMB = process.memoryUsage().heapUsed / 2 ** 20;
  return { label, stanzas: STANZAS, totalMs, refreshes: times.length, perRefresh: spread(times), cpuPerRefresh: spread(cpu), rowsPerRefresh: rows, held: log.size.entries, dropped: log.dropped, heapMB, matches: model.search?.matches.length ?? 0 };
}

async function measure(): Promise<FloodRun[]> {
  progress(`Stanza Log view: ${STANZAS.toLocaleString("en")} stanzas, twice (no filter; a JID filter + received only) …`);
  return [
    await flood("no filter, search active", NO_FILTER),
    await flood(`JID "bob", received only, search active`, { ...NO_FILTER, jid: "bob", direction: "in" }),
  ];
}

export const stanzaView: Section<FloodRun[]> = {
  name: "stanzaView",
  about: "9. Stanza Log view: 100 000 stanzas into the bounded log, grouped refreshes (no servers)",
  quietLabel: "9",
  needs: {},
  measure,
  targets: [
    {
      order: 6,
      row(runs) {
        const worst = runs ? Math.max(...runs.map((r) => r.perRefresh.max)) : undefined;
        return (
          "| Stanza Log: **responsive with 100 000 stanzas** (bounded log, grouped refresh) | " +
          (runs ? runs.map((r) => `${r.label}: ${r.refreshes} refreshes, median ${ms(r.perRefresh.median)} ms, max ${ms(r.perRefresh.max)} ms`).join("; ") + " (section 9)" : "not measured") +
          ` | ${verdict(worst === undefined ? undefined : worst < TARGET_MS)} |`
        );
      },
    },
  ],
  summary(runs) {
    return runs.map(
      (r) => `| Stanza Log, ${r.stanzas.toLocaleString("en")} stanzas, ${r.label} | ${ms(r.totalMs, 0)} ms total, ${r.refreshes} refreshes of median ${ms(r.perRefresh.median)} ms | heap ${ms(r.heapMB)} MB (section 9) |`,
    );
  },
  chapter(runs) {
    const L = ["## 9. Stanza Log view under a flood", ""];
    L.push(
      `${STANZAS.toLocaleString("en")} stanzas (a console's mix: disco#info requests, their results, chat messages, presences) are added to a \`StanzaLog\` with the extension's default bounds ` +
        `(5 000 entries, 4 MiB), ${READ} per event-loop turn. The view's model (src/vscode/stanzaModel.ts) refreshes through the view's \`RefreshBatcher\` (at most one refresh per 50 ms); ` +
        "each refresh rebuilds the filtered groups and computes, for every shown row (a group shows its newest " + GROUP_ROWS + " until the person asks for earlier ones), its label and its pair text (what `getTreeItem` does), with a search active over every filtered entry. " +
        `Heap: \`heapUsed\` after the run. Target: every refresh under ${TARGET_MS} ms (one batching window).`,
      "",
      "| Run | total (ms) | refreshes | per refresh: median (p10–p90, max) (ms) | CPU per refresh: median (max) (ms) | rows per refresh | held / dropped | matches | heap (MB) |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const r of runs) {
      L.push(
        `| ${r.label} | ${ms(r.totalMs, 0)} | ${r.refreshes} | ${ms(r.perRefresh.median)} (${ms(r.perRefresh.p10)}–${ms(r.perRefresh.p90)}, ${ms(r.perRefresh.max)}) | ${ms(r.cpuPerRefresh.median)} (${ms(r.cpuPerRefresh.max)}) | ${r.rowsPerRefresh} | ` +
          `${r.held.toLocaleString("en")} / ${r.dropped.toLocaleString("en")} | ${r.matches} | ${ms(r.heapMB)} |`,
      );
    }
    L.push("");
    return L;
  },
};
