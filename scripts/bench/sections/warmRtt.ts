// Section 4, its round trips: two kept-open sessions per server, one through a delay proxy with
// D = 0 and one with D = DELAY, re-checked in turn; each re-check's slice of its connection's log is
// counted like a whole connection in section 3.
import { join } from "node:path";
import { checkAndKeepOpen, type LiveCheck } from "../../../src/core/check";
import { StanzaLog, type StanzaLogEntry } from "../../../src/core/stanzaLog";
import type { OwnedXmppServer } from "../../testbed/index";
import { epochNow, pause } from "../harness/clock";
import { KEYLOG_DIR, progress } from "../harness/config";
import type { ConnectionLog } from "../harness/delayProxy";
import { checkOptions, timedRecheck, withKeylog, type NamedServer } from "../harness/inProcess";
import type { Options } from "../harness/options";
import { release } from "../harness/owned";
import { agreement, startProxy, within } from "../harness/proxied";
import { median, mode, ms } from "../harness/stats";
import { decodeConnection, readKeyLog, type ConnectionView } from "../harness/tlsView";
import { countWaits, type WaitCount } from "../harness/waits";

/** Key log of the warm re-check sessions. */
const WARM_KEYLOG = join(KEYLOG_DIR, "warm.keylog");

export interface WarmRttRow {
  server: string;
  /** Medians, ms after recheck() was called: the answer's arrival at the client (from the proxy's log) and recheck() resolving. */
  base: { done: number; answer: number };
  delayed: { done: number; answer: number };
  /** Median over the pairs of (time with D − time with D = 0) / 2D. */
  roundTrips: { done: number; answer: number };
  waits: WaitCount;
  waitsVaried: string;
  runs: number;
  stanzas: StanzaLogEntry[];
  startedAt: number;
}

/**
 * Two kept-open sessions per server, one through a proxy with D = 0 and one through a proxy with
 * D = DELAY (the proxy fixes a connection's delay when it accepts it), re-checked in turn. Each
 * re-check's slice of the delayed connection's log (from its call until just before the next
 * operation) is counted like a whole connection in section 3.
 */
export async function warmRoundTrips(targets: NamedServer[], options: Options): Promise<WarmRttRow[]> {
  const rows: WarmRttRow[] = [];
  for (const { name, server } of targets) {
    progress(`warm re-check round trips, ${name}: ${options.rttRuns} re-checks on a session at D = 0 and one at D = ${options.delay} ms, alternating …`);
    rows.push(await warmRttRow(name, server, options));
  }
  return rows;
}

type Window = { start: number; end: number; until: number };

/** The two sessions' re-checks: each one's window on the clock, the StanzaLogs and the connections' logs. */
async function recheckWindows(server: OwnedXmppServer, { rttRuns: RTT_RUNS, delay: DELAY }: Options) {
  const proxies0 = await startProxy(server.starttlsPort, 0);
  const proxiesD = await startProxy(server.starttlsPort, DELAY);
  const lives: LiveCheck[] = [];
  try {
    const closed = [proxies0.nextClosed(), proxiesD.nextClosed()];
    const logs = [new StanzaLog(), new StanzaLog()];
    const open = (port: number, log: StanzaLog) => withKeylog(WARM_KEYLOG, () => checkAndKeepOpen({ ...checkOptions(server, "starttls"), port, log }));
    const live0 = await open(proxies0.port, logs[0]);
    lives.push(live0);
    const liveD = await open(proxiesD.port, logs[1]);
    lives.push(liveD);
    await timedRecheck(live0); // one unmeasured re-check each: the first runs colder code
    await timedRecheck(liveD);
    await pause(2 * DELAY + 20);
    const windows: { base: Window; delayed: Window }[] = [];
    for (let i = 0; i < RTT_RUNS; i++) {
      const b = await timedRecheck(live0);
      await pause(10);
      const bUntil = epochNow();
      const d = await timedRecheck(liveD);
      // Whatever the re-check makes either side send afterwards lands in its slice.
      await pause(2 * DELAY + 20);
      windows.push({ base: { start: b.start, end: b.end, until: bUntil }, delayed: { start: d.start, end: d.end, until: epochNow() } });
      progress(`  run ${i + 1}: recheck() ${ms(b.ms)} ms at D = 0, ${ms(d.ms)} ms at D = ${DELAY}`);
    }
    await Promise.all(lives.splice(0).map((l) => l.close()));
    const connections = await Promise.all(closed.map((c) => within(c, 4 * DELAY + 5_000, "a kept-open connection did not close")));
    return { windows, logs, connections };
  } finally {
    await Promise.allSettled(lives.map((l) => l.close()));
    for (const p of [proxies0, proxiesD]) await release(p);
  }
}

/** A re-check's slice of its connection's log, counted like a whole connection. */
function slice(log: ConnectionLog, view: ConnectionView | null, stanzas: StanzaLog, w: Window): { count: WaitCount; done: number; answer: number } {
  const at = (c: ConnectionLog["chunks"][number]) => (c.dir === "c2s" ? c.readAt : c.deliveredAt);
  const chunks = log.chunks.filter((c) => at(c) >= w.start && at(c) < w.until);
  const answerEntry = stanzas
    .list()
    .find((e) => e.time >= Math.floor(w.start) && e.time <= Math.ceil(w.end) && e.direction === "in" && e.kind === "iq" && /urn:xmpp:sic:[01]/.test(e.summary));
  const count = countWaits({ id: log.id, acceptedAt: w.start, chunks }, view, answerEntry ? { answerAtEpochMs: answerEntry.time } : {});
  return { count, done: w.end - w.start, answer: count.answerAt ?? Number.NaN };
}

async function warmRttRow(name: string, server: OwnedXmppServer, options: Options): Promise<WarmRttRow> {
  const { rttRuns: RTT_RUNS, delay: DELAY } = options;
  const { windows, logs, connections } = await recheckWindows(server, options);
  const [log0, logD] = connections;
  const keys = readKeyLog(WARM_KEYLOG);
  const views = [decodeConnection(log0.chunks, keys, false), decodeConnection(logD.chunks, keys, false)];
  const base = windows.map((w) => slice(log0, views[0], logs[0], w.base));
  const delayed = windows.map((w) => slice(logD, views[1], logs[1], w.delayed));
  const typical = mode(delayed.map((d) => d.count.toAnswer.real));
  const chosen = delayed.findIndex((d) => d.count.toAnswer.real === typical);
  const sample = windows[Math.max(0, chosen)].delayed;
  const perPair = (pick: (x: { done: number; answer: number }) => number) => median(delayed.map((d, i) => (pick(d) - pick(base[i])) / (2 * DELAY)));
  return {
    server: name,
    base: { done: median(base.map((x) => x.done)), answer: median(base.map((x) => x.answer)) },
    delayed: { done: median(delayed.map((x) => x.done)), answer: median(delayed.map((x) => x.answer)) },
    roundTrips: { done: perPair((x) => x.done), answer: perPair((x) => x.answer) },
    waits: delayed[Math.max(0, chosen)].count,
    waitsVaried: agreement(delayed.map((d) => d.count)),
    runs: RTT_RUNS,
    stanzas: logs[1].list().filter((e) => e.time >= Math.floor(sample.start) && e.time <= Math.ceil(sample.until)),
    startedAt: sample.start,
  };
}
