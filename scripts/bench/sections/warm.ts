// Section 4: a warm re-check on a session kept open (checkAndKeepOpen() + recheck()): its latency
// on loopback, and its round trips (warmRtt.ts).
import { checkAndKeepOpen, type CheckResult, type LiveCheck } from "../../../src/core/check";
import { performance } from "node:perf_hooks";
import { progress } from "../harness/config";
import { checkOptions, timedRecheck, type NamedServer } from "../harness/inProcess";
import { ms, rt, spread, verdict, type Spread } from "../harness/stats";
import { flightTable } from "../harness/waits";
import type { ReportContext, Section, SectionContext } from "./section";
import { warmRoundTrips, type WarmRttRow } from "./warmRtt";

export interface WarmLatencyRow {
  server: string;
  mechanism: string;
  /** checkAndKeepOpen(): the first check, whose session stays open. */
  opened: number;
  /** The first recheck() of the session, not in the sample. */
  first: number;
  /** recheck() wall time, from the call to its resolution. */
  total: Spread;
  /** recheck()'s own timing (timingsMs.total). */
  own: Spread;
  /** Re-checks that saw the same IP and port as the opening check (the same socket, so expected). */
  same: number;
}

export interface WarmResult {
  latency: WarmLatencyRow[];
  rtt: WarmRttRow[];
}

async function warmLatency(targets: NamedServer[], N_INPROC: number): Promise<WarmLatencyRow[]> {
  progress(`warm re-checks: one kept-open session per server (STARTTLS), ${N_INPROC} re-checks each, taking turns …`);
  const sessions: {
    target: NamedServer;
    live: LiveCheck;
    /** The opening check's answer (live.result follows the latest re-check). */
    address: CheckResult["address"];
    opened: number;
    first: number;
    times: number[];
    own: number[];
    same: number;
  }[] = [];
  try {
    for (const target of targets) {
      const t = performance.now();
      const live = await checkAndKeepOpen(checkOptions(target.server, "starttls"));
      const opened = performance.now() - t;
      const address = live.result.address;
      sessions.push({ target, live, address, opened, first: (await timedRecheck(live)).ms, times: [], own: [], same: 0 });
    }
    for (let i = 0; i < N_INPROC; i++) {
      for (const s of sessions) {
        const { ms, result } = await timedRecheck(s.live);
        s.times.push(ms);
        s.own.push(result.timingsMs.total);
        if (result.address.ip === s.address.ip && result.address.port === s.address.port) s.same++;
      }
    }
  } finally {
    await Promise.allSettled(sessions.map((s) => s.live.close()));
  }
  return sessions.map((s) => ({
    server: s.target.name,
    mechanism: s.live.result.server.mechanism,
    opened: s.opened,
    first: s.first,
    total: spread(s.times),
    own: spread(s.own),
    same: s.same,
  }));
}

export const warm: Section<WarmResult> = {
  name: "warm",
  about: "4. warm re-check on an open session: recheck() latency, and its round trips through a delay proxy",
  quietLabel: "4",
  needs: { prosody: true, ejabberd: true },
  measure: async ({ servers, options }: SectionContext) => ({ latency: await warmLatency(servers, options.n), rtt: await warmRoundTrips(servers, options) }),
  targets: [
    {
      order: 3,
      row(warm) {
        const warmRtt = warm?.rtt ?? [];
        return (
          "| Warm re-check on an open session: **1 round trip** | " +
            (warmRtt.length
              ? warmRtt
                  .map(
                    (r) =>
                      `${r.server}: **${r.waits.toAnswer.real + 1}** counted (${r.waits.toAnswer.real} waits), ≈ ${r.roundTrips.answer.toFixed(2)} by time to the answer, ${r.roundTrips.done.toFixed(2)} to recheck() resolved`,
                  )
                  .join("; ") +
                (warm!.latency.length ? `; on loopback recheck() takes ${warm!.latency.map((l) => `${ms(l.total.median, 2)} ms (${l.server})`).join(", ")} (medians)` : "") +
                " (section 4)"
              : "not measured") +
            ` | ${verdict(warmRtt.length ? warmRtt.every((r) => r.waits.toAnswer.real === 0) : undefined)} |`
        );
      },
    },
  ],
  summary(warm) {
    const L: string[] = [];
    for (const l of warm.latency) {
      L.push(
        `| Warm re-check on an open session, ${l.server} STARTTLS, recheck() median (p10–p90) | ${ms(l.total.median, 2)} ms (${ms(l.total.p10, 2)}–${ms(l.total.p90, 2)}) | ` +
          `n = ${l.total.n}, one session; opening it (checkAndKeepOpen()) took ${ms(l.opened)} ms |`,
      );
    }
    for (const r of warm.rtt) {
      L.push(
        `| Round trips, warm re-check, ${r.server} (STARTTLS) | ${r.waits.toAnswer.real} waits to the answer, so ${r.waits.toAnswer.real + 1} round trip; by time ≈ ${r.roundTrips.answer.toFixed(2)} RTT to the answer, ${r.roundTrips.done.toFixed(2)} to recheck() resolved | ` +
          `the re-check's slice: ${r.waits.total.real} waits + ${r.waits.total.ack} ACK-only + ${r.waits.total.close} close |`,
      );
    }
    return L;
  },
  chapter,
};

