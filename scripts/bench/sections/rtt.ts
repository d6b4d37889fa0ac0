// Section 3: round trips. Each check goes through a delay proxy, at D = 0 and at D ms one way;
// the waits are counted from the proxy's log (decrypted with the client's TLS key log) and the
// round trips estimated from the difference in time. The CLI, check() in process, slixmpp.
import { join } from "node:path";
import { StanzaLog, type StanzaLogEntry } from "../../../src/core/stanzaLog";
import { KEYLOG_DIR, progress } from "../harness/config";
import type { DelayProxy } from "../harness/delayProxy";
import { checkOptions, logFacts, timedCheck, withKeylog } from "../harness/inProcess";
import { release } from "../harness/owned";
import { agreement, dumpConnection, startProxy, throughProxy } from "../harness/proxied";
import { median, mode, ms, rt, verdict } from "../harness/stats";
import { decodeConnection, readKeyLog, type ConnectionView } from "../harness/tlsView";
import { assertAnswered, cacheDir, cliTool, freshCacheDir, slixmppTool, type Tool } from "../harness/tools";
import { countWaits, flightTable, type WaitCount } from "../harness/waits";
import type { OwnedXmppServer } from "../../testbed/index";
import type { Options } from "../harness/options";
import type { ReportContext, Section, SectionContext } from "./section";

const INPROCESS_KEYLOG = join(KEYLOG_DIR, "in-process.keylog");

interface RttRun {
  /** What the user waits for: the printed answer (processes) or check() resolving (in process). Epoch ms. */
  doneAtEpoch: number;
  /** Processes: when the process had exited (after the background close). Epoch ms. */
  exitAtEpoch?: number;
  /** In process: the StanzaLog, and the time its answer entry was logged. */
  log?: StanzaLogEntry[];
  answerLoggedAtEpoch?: number;
}

interface RttTool {
  /** Names the row for the summary's targets. */
  key: string;
  name: string;
  /** Runs one check through the proxy at `proxyPort`. */
  run(proxyPort: number): Promise<RttRun>;
  keylog: string;
  /** Direct TLS (XEP-0368) to Prosody's direct TLS port instead of STARTTLS. */
  direct?: boolean;
  /**
   * false: first contact, a new proxy (a new port, so nothing learned or resumed applies) and, for
   * the CLI, an empty cache for every run. true: one proxy (one port) for all runs, after a warm-up
   * run through it, so the client knows the server (profile, TLS session) as a repeat check does.
   */
  known: boolean;
  userVisible: string;
  /** Whether a run was really what `known` says (in process: from its StanzaLog), when that can be told. */
  asExpected?(run: RttRun): boolean;
}

export interface RttRow {
  key: string;
  name: string;
  direct: boolean;
  known: boolean;
  userVisible: string;
  /** Medians, ms after the proxy accepted the connection: what the user waits for, the answer's arrival, and (processes) the exit. */
  base: { done: number; answer: number; exit: number };
  delayed: { done: number; answer: number; exit: number };
  /** Median over runs of (time with D − time with D = 0) / 2D. */
  roundTrips: { done: number; answer: number; exit: number };
  waits: WaitCount;
  waitsVaried: string;
  sample: { count: WaitCount; stanzas?: StanzaLogEntry[]; acceptedAt: number };
}

