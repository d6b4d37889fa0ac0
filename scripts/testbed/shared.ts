// One test-bed server per kind for all test files. Under test/run.ts the runner has started them
// and describes them in the JSON file named by XMPP_SIC_TESTBED; a test file run on its own
// starts its own instances instead and stops them when the process ends.
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { attach, startEjabberd, startProsody, unavailable } from "./index";
import { randomAccounts } from "./users";
import type { OwnedXmppServer, ServerInfo, ServerKind, XmppServer } from "./types";

export const TESTBED_ENV = "XMPP_SIC_TESTBED";

export interface Skip {
  skip: string;
}

/** The JSON file the runner writes. */
export type TestbedDescription = Record<ServerKind, ServerInfo | Skip>;

/** The accounts every shared server has, with random passwords. */
export const SHARED_USERS = ["alice", "bob", "carol"];

export function startShared(kind: ServerKind): Promise<OwnedXmppServer> {
  const users = randomAccounts(...SHARED_USERS);
  return kind === "prosody" ? startProsody({ users }) : startEjabberd({ users });
}

let description: TestbedDescription | undefined;

function fromRunner(kind: ServerKind, file: string): XmppServer | Skip {
  description ??= JSON.parse(readFileSync(file, "utf8")) as TestbedDescription;
  const entry = description[kind];
  return "skip" in entry ? entry : attach(entry);
}

const starting = new Map<ServerKind, Promise<OwnedXmppServer>>();
const running: OwnedXmppServer[] = [];

async function stopOwnInstances(): Promise<void> {
  await Promise.allSettled(starting.values());
  await Promise.allSettled(running.splice(0).map((server) => server.stop()));
}

function stopOwnInstancesAtExit(): void {
  // Servers do not keep the event loop alive, so 'beforeExit' comes once the tests are done.
  process.once("beforeExit", stopOwnInstances);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stopOwnInstances().finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
  // Last resort when something calls process.exit() first.
  process.once("exit", () => running.forEach((server) => server.kill()));
}

export async function sharedServer(kind: ServerKind): Promise<XmppServer | Skip> {
  const file = process.env[TESTBED_ENV];
  if (file) return fromRunner(kind, file);

  const reason = unavailable(kind);
  if (reason) return { skip: reason };
  let instance = starting.get(kind);
  if (!instance) {
    if (starting.size === 0) stopOwnInstancesAtExit();
    instance = startShared(kind).then((server) => {
      running.push(server);
      return server;
    });
    starting.set(kind, instance);
  }
  return instance;
}
