// Section 7: the UDP picture (issue 12): what the XEP-0215 question and the STUN Bindings add to a
// check, first contact and known server: ejabberd's own ejabberd_stun, the bench's Prosody (which
// announces none: the XEP-0215 question's cost alone), and a Prosody announcing coturn; then the
// time to candidates (with the XEP-0065 proxies). Waits are counted from the StanzaLog: client
// flights (the STUN Binding lines count as client sends) up to the last STUN answer.
import { performance } from "node:perf_hooks";
import { gatherFromServer } from "../../../src/core/candidatesCheck";
import type { CheckOptions } from "../../../src/core/check";
import { ProfileCache } from "../../../src/core/session/serverProfile";
import { StanzaLog, type StanzaLogEntry } from "../../../src/core/stanzaLog";
import { progress } from "../harness/config";
import { checkOptions, timedCheck, type NamedServer } from "../harness/inProcess";
import { withTurnProsody } from "../harness/turnProsody";
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

export interface CandidatesRow {
  server: string;
  /** Whether the server announces STUN (then the list has UDP candidates). */
  stun: boolean;
  /** First contact: wall time and client flights to the last answer (XEP-0279, XEP-0215, proxies). */
  first: Spread;
  firstWaits: number[];
  /** Known server (profile remembered: pipelined, proxies asked behind bind). */
  wall: Spread;
  knownWaits: number[];
  /** Known server with --turn (allocate + release); null without STUN/TURN. */
  turnWall: Spread | null;
}

