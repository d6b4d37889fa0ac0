// Section 7: the UDP picture (issue 12): what the XEP-0215 question and the STUN Bindings add to a
// check, first contact and known server, against the servers that announce STUN (ejabberd's own
// ejabberd_stun; Prosody here announces none). Waits are counted from the StanzaLog: client
// flights (the STUN Binding lines count as client sends) up to the last STUN answer.
import { performance } from "node:perf_hooks";
import { gatherFromServer } from "../../../src/core/candidatesCheck";
import type { CheckOptions } from "../../../src/core/check";
import { ProfileCache } from "../../../src/core/session/serverProfile";
import { StanzaLog, type StanzaLogEntry } from "../../../src/core/stanzaLog";
import { progress } from "../harness/config";
import { checkOptions, timedCheck, type NamedServer } from "../harness/inProcess";
import { ms, range, spread, type Spread } from "../harness/stats";
import type { Section, SectionContext } from "./section";

interface ModeRow {
  server: string;
  mode: string;
  wall: Spread;
  /** Client flights to the full picture (the last STUN answer, else the XEP-0279 answer), most frequent. */
  waits: number[];
  stunRtt: Spread | null;
  /** Runs whose first Binding left before the XEP-0215 answer arrived. */
  earlyBinding: number;
}

export interface UdpResult {
  rows: ModeRow[];
  candidates: { server: string; wall: Spread; turnWall: Spread }[];
}

/**
 * Waits until the full picture: XMPP client flights (runs of sends after something was received)
 * up to the last of the XEP-0279 and XEP-0215 answers, plus one when the first STUN Binding left
 * only after the XEP-0215 answer (it waited for it); a Binding sent before rides along.
 */
function waitsToPicture(entries: readonly StanzaLogEntry[]): number {
  const xmpp = entries.filter((e) => !/^STUN Binding/.test(e.summary));
  let last = -1;
  xmpp.forEach((e, i) => {
    if (e.direction === "in" && /^iq result → urn:xmpp:(sic|extdisco):/.test(e.summary)) last = i;
  });
  let flights = 0;
  let lastWasOut = false;
  for (const e of xmpp.slice(0, last + 1)) {
    if (e.direction === "out" && !lastWasOut) flights++;
    lastWasOut = e.direction === "out";
  }
  const sentBinding = entries.some((e) => e.direction === "out" && /^STUN Binding →/.test(e.summary));
  return flights + (sentBinding && !bindingBeforeAnswer(entries) ? 1 : 0);
}

function bindingBeforeAnswer(entries: readonly StanzaLogEntry[]): boolean {
  const binding = entries.findIndex((e) => e.direction === "out" && /^STUN Binding →/.test(e.summary));
  const answer = entries.findIndex((e) => e.direction === "in" && /^iq result → urn:xmpp:extdisco/.test(e.summary));
  return binding >= 0 && answer >= 0 && binding < answer;
}

async function measureMode(target: NamedServer, mode: string, n: number, options: (i: number) => Partial<CheckOptions>): Promise<ModeRow> {
  const walls: number[] = [];
  const rtts: number[] = [];
  const waits: number[] = [];
  let earlyBinding = 0;
  for (let i = 0; i < n; i++) {
    const log = new StanzaLog();
    const { ms: wall, result } = await timedCheck(checkOptions(target.server, "starttls", { log, ...options(i) }));
    walls.push(wall);
    for (const b of result.udp?.bindings ?? []) if ("rttMs" in b) rtts.push(b.rttMs);
    waits.push(waitsToPicture(log.list()));
    if (bindingBeforeAnswer(log.list())) earlyBinding++;
  }
  return { server: target.name, mode, wall: spread(walls), waits, stunRtt: rtts.length ? spread(rtts) : null, earlyBinding };
}

