// Section 2: check() in the bench process, a fresh connection each time, both servers and TLS
// modes, as callers use it (profiles and TLS sessions reused) and step by step.
import type { CheckOptions, CheckResult } from "../../../src/core/check";
import { StanzaLog } from "../../../src/core/stanzaLog";
import { progress } from "../harness/config";
import { checkOptions, logFacts, timedCheck } from "../harness/inProcess";
import { median, ms, spread, type Spread } from "../harness/stats";
import type { Section, SectionContext } from "./section";

export interface InProcessRow {
  server: string;
  tls: string;
  variant: string;
  mechanism: string;
  tlsProtocol: string;
  /** The very first check of this server and TLS mode in the process: nothing known, nothing to resume. */
  first: number;
  total: Spread;
  phases: { connect: number; tls: number; auth: number; query: number; answer: number; close: Spread };
  /** How many of the checks resumed a TLS session / went without disco#info (pipelined on a known profile). */
  resumed: number;
  withoutDisco: number;
}


export const VARIANTS = [
  // check() as callers use it: what it learned about the server (profiles) and TLS sessions are reused.
  { name: "repeat (default: profile + TLS resumption)", extra: {} as Partial<CheckOptions> },
  // `profiles: null` (a no-op before profiles existed): step by step; TLS resumption still applies.
  { name: "step by step (profiles: null)", extra: { profiles: null } as Partial<CheckOptions> },
];

async function coldInProcess({ servers: targets, options }: SectionContext): Promise<InProcessRow[]> {
  const N_INPROC = options.n;
  const configs = targets.flatMap(({ name, server }) =>
    (["starttls", "direct"] as const).flatMap((tls) =>
      VARIANTS.map((variant) => ({ name, server, tls, variant, times: [] as number[], results: [] as CheckResult[], facts: [] as ReturnType<typeof logFacts>[], first: Number.NaN })),
    ),
  );
  progress(`in-process checks: ${configs.length} configurations × ${N_INPROC}, after one first check per server and TLS mode …`);
  for (const c of configs) {
    if (c.variant !== VARIANTS[0]) continue;
    c.first = (await timedCheck(checkOptions(c.server, c.tls))).ms;
    for (const other of configs) if (other.server === c.server && other.tls === c.tls) other.first = c.first;
  }
  for (let i = 0; i < N_INPROC; i++) {
    for (const c of configs) {
      const log = new StanzaLog();
      const { ms, result } = await timedCheck(checkOptions(c.server, c.tls, { ...c.variant.extra, log }));
      c.times.push(ms);
      c.results.push(result);
      c.facts.push(logFacts(log.list()));
    }
    if ((i + 1) % 10 === 0 || i + 1 === N_INPROC) progress(`  ${i + 1}/${N_INPROC}`);
  }
  return configs.map((c) => ({
    server: c.name,
    tls: c.tls === "starttls" ? "STARTTLS" : "direct TLS",
    variant: c.variant.name,
    mechanism: c.results[0].server.mechanism,
    tlsProtocol: c.results[0].server.tlsProtocol ?? "none",
    first: c.first,
    total: spread(c.times),
    phases: {
      connect: median(c.results.map((r) => r.timingsMs.connect)),
      tls: median(c.results.map((r) => r.timingsMs.tls)),
      auth: median(c.results.map((r) => r.timingsMs.auth)),
      query: median(c.results.map((r) => r.timingsMs.query)),
      answer: median(c.results.map((r) => r.timingsMs.total)),
      close: spread(c.times.map((t, i) => t - c.results[i].timingsMs.total)),
    },
    resumed: c.facts.filter((f) => f.resumed).length,
    withoutDisco: c.facts.filter((f) => !f.disco).length,
  }));
}

export const inproc: Section<InProcessRow[]> = {
  name: "inproc",
  about: "2. check() in process, fresh connection each time: both servers, STARTTLS and direct TLS",
  quietLabel: "2",
  needs: { prosody: true, ejabberd: true },
  measure: coldInProcess,
  summary(inproc) {
    const L: string[] = [];
    for (const r of inproc) {
      L.push(
        `| Check in process, fresh connection, ${r.server} ${r.tls}, ${r.variant}, median (p10–p90) | ${ms(r.total.median)} ms (${ms(r.total.p10)}–${ms(r.total.p90)}) | ` +
          `n = ${r.total.n}; the first check of ${r.server} ${r.tls} in the process: ${ms(r.first)} ms |`,
      );
    }
    return L;
  },
  chapter(inproc, { options }) {
    const N_INPROC = options.n;
    const L: string[] = [];
    L.push("## 2. Check in process, fresh connection each time", "");
    L.push(
      `The core's \`check()\` called in the bench process, a fresh connection (TCP, TLS, SASL, bind, query, close) each time, protocol "auto". ` +
        "Wall time until `check()` resolves, which is right after the answer: check() writes its stream footer (and close_notify) and resolves without waiting for the " +
        "server's side of the close, which finishes in the background (so a check's close may overlap the next check). Two ways to call it: as callers do (\"repeat\": check() pipelines with " +
        "what it learned about the server, and resumes its TLS session), and with `profiles: null` (\"step by step\": disco#info and every wait of the " +
        "negotiation; TLS sessions are still resumed, which no option turns off). \"resumed\" and \"no disco\" count, from each check's StanzaLog, the checks " +
        "that resumed a TLS session and that did without disco#info (pipelined on a known profile). " +
        `"first" is the very first check of that server and TLS mode in this process: a first contact (nothing learned, no TLS session, ` +
        `and the TLS context for the test-bed CA still to build); it is not in the sample. The configurations take turns, ${N_INPROC} rounds. ` +
        "Phase columns are medians of the check's own timings (connect, TLS, auth = SASL + bind, query = disco#info + query; answer = their sum), " +
        "and \"outside\" the median (and p90) of the wall time not in those timings: before check()'s clock starts (the options checked, the CA file read and parsed) " +
        "and after the answer (the result built, the footer written). It no longer holds a wait for the server's close.",
      "",
    );
    L.push(
      "| Server | TLS | check | mechanism | n | median (ms) | p10 | p90 | min | max | first | resumed | no disco | connect | tls | auth | query | answer | outside (p90) |",
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const r of inproc) {
      const p = r.phases;
      L.push(
        `| ${r.server} | ${r.tls} (${r.tlsProtocol}) | ${r.variant} | ${r.mechanism} | ${r.total.n} | ${ms(r.total.median)} | ${ms(r.total.p10)} | ${ms(r.total.p90)} | ` +
          `${ms(r.total.min)} | ${ms(r.total.max)} | ${ms(r.first)} | ${r.resumed}/${r.total.n} | ${r.withoutDisco}/${r.total.n} | ${ms(p.connect)} | ${ms(p.tls)} | ${ms(p.auth)} | ${ms(p.query)} | ${ms(p.answer)} | ${ms(p.close.median)} (${ms(p.close.p90)}) |`,
      );
    }
    const repeats = inproc.filter((r) => r.variant === VARIANTS[0].name);
    const resumed = repeats.reduce((n, r) => n + r.resumed, 0);
    const total = repeats.reduce((n, r) => n + r.total.n, 0);
    if (resumed === 0 && total > 0) {
      L.push(
        "",
        `None of the ${total} repeat checks resumed a TLS session. check() offers the ticket it kept, but both servers answered with a full ` +
          "handshake (certificate included): see the known-server flights in section 3, whose ClientHello is larger (it carries the ticket) while the " +
          "server's flight still holds the Certificate.",
      );
    }
    L.push("");
    return L;
  },
};