export interface UdpResult {
  rows: ModeRow[];
  candidates: CandidatesRow[];
  /** Rows that could not be measured, and why. */
  skipped: string[];
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

/** Client flights up to the last iq reply of a candidates run (XEP-0279, XEP-0215, the proxies' answers). */
function waitsToCandidates(entries: readonly StanzaLogEntry[]): number {
  const xmpp = entries.filter((e) => !/^STUN /.test(e.summary));
  const last = xmpp.reduce((at, e, i) => (e.direction === "in" && /^iq (result|error)/.test(e.summary) ? i : at), -1);
  let flights = 0;
  xmpp.slice(0, last + 1).forEach((e, i, all) => {
    if (e.direction === "out" && all[i - 1]?.direction !== "out") flights++;
  });
  return flights;
}

async function timeCandidates(target: NamedServer, n: number, options: (i: number) => Partial<CheckOptions> & { turn?: boolean }): Promise<{ wall: Spread; waits: number[] }> {
  const walls: number[] = [];
  const waits: number[] = [];
  for (let i = 0; i < n; i++) {
    const log = new StanzaLog();
    const t = performance.now();
    await gatherFromServer({ ...checkOptions(target.server, "starttls", { log }), ...options(i) });
    walls.push(performance.now() - t);
    waits.push(waitsToCandidates(log.list()));
  }
  return { wall: spread(walls), waits };
}

async function measureServer(target: NamedServer, n: number, into: UdpResult): Promise<void> {
  progress(`UDP picture, ${target.name}: ${n} checks per mode …`);
  const known = new ProfileCache();
  const knownOff = new ProfileCache();
  await timedCheck(checkOptions(target.server, "starttls", { profiles: known }));
  await timedCheck(checkOptions(target.server, "starttls", { profiles: knownOff, udp: "off" }));
  into.rows.push(await measureMode(target, "first contact, udp auto", n, () => ({ profiles: new ProfileCache() })));
  into.rows.push(await measureMode(target, "known server, udp off", n, () => ({ profiles: knownOff, udp: "off" })));
  into.rows.push(await measureMode(target, "known server, udp auto", n, () => ({ profiles: known })));
  progress(`candidates, ${target.name}: ${n} runs per mode …`);
  const stun = into.rows.at(-1)!.stunRtt !== null;
  const gathered = new ProfileCache();
  await gatherFromServer({ ...checkOptions(target.server, "starttls"), profiles: gathered });
  const first = await timeCandidates(target, n, () => ({ profiles: new ProfileCache() }));
  const knownRun = await timeCandidates(target, n, () => ({ profiles: gathered }));
  const turn = stun ? (await timeCandidates(target, n, () => ({ profiles: gathered, turn: true }))).wall : null;
  into.candidates.push({ server: target.name, stun, first: first.wall, firstWaits: first.waits, wall: knownRun.wall, knownWaits: knownRun.waits, turnWall: turn });
}

async function measure({ servers, options }: SectionContext): Promise<UdpResult> {
  const result: UdpResult = { rows: [], candidates: [], skipped: [] };
  for (const target of servers) await measureServer(target, options.n, result);
  const extra = await withTurnProsody((target) => measureServer(target, options.n, result));
  if (extra && typeof extra === "object" && "skipped" in extra) result.skipped.push(extra.skipped);
  return result;
}

const mostFrequent = (values: number[]) => {
  const counts = new Map<number, number>();
  values.forEach((v) => counts.set(v, (counts.get(v) ?? 0) + 1));
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? NaN;
};

export const udp: Section<UdpResult> = {
  name: "udp",
  about: "7. the UDP picture: check() with udp off / auto, first contact and known server (ejabberd, Prosody, Prosody + coturn); STUN round trips; time to candidates",
  quietLabel: "7",
  needs: { prosody: true, ejabberd: true },
  measure,
  summary(own) {
    return own.rows
      .filter((r) => r.stunRtt || r.mode.includes("off"))
      .map((r) => `| UDP picture, ${r.server}, ${r.mode}: check() median (p10–p90) | ${range(r.wall)} ms | ${mostFrequent(r.waits)} waits to the full picture; STUN rtt ${r.stunRtt ? `${ms(r.stunRtt.median, 2)} ms` : "—"} |`)
      .concat(
        own.candidates.map(
          (c) => `| Time to candidates, ${c.server}: first contact / known server, median | ${ms(c.first.median)} / ${ms(c.wall.median)} ms | ${mostFrequent(c.firstWaits)} / ${mostFrequent(c.knownWaits)} waits${c.turnWall ? `; with --turn ${ms(c.turnWall.median)} ms` : ""} |`,
        ),
      );
  },
  chapter(own, { options }) {
    const L: string[] = ["## 7. The UDP picture", ""];
    L.push(
      `check() in process, STARTTLS, loopback, ${options.n} runs per row. "waits": XMPP client flights up to the last of the XEP-0279 and XEP-0215 answers, ` +
        "plus one when the first STUN Binding left only after the XEP-0215 answer (it waited for it); counted from the StanzaLog, in which each STUN Binding sent and answered is a line. " +
        "\"early Binding\": runs whose first Binding left before the XEP-0215 answer arrived (the profile remembered the services), so it waited for nothing. " +
        "A server that announces no STUN (the bench's own Prosody) gets no UDP picture: its rows show the cost of the XEP-0215 question alone; \"Prosody + coturn\" is a second Prosody announcing a coturn on loopback (mod_turn_external).",
      "",
      "| Server | mode | check() median (p10–p90), ms | waits to the full picture (most frequent) | STUN rtt median (ms) | early Binding |",
      "|---|---|---|---:|---:|---:|",
    );
    for (const r of own.rows) {
      L.push(`| ${r.server} | ${r.mode} | ${range(r.wall)} | ${mostFrequent(r.waits)} | ${r.stunRtt ? ms(r.stunRtt.median, 2) : "—"} | ${r.earlyBinding}/${r.waits.length} |`);
    }
    L.push("");
    if (own.candidates.length) {
      L.push(
        "Time to candidates: gatherFromServer() (`xmpp-sic candidates` without the process), everything the server offers: XEP-0279, the STUN Bindings, the XEP-0065 proxies (disco#items, disco#info of the items, the streamhost query); " +
          "\"waits\": client flights up to the last XMPP answer (as above, STUN lines aside). A known server's proxies are asked behind bind.",
        "",
        "| Server | STUN | first contact, median (p10–p90), ms | waits | known server, ms | waits | known, with --turn (allocate + release), ms |",
        "|---|---|---|---:|---|---:|---|",
      );
      for (const c of own.candidates) {
        L.push(`| ${c.server} | ${c.stun ? "yes" : "no"} | ${range(c.first)} | ${mostFrequent(c.firstWaits)} | ${range(c.wall)} | ${mostFrequent(c.knownWaits)} | ${c.turnWall ? range(c.turnWall) : "—"} |`);
      }
      L.push("");
    }
    for (const s of own.skipped) L.push(`> Skipped: ${s}`, "");
    return L;
  },
};