/** The rows of the section, in report order. */
function rttTools(prosody: OwnedXmppServer): RttTool[] {
  const ca = prosody.certs.caFile;
  const processTool = (tool: Tool, key: string, known: boolean): RttTool => {
    const keylog = join(KEYLOG_DIR, `${key}.keylog`);
    const knownCache = cacheDir(`rtt-${key}`);
    return {
      key,
      name: tool.name,
      keylog,
      known,
      userVisible: "answer printed",
      async run(port) {
        const run = await tool.run({ port, caFile: ca, keylog, cacheHome: known ? knownCache : freshCacheDir() });
        assertAnswered(tool, run);
        return { doneAtEpoch: run.answerAtEpoch, exitAtEpoch: run.exitAtEpoch };
      },
    };
  };
  const inProcess = (key: string, name: string, known: boolean, direct = false): RttTool => ({
    key,
    name,
    keylog: INPROCESS_KEYLOG,
    direct,
    known,
    userVisible: "check() resolved",
    async run(port) {
      const log = new StanzaLog();
      const options = { ...checkOptions(prosody, direct ? "direct" : "starttls"), port, log };
      const { resolvedAtEpoch } = await withKeylog(INPROCESS_KEYLOG, () => timedCheck(options));
      const answer = log.list().find((e) => e.direction === "in" && e.kind === "iq" && /urn:xmpp:sic:[01]/.test(e.summary) && /result/.test(e.summary));
      return { doneAtEpoch: resolvedAtEpoch, answerLoggedAtEpoch: answer?.time, log: [...log.list()] };
    },
    // A new proxy may get the port of an earlier one, whose profile and TLS session would apply.
    asExpected: (run) => {
      const { resumed, disco } = logFacts(run.log ?? []);
      return known || (!resumed && disco);
    },
  });
  return [
    processTool(cliTool("xmpp-sic CLI, first contact"), "cli-first", false),
    processTool(cliTool("xmpp-sic CLI, known server (saved profile)"), "cli-known", true),
    inProcess("inproc-first", "xmpp-sic check() in process, first contact", false),
    inProcess("inproc-known", "xmpp-sic check() in process, known server (profile + TLS session)", true),
    processTool(slixmppTool, "slixmpp", false),
    // For comparison with the STARTTLS rows: what XEP-0368 direct TLS saves.
    inProcess("inproc-first-direct", "xmpp-sic check() in process, first contact, direct TLS", false, true),
    inProcess("inproc-known-direct", "xmpp-sic check() in process, known server, direct TLS", true, true),
  ];
}

async function roundTrips({ prosody: server, options }: SectionContext): Promise<RttRow[]> {
  const rows: RttRow[] = [];
  for (const tool of rttTools(server!)) {
    progress(`round trips: ${tool.name}: ${options.rttRuns} × (D = 0, D = ${options.delay} ms) …`);
    rows.push(await measureTool(tool, server!, options));
  }
  return rows;
}

/** One row: the tool's runs at D = 0 and D = DELAY, alternating. */
async function measureTool(tool: RttTool, prosody: OwnedXmppServer, { rttRuns: RTT_RUNS, delay: DELAY }: Options): Promise<RttRow> {
  const target = tool.direct ? prosody.directTlsPort : prosody.starttlsPort;
  let stable: DelayProxy | undefined;
  if (tool.known) {
    stable = await startProxy(target, 0);
    await throughProxy(target, 0, (port) => tool.run(port), stable); // the warm-up that makes the server known
  }
  const measure = async (delayMs: number) => {
    for (let attempt = 1; ; attempt++) {
      const { value, log } = await throughProxy(target, delayMs, (port) => tool.run(port), stable);
      if (tool.asExpected && !tool.asExpected(value) && attempt < 3) continue;
      const view: ConnectionView | null = decodeConnection(log.chunks, readKeyLog(tool.keylog), tool.direct === true);
      const count = countWaits(log, view, value.answerLoggedAtEpoch !== undefined ? { answerAtEpochMs: value.answerLoggedAtEpoch } : {});
      const exit = value.exitAtEpoch !== undefined ? value.exitAtEpoch - log.acceptedAt : Number.NaN;
      return { done: value.doneAtEpoch - log.acceptedAt, answer: count.answerAt ?? Number.NaN, exit, count, value, log };
    }
  };
  type Times = { done: number; answer: number; exit: number };
  const base: Times[] = [];
  const delayed: Times[] = [];
  const runs: { count: WaitCount; sample: RttRow["sample"] }[] = [];
  try {
    for (let i = 0; i < RTT_RUNS; i++) {
      const b = await measure(0);
      const d = await measure(DELAY);
      base.push(b);
      delayed.push(d);
      runs.push({ count: d.count, sample: { count: d.count, stanzas: d.value.log, acceptedAt: d.log.acceptedAt } });
      dumpConnection(tool.name, i, DELAY, d.log, d.count);
      progress(
        `  run ${i + 1}: connect → ${tool.userVisible}: ${ms(b.done)} ms at D = 0, ${ms(d.done)} ms at D = ${DELAY}; ` +
          `waits to the answer ${d.count.toAnswer.real} (+${d.count.toAnswer.ack} ACK-only)`,
      );
    }
  } finally {
    if (stable) await release(stable);
  }
  const perRun = (pick: (x: Times) => number) => median(delayed.map((d, i) => (pick(d) - pick(base[i])) / (2 * DELAY)));
  const medians = (list: Times[]): Times => ({
    done: median(list.map((x) => x.done)),
    answer: median(list.map((x) => x.answer)),
    exit: median(list.map((x) => x.exit)),
  });
  const typical = mode(runs.map((r) => r.count.toAnswer.real));
  const chosen = runs.find((r) => r.count.toAnswer.real === typical) ?? runs[0];
  return {
    key: tool.key,
    name: tool.name,
    direct: tool.direct === true,
    known: tool.known,
    userVisible: tool.userVisible,
    base: medians(base),
    delayed: medians(delayed),
    roundTrips: { done: perRun((x) => x.done), answer: perRun((x) => x.answer), exit: perRun((x) => x.exit) },
    waits: chosen.count,
    waitsVaried: agreement(runs.map((r) => r.count)),
    sample: chosen.sample,
  };
}