function chapter(warm: WarmResult, { options }: ReportContext): string[] {
  const { n: N_INPROC, delay: DELAY } = options;
  const L: string[] = [];
  L.push("## 4. Warm re-check on an open session", "");
  L.push(
    "`checkAndKeepOpen()` (src/core/check.ts) runs a normal check and keeps its session open; its `recheck()` sends the one XEP-0279 query that answered " +
      "(the same namespace) on that session and resolves with the parsed answer. Both servers, STARTTLS; the opening check is the in-process default (profiles and TLS sessions as learned earlier in this run).",
    "",
  );
  if (warm.latency.length > 0) {
    L.push("### Latency", "");
    L.push(
      `One kept-open session per server, straight to the server (no proxy). One unmeasured first re-check ("first"), then ${N_INPROC} re-checks per session, the servers taking turns. ` +
        "Wall time from the `recheck()` call to its resolution; \"own\" is recheck()'s own timingsMs.total (from inside the call). \"same address\" counts the re-checks that saw the IP and port of the " +
        "opening check (the same socket, so all of them should).",
      "",
    );
    L.push(
      "| Server | mechanism | checkAndKeepOpen() (ms) | first re-check (ms) | n | median (ms) | p10 | p90 | min | max | own, median (ms) | same address |",
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const l of warm.latency) {
      L.push(
        `| ${l.server} | ${l.mechanism} | ${ms(l.opened)} | ${ms(l.first, 2)} | ${l.total.n} | ${ms(l.total.median, 2)} | ${ms(l.total.p10, 2)} | ${ms(l.total.p90, 2)} | ${ms(l.total.min, 2)} | ${ms(l.total.max, 2)} | ${ms(l.own.median, 2)} | ${l.same}/${l.total.n} |`,
      );
    }
    L.push("");
  }
  if (warm.rtt.length > 0) {
    L.push("### Round trips", "");
    L.push(
      `Two kept-open sessions per server, each through its own delay proxy (scripts/bench/harness/delayProxy.ts, as in section 3): one with D = 0, one with D = ${DELAY} ms ` +
        "(the proxy fixes a connection's delay when it accepts it, so one session cannot switch). After one unmeasured re-check on each session, " +
        `${warm.rtt[0].runs} pairs of re-checks, alternating: one on the D = 0 session, then one on the D = ${DELAY} ms session, followed by a pause of 2D + 20 ms so that anything the re-check makes either side send afterwards is seen. ` +
        "Each re-check's slice of its connection's log, from the `recheck()` call until the next operation, is counted exactly as a whole connection in section 3: " +
        "flights, the first client flight (here the query) a round trip without being a wait, each client flight after a server flight a wait, decrypted with the sessions' key log. " +
        "**By time**: median over the pairs of (t(D) − t(0)) / 2D, where t is measured from the `recheck()` call to the answer's arrival at the client (proxy log) and to recheck() resolving.",
      "",
    );
    L.push(
      `| Server | **waits to the answer** | + whitespace-ACK only | round trips to the answer, counted (waits + 1) | the slice: waits / ACK-only / close | round trips to the answer, by time | to recheck() resolved, by time | recheck() → answer, D = 0 / ${DELAY} ms (ms) | recheck() → resolved, D = 0 / ${DELAY} ms (ms) | runs (to answer real+ACK / slice real+ACK+close) |`,
      "|---|---:|---:|---:|---|---:|---:|---|---|---|",
    );
    for (const r of warm.rtt) {
      const w = r.waits;
      L.push(
        `| ${r.server} | **${w.toAnswer.real}** | ${w.toAnswer.ack} | ${w.toAnswer.real + 1} | ${w.total.real} / ${w.total.ack} / ${w.total.close} | ${rt(r.roundTrips.answer)} | ${rt(r.roundTrips.done)} | ` +
          `${ms(r.base.answer, 2)} / ${ms(r.delayed.answer, 2)} | ${ms(r.base.done, 2)} / ${ms(r.delayed.done, 2)} | ${r.waitsVaried} |`,
      );
    }
    L.push("");
    for (const r of warm.rtt) {
      L.push(`### Flights: warm re-check, ${r.server}`, "");
      L.push(
        `One re-check with D = ${DELAY} ms (t = when the client sent / received, from the recheck() call). ` +
          `${r.waits.decrypted ? "Decrypted with the session's key log." : "Not decrypted (no key log): kinds from sizes."} Answer identified by: ${r.waits.answerFoundBy}.`,
        "",
      );
      L.push(...flightTable(r.waits), "");
      if (r.stanzas.length > 0) {
        L.push(
          "<details><summary>Its StanzaLog entries, on the same clock (ms after the recheck() call; entry times are Date.now(), whole milliseconds truncated, so a request logged at the call shows as 0)</summary>",
          "",
        );
        L.push("| t (ms) | direction | summary |", "|---:|---|---|");
        for (const e of r.stanzas) L.push(`| ${Math.max(0, e.time - Math.floor(r.startedAt)).toFixed(0)} | ${e.direction} | ${e.summary.replace(/\|/g, "\\|")} |`);
        L.push("", "</details>", "");
      }
    }
  }
  return L;
}
