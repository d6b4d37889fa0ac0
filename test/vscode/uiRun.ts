// What every real-VS Code UI test starts from: the shared test-bed server (or the reason to skip),
// a scratch folder, a code-server not started yet (each test installs the .vsix and starts it with
// its own settings), and a fresh account's name and password. The test owns the cleanup.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { sharedServer } from "../../scripts/testbed/shared";
import type { ServerKind, XmppServer } from "../../scripts/testbed/types";
import { CodeServer } from "./codeServer";
import { distinctivePassword } from "./fixtures";
import { skipWithoutVscode } from "./harness";

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