const counted = (r: RttRow) => r.waits.toAnswer.real + 1;
const rtText = (r: RttRow | undefined, label: string) =>
  r ? `${label}: **${counted(r)}** counted (${r.waits.toAnswer.real} waits + the first flight), ≈ ${r.roundTrips.answer.toFixed(1)} by time to the answer, ${r.roundTrips.done.toFixed(1)} to ${r.userVisible}` : `${label}: not measured`;
const row = (rtt: RttRow[] | undefined, key: string) => rtt?.find((r) => r.key === key);

export const rtt: Section<RttRow[]> = {
  name: "rtt",
  about: "3. round trips through a delay proxy: the CLI, check() in process (first contact, known server, direct TLS), slixmpp",
  quietLabel: "3",
  needs: { prosody: true, slixmpp: true },
  measure: roundTrips,
  targets: [
    {
      order: 1,
      row(rtt) {
        const knownRows = [row(rtt, "cli-known"), row(rtt, "inproc-known")].filter((r): r is RttRow => r !== undefined);
        const stock = [row(rtt, "cli-first"), row(rtt, "slixmpp")].filter((r): r is RttRow => r !== undefined);
        return (
          "| Known server, STARTTLS + SCRAM: the answer in hand after **≤ 5 round trips** past TCP (stock clients: 9–10) | " +
            `${rtText(row(rtt, "cli-known"), "CLI with its saved profile")}; ${rtText(row(rtt, "inproc-known"), "check() in process (profile + TLS session)")}. ` +
            `For comparison: ${stock.map((r) => `${r.key === "slixmpp" ? "slixmpp" : "CLI first contact"} ${counted(r)}`).join(", ")} (section 3) | ` +
            `${verdict(knownRows.length ? knownRows.every((r) => counted(r) <= 5) : undefined)} |`
        );
      },
    },
    {
      order: 2,
      row(rtt) {
        const direct = row(rtt, "inproc-known-direct");
        const firstDirect = row(rtt, "inproc-first-direct");
        return (
          "| Known server, direct TLS + SCRAM: **≤ 4 round trips** | " +
            `${rtText(direct, "check() in process, known server, direct TLS")}; first contact: ${firstDirect ? counted(firstDirect) : "—"} (section 3) | ` +
            `${verdict(direct ? counted(direct) <= 4 : undefined)} |`
        );
      },
    },
  ],
  summary(rtt) {
    const L: string[] = [];
    for (const r of rtt) {
      const w = r.waits;
      L.push(
        `| Round trips, ${r.name} (Prosody${r.direct ? "" : ", STARTTLS"}) | ${w.toAnswer.real} waits to the answer (+${w.toAnswer.ack} whitespace-ACK only), so ${w.toAnswer.real + 1} round trips; by time ≈ ${r.roundTrips.answer.toFixed(1)} RTT to the answer, ${r.roundTrips.done.toFixed(1)} to ${r.userVisible}` +
          `${Number.isFinite(r.roundTrips.exit) ? `, ${r.roundTrips.exit.toFixed(1)} to the process's exit` : ""} | ` +
          `whole connection: ${w.total.real} waits + ${w.total.ack} ACK-only + ${w.total.close} close |`,
      );
    }
    return L;
  },
  chapter,
};

