// The command line of `npm run bench -- …` (after run.mjs has taken --ref away).
import { join } from "node:path";
import { ROOT } from "./config";

export interface Options {
  /** Small samples, for trying the harness out (the report says so). */
  quick: boolean;
  /** The sections named by --only, in the order given; undefined: all of them. */
  only: string[] | undefined;
  /** Rounds of the whole-process comparison and of its breakdown. */
  pairs: number;
  /** In-process checks per server and TLS mode, and warm re-checks per server. */
  n: number;
  /** Runs per tool and delay in the round-trip sections. */
  rttRuns: number;
  /** One-way delay of the round-trip sections, ms. */
  delay: number;
  /** Where the report goes: a file, or nowhere (--no-write). See outFile(). */
  out: string | undefined;
  /** false: --no-write. */
  write: boolean;
  /** Wait for idle CPUs before the run and before each section. */
  waitQuiet: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench [-- OPTIONS]

  --only LIST      comma-separated sections to run (default: all; see the list below)
  --quick          small samples, for trying the harness out (the report says so)
  --no-write       print the report only, write no file
  --out FILE       where to write the report (default: BENCHMARKS.md at the repo root when every
                   section runs; .cache/BENCHMARKS.<sections>.md for a subset, so that a partial
                   run never replaces the other sections' results)
  --pairs N        rounds of the whole-process comparison and of its breakdown (default 20)
  --n N            in-process checks per server and TLS mode, and warm re-checks per server (default 30)
  --rtt-runs N     runs per tool and delay in the round-trip sections (default 9)
  --delay MS       one-way delay of the round-trip sections (default 25)
  --no-wait        start at once, even on a busy machine (default: wait up to 3 min for idle CPUs)
  --ref REF        measure src/ as committed at git REF instead of the working tree (run.mjs)
  --help           this text`;

const VALUED = ["--only", "--pairs", "--n", "--rtt-runs", "--delay", "--out"];
const FLAGS = ["--quick", "--no-write", "--no-wait", "--help", "-h"];

export function parseOptions(argv: readonly string[]): Options {
  for (let i = 0; i < argv.length; i++) {
    if (VALUED.includes(argv[i])) {
      if (argv[i + 1] === undefined) throw new Error(`${argv[i]} needs a value\n\n${USAGE}`);
      i++;
    } else if (!FLAGS.includes(argv[i])) {
      throw new Error(`unknown option ${JSON.stringify(argv[i])}\n\n${USAGE}`);
    }
  }
  const flag = (name: string) => argv.includes(name);
  const option = (name: string, fallback: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  const count = (name: string, fallback: string): number => {
    const value = Number(option(name, fallback));
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number of at least 1`);
    return value;
  };
  const quick = flag("--quick");
  const only = argv.includes("--only") ? option("--only", "").split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  return {
    quick,
    only,
    pairs: count("--pairs", quick ? "4" : "20"),
    n: count("--n", quick ? "5" : "30"),
    rttRuns: count("--rtt-runs", quick ? "2" : "9"),
    delay: count("--delay", "25"),
    out: argv.includes("--out") ? option("--out", "") : undefined,
    write: !flag("--no-write"),
    waitQuiet: !flag("--no-wait"),
    help: flag("--help") || flag("-h"),
  };
}

/**
 * The report's file: --out if given; else BENCHMARKS.md when every section ran, and a file of its
 * own under .cache/ for a subset (BENCHMARKS.md keeps the last full run's results).
 */
export function outFile(options: Options, ran: readonly string[], all: readonly string[]): string | undefined {
  if (!options.write) return undefined;
  if (options.out !== undefined) return options.out;
  const everything = all.every((name) => ran.includes(name));
  return everything ? join(ROOT, "BENCHMARKS.md") : join(ROOT, ".cache", `BENCHMARKS.${ran.join("+")}.md`);
}
