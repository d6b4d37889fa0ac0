// Running one check against an adversarial server and holding it to the hardening contract: a
// CheckResult or a SicError with the expected code, within the deadline (+2 s of slack: the point
// is "never hangs"), and nothing left open afterwards.
import assert from "node:assert/strict";
import { check, SicError, StanzaLog, type CheckOptions, type CheckResult, type ErrorCode } from "../../src/core";
import { activeResources, assertNoLeaks } from "../support/resources";
import { AdversarialServer, DOMAIN, PASSWORD, USER, type Script } from "./server";

export const TIMEOUT_MS = 3_000;
export const SLACK_MS = 2_000;

export interface Outcome {
  result?: CheckResult;
  error?: SicError;
  elapsedMs: number;
  log: StanzaLog;
  options: CheckOptions;
}

export function optionsFor(server: AdversarialServer, overrides: Partial<CheckOptions> = {}): CheckOptions {
  return {
    jid: `${USER}@${DOMAIN}`,
    password: PASSWORD,
    host: server.host,
    port: server.port,
    tls: server.script.transport === "direct" ? "direct" : "starttls",
    caFile: server.certs.caFile,
    timeoutMs: TIMEOUT_MS,
    ...overrides,
  };
}

export async function run(server: AdversarialServer, overrides: Partial<CheckOptions> = {}): Promise<Outcome> {
  const log = overrides.log ?? new StanzaLog();
  const options = optionsFor(server, { ...overrides, log });
  const started = performance.now();
  let result: CheckResult | undefined;
  let error: SicError | undefined;
  try {
    result = await check(options);
  } catch (err) {
    assert.ok(err instanceof SicError, `the check threw something other than a SicError: ${String(err)}`);
    error = err;
  }
  const elapsedMs = performance.now() - started;
  const deadline = options.timeoutMs ?? 15_000;
  assert.ok(elapsedMs < deadline + SLACK_MS, `the check took ${Math.round(elapsedMs)} ms (deadline ${deadline} ms)`);
  return { ...(result ? { result } : {}), ...(error ? { error } : {}), elapsedMs, log, options };
}

export async function expectResult(server: AdversarialServer, overrides: Partial<CheckOptions> = {}): Promise<CheckResult & { log: StanzaLog }> {
  const outcome = await run(server, overrides);
  assert.ok(outcome.result, `expected a result, got ${outcome.error?.code}: ${outcome.error?.message}`);
  return { ...outcome.result, log: outcome.log };
}

export async function expectError(
  server: AdversarialServer,
  code: ErrorCode,
  pattern?: RegExp,
  overrides: Partial<CheckOptions> = {},
): Promise<Outcome & { error: SicError }> {
  const outcome = await run(server, overrides);
  assert.ok(outcome.error, `expected a ${code} error, but the check succeeded`);
  assert.equal(outcome.error.code, code, outcome.error.message);
  if (pattern) assert.match(outcome.error.message, pattern);
  assertNoSecretIn(outcome.error.message);
  assertNoSecretIn(JSON.stringify(outcome.log.list()));
  return outcome as Outcome & { error: SicError };
}

/** Starts a server with this script, runs the body, stops the server, and checks nothing leaked. */
export async function scenario(script: Script, body: (server: AdversarialServer) => Promise<void>): Promise<void> {
  const baseline = activeResources();
  const server = await AdversarialServer.start(script);
  try {
    await body(server);
  } finally {
    await server.stop();
  }
  await assertNoLeaks(baseline, "the check");
}

/** The adversarial password, in clear or base64 at any alignment (computed without src/core). */
/**
 * Waits until the server has received what the client wrote: a check returns as soon as it has
 * its answer, without waiting for the server to close, so late writes may still be in flight.
 */
export async function receivedBy(read: () => string, pattern: RegExp, withinMs = 2_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  while (!pattern.test(read()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return read();
}

export function assertNoSecretIn(text: string, password = PASSWORD): void {
  const found = leakedSecret(text, password);
  assert.equal(found, null, `the password leaked (${found})`);
}

/**
 * Whether `secret` can be recovered from `text`: in clear, XML-escaped, or inside any run of
 * base64 characters decoded at every alignment. Independent of redact.ts's secretForms on purpose.
 */
export function leakedSecret(text: string, secret: string): string | null {
  if (text.includes(secret)) return "in clear";
  const xmlEscaped = secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (text.includes(xmlEscaped)) return "XML-escaped text";
  if (text.includes(xmlEscaped.replace(/"/g, "&quot;"))) return "XML-escaped attribute";
  if (text.includes(JSON.stringify(secret).slice(1, -1))) return "JSON-escaped";
  const bytes = Buffer.from(secret, "utf8");
  for (const run of text.match(/[A-Za-z0-9+/]{4,}/g) ?? []) {
    for (let offset = 0; offset < 4; offset++) {
      const slice = run.slice(offset);
      const decoded = Buffer.from(slice.slice(0, slice.length - (slice.length % 4)), "base64");
      if (decoded.includes(bytes)) return "base64";
    }
  }
  return null;
}