function chapter(rtt: RttRow[], { options }: ReportContext): string[] {
  const { rttRuns: RTT_RUNS, delay: DELAY } = options;
  const L: string[] = [];
  L.push("## 3. Round trips", "");
  L.push(
    `Each check goes through scripts/bench/harness/delayProxy.ts, a userspace TCP proxy on loopback that holds every chunk for a fixed one-way delay D in each direction ` +
      `(order kept; netem is not available here). Prosody, STARTTLS (the direct TLS rows are there for comparison). ${RTT_RUNS} runs per tool at D = 0 and at D = ${DELAY} ms, alternating. ` +
      "**First contact**: a new proxy, so a new port, for every run (nothing learned about that server:port applies, no TLS session to resume) and, for the CLI, an empty cache. " +
      "**Known server**: one proxy, one port, for all the runs of that row, after one warm-up run through it, so the client knows the server " +
      "(check() in process: the profile and a TLS session; the CLI: the profile it saved, no TLS session). " +
      "Times are taken from the proxy's accept of the connection, so process start-up (and its noise) is left out, and the TCP handshake too: " +
      "the kernel completes it before the proxy accepts, so on a real network add one round trip for it. " +
      `**By time** = median over the runs of (time with D − time with D = 0) / 2D, for three times: the arrival at the client of the flight that carries the answer; ` +
      "what the user waits for: the printed answer (processes) or check() resolving (in process), both right after the answer now that check() does not wait for the server's close; " +
      "and, for processes, the exit, which still comes after that close has finished in the background (about one round trip after the answer). " +
      `**Waits** are counted from the connections with D = ${DELAY} ms (below); the typical run is shown, and the last column says whether the runs agreed. ` +
      "Each delayed connection's chunk log and flights are also kept as JSON in .cache/bench/rtt/ (not committed) for a closer look.",
    "",
  );
  L.push(
    `| Tool | **waits to the answer** | + whitespace-ACK only | round trips to the answer, counted (waits + 1) | whole connection: waits / ACK-only / close | round trips to the answer, by time | user-visible end | round trips to it, by time | round trips to the process's exit, by time | connect → answer, D = 0 / ${DELAY} ms (ms) | connect → user-visible end, D = 0 / ${DELAY} ms (ms) | connect → exit, D = 0 / ${DELAY} ms (ms) | to the answer: client's / server's own time (ms) | runs (to answer real+ACK / whole real+ACK+close) |`,
    "|---|---:|---:|---:|---|---:|---|---:|---:|---|---|---|---|---|",
  );
  for (const r of rtt) {
    const w = r.waits;
    const exit = Number.isFinite(r.base.exit) ? `${ms(r.base.exit)} / ${ms(r.delayed.exit)}` : "— (in process)";
    L.push(
      `| ${r.name} | **${w.toAnswer.real}** | ${w.toAnswer.ack} | ${w.toAnswer.real + 1} | ${w.total.real} / ${w.total.ack} / ${w.total.close} | ${rt(r.roundTrips.answer)} | ${r.userVisible} | ${rt(r.roundTrips.done)} | ${rt(r.roundTrips.exit)} | ` +
        `${ms(r.base.answer)} / ${ms(r.delayed.answer)} | ${ms(r.base.done)} / ${ms(r.delayed.done)} | ${exit} | ${ms(w.clientMs)} / ${ms(w.serverMs)} | ${r.waitsVaried} |`,
    );
  }
  L.push(
    "",
    "Reading the columns: the client's first flight (the stream header, or the ClientHello with direct TLS) is a round trip without being a wait " +
      "(it follows no server flight), so the round trips to the answer are the waits + 1 (counted), and the time-based estimate matches that when nothing else costs time. More than that: noise (the proxy shares the CPUs with everything " +
      "else; a late timer adds to a flight's time), or time on the critical path that grows with the delay. Less: work a client does after a send, " +
      "which at D = 0 is on the critical path and with a delay hides in the wait. The client's / server's own time (from the typical D run) is, " +
      "summed over the flights up to the answer, the time each side took between receiving the other side's data and sending: CPU, not network.",
    "",
    "What the proxy does not reproduce: it terminates TCP on both sides, so the server's TCP peer is the proxy, on loopback, which acknowledges " +
      "at once. A server write that Nagle's algorithm holds until the previous segment is acknowledged (Prosody, e.g. behind a TLS session ticket " +
      "the client has no reason to answer) is released here after microseconds, where a real client's delayed ACK would hold it for up to ~40 ms " +
      "or more. So the whitespace ticket ACK's benefit does not show in these times; its flights are counted separately so they do not inflate the waits.",
    "",
  );
  L.push("### How waits are counted", "");
  L.push(
    "From the proxy's log of the connection (with D = " + DELAY + " ms), on the client's clock: a client chunk counts when the proxy reads it, a server chunk when the proxy delivers it. " +
      "Consecutive chunks in one direction with nothing in the other between them form a *flight*. A **wait** is a client flight that follows a server flight: " +
      "each time the client sends after having received data from the server since its previous send. Counting starts after the TCP connect (the first client flight, " +
      "the stream header, waits for nothing) and, for \"waits to the answer\", stops at the server flight that carries the XEP-0279 result.",
    "",
    "Client flights that follow a server flight are sorted into three kinds, using the decrypted view (below) when there is one:",
    "",
    "- **wait**: the client needed the server's flight to go on (it sends a new request or handshake step);",
    "- **whitespace-ACK only**: the flight carries nothing but XML whitespace. xmpp-sic answers each TLS 1.3 session ticket with one space (src/core/tls.ts) so the ticket's TCP ACK leaves at once instead of Prosody's Nagle holding its next write for the delayed ACK; the client waits for nothing there. Without a decrypted view, a client flight made only of TLS 1.3 records with one byte of data each (23 bytes of ciphertext apiece: 5 header + 1 + 1 content type + 16 tag) counts as this;",
    "- **close**: only `</stream:stream>` and/or a TLS close_notify, after the answer (without a decrypted view: any client flight after the answer).",
    "",
    "The **decrypted view**: the client's TLS secrets (Node's `--tls-keylog` for the CLI, a 'keylog' listener on the in-process check's TLS socket, Python's `SSLKEYLOGFILE` for slixmpp) let scripts/bench/harness/tlsView.ts " +
      "decrypt the TLS 1.3 records in the proxy's log, so each flight below shows what it carried. The in-process run also lines up with its StanzaLog (entry times and directions).",
    "",
  );
  for (const r of rtt) {
    const { count, stanzas, acceptedAt } = r.sample;
    L.push(`### Flights: ${r.name}`, "");
    L.push(
      `One run with D = ${DELAY} ms (t = when the client sent / received, from the proxy's accept). ` +
        `${count.decrypted ? "Decrypted with the client's key log." : "Not decrypted (no key log): kinds from sizes."} Answer identified by: ${count.answerFoundBy}. ` +
        "Sender's own time: from the delivery to the sender of the last chunk it had received from the other side to its first chunk of this flight (client flights: the client's processing; server flights: the server's). " +
        `Up to the answer: client ${ms(count.clientMs)} ms, server ${ms(count.serverMs)} ms.`,
      "",
    );
    L.push(...flightTable(count), "");
    if (stanzas && stanzas.length > 0) {
      L.push("<details><summary>Its StanzaLog, on the same clock (ms after the proxy's accept; entries are logged when written or parsed)</summary>", "");
      L.push("| t (ms) | direction | summary |", "|---:|---|---|");
      for (const e of stanzas) L.push(`| ${(e.time - acceptedAt).toFixed(0)} | ${e.direction} | ${e.summary.replace(/\|/g, "\\|")} |`);
      L.push("", "</details>", "");
    }
  }
  return L;
}
