// Section 8: the XML console (issue 13): on an open live session (core openLiveSession), each send
// of a disco#info and of a ping waits for its paired reply, one at a time. Latency: from before the
// stanza is composed to the pairing event. The client's own time per send, measured in process:
// compose() + send() (synchronous: validation, id, serialisation, the stanza log, the socket write)
// plus the pairing of the reply (from the element reaching the console to its pairing event: the
// match by id and sender, the latency). The target: one round trip plus under 1 ms.
import { performance } from "node:perf_hooks";
import { compose, openLiveSession, type LiveSession, type PairingEvent } from "../../../src/core/console/index";
import { PASSWORD, progress } from "../harness/config";
import { checkOptions, type NamedServer } from "../harness/inProcess";
import { ms, spread, verdict, type Spread } from "../harness/stats";
import type { Section, SectionContext } from "./section";

const KINDS = {
  "disco#info": (domain: string) => `<iq type='get' to='${domain}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
  ping: (domain: string) => `<iq type='get' to='${domain}'><ping xmlns='urn:xmpp:ping'/></iq>`,
} as const;
type Kind = keyof typeof KINDS;
/** Sends not in the sample: the first of each kind warms the JIT and the server's caches. */
const WARMUP = 10;

export interface ConsoleRow {
  server: string;
  kind: Kind;
  /** Before compose() to the pairing event of the reply. */
  latency: Spread;
  /** compose() + send(). */
  send: Spread;
  /** The element reaching the console to its pairing event. */
  pairing: Spread;
  /** send + pairing, per send. */
  client: Spread;
  /** The same, as this process's CPU time (user + system): what a busy machine's waiting does not inflate. */
  clientCpu: Spread;
  /** Replies that were results (not errors, not "no reply"). */
  results: number;
}

export interface ConsoleResult {
  sends: number;
  rows: ConsoleRow[];
}

/** A live session whose next pairing event, and the moment its reply reached the console, can be awaited. */
type Paired = { event: PairingEvent<number>; arrived: number; paired: number; cpuUs: number };

/** CPU microseconds (user + system) of this process since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return d.user + d.system;
};

async function openTimed(target: NamedServer) {
  let arrived = 0;
  let arrivedCpu = process.cpuUsage();
  let waiting: ((e: Paired) => void) | null = null;
  const live: LiveSession = await openLiveSession({
    ...checkOptions(target.server, "starttls"),
    onElement: () => {
      arrivedCpu = process.cpuUsage();
      arrived = performance.now();
    },
    onPairing: (event) => {
      const paired = performance.now();
      waiting?.({ event, arrived, paired, cpuUs: cpuSince(arrivedCpu) });
      waiting = null;
    },
  });
  const next = () => new Promise<Paired>((resolve) => (waiting = resolve));
  return { live, next };
}

async function measureKind(target: NamedServer, kind: Kind, n: number): Promise<ConsoleRow> {
  const { live, next } = await openTimed(target);
  const text = KINDS[kind](target.server.domain);
  const latency: number[] = [];
  const send: number[] = [];
  const pairing: number[] = [];
  const cpu: number[] = [];
  let results = 0;
  try {
    for (let i = 0; i < WARMUP + n; i++) {
      const reply = next();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const [stanza] = compose(text, { secrets: [PASSWORD] }).stanzas;
      live.send(stanza!.element);
      const t1 = performance.now();
      const sendCpuUs = cpuSince(cpu0);
      const { event, arrived, paired, cpuUs } = await reply;
      if (i < WARMUP) continue;
      cpu.push((sendCpuUs + cpuUs) / 1000);
      latency.push(paired - t0);
      send.push(t1 - t0);
      pairing.push(paired - arrived);
      if (event.kind === "reply" && event.outcome === "result") results++;
    }
  } finally {
    await live.close();
  }
  const client = send.map((s, i) => s + pairing[i]!);
  return { server: target.name, kind, latency: spread(latency), send: spread(send), pairing: spread(pairing), client: spread(client), clientCpu: spread(cpu), results };
}

async function measure({ servers, options }: SectionContext): Promise<ConsoleResult> {
  const sends = Math.max(200, options.n);
  const rows: ConsoleRow[] = [];
  for (const target of servers) {
    for (const kind of Object.keys(KINDS) as Kind[]) {
      progress(`console, ${target.name}: ${sends} ${kind} sends, each waiting for its paired reply …`);
      rows.push(await measureKind(target, kind, sends));
    }
  }
  return { sends, rows };
}

const cell = (s: Spread) => `${ms(s.median, 3)} / ${ms(s.p90, 3)}`;

export const consoleSection: Section<ConsoleResult> = {
  name: "console",
  about: "8. the XML console: send → paired reply on an open live session (disco#info, ping), and the client's own time per send",
  quietLabel: "8",
  needs: { prosody: true, ejabberd: true },
  measure,
  targets: [
    {
      order: 6,
      row(own) {
        const rows = own?.rows ?? [];
        const worst = rows.length ? Math.max(...rows.map((r) => r.clientCpu.median)) : NaN;
        return (
          "| Console send → paired reply: **one round trip + under 1 ms of client time** (issue 13) | " +
          (rows.length
            ? `${rows.map((r) => `${r.server} ${r.kind}: ${ms(r.latency.median, 2)} ms, client ${ms(r.client.median, 3)} ms wall / ${ms(r.clientCpu.median, 3)} ms CPU`).join("; ")} (medians; verdict on the client's CPU time, which a busy machine does not inflate; section 8)`
            : "not measured") +
          ` | ${verdict(rows.length ? worst < 1 : undefined)} |`
        );
      },
    },
  ],
  summary(own) {
    return own.rows.map(
      (r) => `| Console, ${r.server}, ${r.kind}: send → paired reply median / p90 | ${cell(r.latency)} ms | client time (compose + send + pairing) ${cell(r.client)} ms wall, ${cell(r.clientCpu)} ms CPU; n = ${r.latency.n} |`,
    );
  },
  chapter(own) {
    const L: string[] = ["## 8. The XML console: send → paired reply", ""];
    L.push(
      `One live session per server and stanza kind (openLiveSession, STARTTLS, loopback), ${own.sends} sends each after ${WARMUP} not counted, one at a time: ` +
        "each waits for its paired reply before the next is composed. \"send → reply\": from before compose() to the pairing event. " +
        "\"compose + send\": compose() (parse, checks, id) and send() (stanza log, serialisation, socket write), synchronous. " +
        "\"pairing\": from the reply reaching the console to its pairing event (matching by id and sender, the latency). " +
        "\"client CPU\": the same two spans as this process's CPU time (process.cpuUsage, user + system), which waiting for a CPU on a busy machine does not inflate. " +
        "The rest of send → reply is the round trip: the kernel, TLS, the XML parser, and the server.",
      "",
      "| Server | stanza | send → reply, median / p90 (ms) | compose + send (ms) | pairing (ms) | client time per send (ms) | client CPU per send (ms) | results |",
      "|---|---|---|---|---|---|---|---:|",
    );
    for (const r of own.rows) {
      L.push(`| ${r.server} | ${r.kind} | ${cell(r.latency)} | ${cell(r.send)} | ${cell(r.pairing)} | ${cell(r.client)} | ${cell(r.clientCpu)} | ${r.results}/${r.latency.n} |`);
    }
    L.push("");
    return L;
  },
};
