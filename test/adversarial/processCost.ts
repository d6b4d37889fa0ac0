// Runs the built CLI against an adversarial server as a user would, and reports what the process
// cost: its peak resident memory (getrusage's maxRSS, read by the process itself as it exits: the
// whole process, heap, buffers and all), how long it lived, start-up included, and how long it
// lived after the server accepted its connection (start-up on a loaded machine can take a second;
// the deadline only starts with the check).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliRun } from "../support/cli";
import type { AdversarialServer } from "./server";
import { DOMAIN, PASSWORD, USER } from "./server";

const REPORTER = `"use strict";
const { writeFileSync } = require("node:fs");
const { performance } = require("node:perf_hooks");
process.on("exit", () => {
  const cost = { maxRssKb: process.resourceUsage().maxRSS, lifeMs: performance.now(), exitAt: Date.now() };
  writeFileSync(process.env.XMPP_SIC_COST_FILE, JSON.stringify(cost));
});
`;

export interface CostlyRun {
  run: CliRun;
  /** The --json output. */
  out: { ok: boolean; error?: { code: string; message: string } };
  peakRssMb: number;
  /** From the process's start to its exit. */
  lifeMs: number;
  /** From the server's accepting the first connection to the process's exit. */
  connectedMs: number;
}

export async function measuredCheck(server: AdversarialServer, timeoutMs: number): Promise<CostlyRun> {
  const dir = mkdtempSync(join(tmpdir(), "xmpp-sic-cost-"));
  try {
    const reporter = join(dir, "reporter.cjs");
    const costFile = join(dir, "cost.json");
    writeFileSync(reporter, REPORTER);
    const args = ["check", `${USER}@${DOMAIN}`, "--host", server.host, "--port", String(server.port), "--ca", server.certs.caFile];
    const run = await runCli([...args, "--json", "--step-by-step", "--timeout", String(timeoutMs)], {
      env: { XMPP_PASSWORD: PASSWORD, XMPP_SIC_COST_FILE: costFile },
      nodeArgs: ["--require", reporter],
      timeoutMs: timeoutMs + 30_000,
    });
    const cost = JSON.parse(readFileSync(costFile, "utf8")) as { maxRssKb: number; lifeMs: number; exitAt: number };
    const acceptedAt = server.connections[0]?.acceptedAt ?? cost.exitAt;
    return { run, out: JSON.parse(run.stdout), peakRssMb: cost.maxRssKb / 1024, lifeMs: cost.lifeMs, connectedMs: cost.exitAt - acceptedAt };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
