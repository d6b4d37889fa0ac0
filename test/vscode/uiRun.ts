// What every real-VS Code UI test starts from: the shared test-bed server (or the reason to skip),
// a scratch folder, a code-server not started yet (each test installs the .vsix and starts it with
// its own settings), and a fresh account's name and password. The test owns the cleanup.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { Page } from "playwright-core";
import { sharedServer } from "../../scripts/testbed/shared";
import type { ServerKind, XmppServer } from "../../scripts/testbed/types";
import { CodeServer } from "./codeServer";
import { distinctivePassword } from "./fixtures";
import { skipWithoutVscode } from "./harness";
import { answer, chooseFile, runCommand } from "./uiDriver";
import type { Answer } from "./workbench";

export interface UiRun {
  bed: XmppServer;
  scratch: string;
  server: CodeServer;
  user: string;
  password: string;
  jid: string;
}

export interface UiRunOptions {
  /** A reason to skip that depends on the server (e.g. no STUN listener), checked before anything is made. */
  unless?: (bed: XmppServer) => string | undefined;
  /** Default: distinctivePassword() (needs escaping in XML and JSON, and is not ASCII). */
  password?: string;
}

/** undefined: the test was skipped, with its reason. `name` prefixes the user and the scratch folder. */
export async function uiRun(t: TestContext, kind: ServerKind, name: string, options: UiRunOptions = {}): Promise<UiRun | undefined> {
  if (skipWithoutVscode(t)) return undefined;
  const bed = await sharedServer(kind);
  const reason = "skip" in bed ? bed.skip : options.unless?.(bed);
  if (reason !== undefined || "skip" in bed) {
    t.skip(reason);
    return undefined;
  }
  const user = `${name}${randomBytes(4).toString("hex")}`;
  return {
    bed,
    scratch: mkdtempSync(join(tmpdir(), `xmpp-sic-vscode-${name}-`)),
    server: new CodeServer(),
    user,
    password: options.password ?? distinctivePassword(randomBytes(12).toString("base64url")),
    jid: `${user}@${bed.domain}`,
  };
}

/**
 * Add Account's prompts answered for this run's account on the test bed (STARTTLS on 127.0.0.1,
 * trusting the bed's CA file), for answerAll(). Most specific first: the host prompt mentions the
 * JID, the port prompt TLS, the CA prompt certificates.
 */
export function starttlsAccountAnswers({ bed, password, jid }: UiRun): Answer[] {
  return [
    { asks: /\bCA\b|PEM|path/, value: bed.certs.caFile },
    { asks: /host/i, value: "127.0.0.1" },
    { asks: /port/i, value: String(bed.starttlsPort) },
    { asks: /password/i, value: password },
    { asks: /JID/i, value: jid },
    { asks: /secur|TLS/i, value: "STARTTLS", pick: true },
    { asks: /trust|certificate/i, value: "CA file", pick: true },
  ];
}

/** Add Account from the palette, one prompt at a time as a person types it; the CA file through the file dialog. */
export async function addStarttlsAccountByKeyboard(page: Page, { bed, password, jid }: UiRun): Promise<void> {
  await runCommand(page, "XMPP IP Check: Add Account");
  await answer(page, /JID/i, jid);
  await answer(page, /password/i, password);
  await answer(page, /host name/i, "127.0.0.1");
  await answer(page, /TCP port/i, String(bed.starttlsPort));
  await answer(page, /secur|TLS/i, "STARTTLS", true);
  await answer(page, /trust|certificate/i, "CA file", true);
  await chooseFile(page, /CA certificate/, bed.certs.caFile);
  await answer(page, /address families/i, "Automatic", true);
}
