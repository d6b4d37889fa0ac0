// What every part of one bench run shares and nothing changes: where things are (from run.mjs's
// environment), the test account, and the progress line on stderr.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { join } from "node:path";

export const ROOT = process.env.XMPP_SIC_BENCH_ROOT ?? process.cwd();
const DIST = process.env.XMPP_SIC_BENCH_DIST ?? join(ROOT, "dist");
export const CLI = join(DIST, "cli.js");
export const PYTHON = "/usr/bin/python3";
export const SLIXMPP_SCRIPT = join(ROOT, "scripts", "bench", "slixmpp_check.py");
/** Where the round-trip sections' TLS key logs go (one file per tool; lines are keyed by client random). */
export const KEYLOG_DIR = process.env.XMPP_SIC_BENCH_KEYLOG_DIR ?? os.tmpdir();
/** Scratch space of this run (.cache/bench/ under npm run bench). */
export const WORK = process.env.XMPP_SIC_BENCH_WORK ?? join(os.tmpdir(), `xmpp-sic-bench-${process.pid}`);
/** The CLI's cache homes (XDG_CACHE_HOME) for this run; removed at the end. */
export const CACHE_ROOT = join(WORK, "cli-cache");
/**
 * Node reads this file of extra CAs at start-up, before any JavaScript runs. The bench's children
 * inherit it; when it is set, the cold sections also measure the CLI without it.
 */
export const EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS || undefined;
/** `npm run bench -- --ref REF`: the label run.mjs passes ("REF = sha"), or "". */
export const REF_LABEL = process.env.XMPP_SIC_BENCH_REF ?? "";

export const USER = "bench";
export const PASSWORD = randomBytes(12).toString("base64url");
export const JID = `${USER}@localhost`;
export const HOST = "127.0.0.1";

export const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