async function measure({ servers, options }: SectionContext): Promise<UdpResult> {
  const rows: ModeRow[] = [];
  const candidates: UdpResult["candidates"] = [];
  for (const target of servers) {
    progress(`UDP picture, ${target.name}: ${options.n} checks per mode …`);
    const known = new ProfileCache();
    const knownOff = new ProfileCache();
    await timedCheck(checkOptions(target.server, "starttls", { profiles: known }));
    await timedCheck(checkOptions(target.server, "starttls", { profiles: knownOff, udp: "off" }));
    rows.push(await measureMode(target, "first contact, udp auto", options.n, () => ({ profiles: new ProfileCache() })));
    rows.push(await measureMode(target, "known server, udp off", options.n, () => ({ profiles: knownOff, udp: "off" })));
    rows.push(await measureMode(target, "known server, udp auto", options.n, () => ({ profiles: known })));
    if (!rows.at(-1)!.stunRtt) continue;
    const time = async (turn: boolean) => {
      const t = performance.now();
      await gatherFromServer({ ...checkOptions(target.server, "starttls"), profiles: known, turn });
      return performance.now() - t;
    };
    const plain: number[] = [];
    const relayed: number[] = [];
    for (let i = 0; i < options.n; i++) {
      plain.push(await time(false));
      relayed.push(await time(true));
    }
    candidates.push({ server: target.name, wall: spread(plain), turnWall: spread(relayed) });
  }
  return { rows, candidates };
}

const mostFrequent = (values: number[]) => {
  const counts = new Map<number, number>();
  values.forEach((v) => counts.set(v, (counts.get(v) ?? 0) + 1));
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? NaN;
};

export const udp: Section<UdpResult> = {
  name: "udp",
  about: "7. the UDP picture: check() with udp off / auto, first contact and known server; STUN round trips; time to candidates (with and without TURN)",
  quietLabel: "7",
  needs: { prosody: true, ejabberd: true },
  measure,
  summary(own) {
    return own.rows
      .filter((r) => r.stunRtt || r.mode.includes("off"))
      .map((r) => `| UDP picture, ${r.server}, ${r.mode}: check() median (p10–p90) | ${range(r.wall)} ms | ${mostFrequent(r.waits)} waits to the full picture; STUN rtt ${r.stunRtt ? `${ms(r.stunRtt.median, 2)} ms` : "—"} |`);
  },
  chapter(own, { options }) {
    const L: string[] = ["## 7. The UDP picture", ""];
    L.push(
      `check() in process, STARTTLS, loopback, ${options.n} runs per row. "waits": XMPP client flights up to the last of the XEP-0279 and XEP-0215 answers, ` +
        "plus one when the first STUN Binding left only after the XEP-0215 answer (it waited for it); counted from the StanzaLog, in which each STUN Binding sent and answered is a line. " +
        "\"early Binding\": runs whose first Binding left before the XEP-0215 answer arrived (the profile remembered the services), so it waited for nothing. " +
        "A server that announces no STUN (Prosody in this test bed) gets no UDP picture: its rows show the cost of the XEP-0215 question alone.",
      "",
      "| Server | mode | check() median (p10–p90), ms | waits to the full picture (most frequent) | STUN rtt median (ms) | early Binding |",
      "|---|---|---|---:|---:|---:|",
    );
    for (const r of own.rows) {
      L.push(`| ${r.server} | ${r.mode} | ${range(r.wall)} | ${mostFrequent(r.waits)} | ${r.stunRtt ? ms(r.stunRtt.median, 2) : "—"} | ${r.earlyBinding}/${r.waits.length} |`);
    }
    L.push("");
    if (own.candidates.length) {
      L.push("| Server | candidates, known server, median (p10–p90), ms | with --turn (allocate + release), ms |", "|---|---|---|");
      for (const c of own.candidates) L.push(`| ${c.server} | ${range(c.wall)} | ${range(c.turnWall)} |`);
      L.push("");
    }
    return L;
  },
};
