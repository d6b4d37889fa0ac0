// Test helpers over the test bed: get a shared server or skip with the reason it is missing.
import type { TestContext } from "node:test";
import { sharedServer } from "../../scripts/testbed/shared";
import type { ServerKind, XmppServer } from "../../scripts/testbed/types";

export const KINDS: ServerKind[] = ["prosody", "ejabberd"];
export const HOSTS = ["127.0.0.1", "::1"] as const;

/** The shared server of this kind, or undefined after marking the test skipped with the reason. */
export async function serverOrSkip(t: TestContext, kind: ServerKind): Promise<XmppServer | undefined> {
  const server = await sharedServer(kind);
  if ("skip" in server) {
    t.skip(server.skip);
    return undefined;
  }
  return server;
}

/**
 * How many SASL <auth> elements the server has logged so far. Both test-bed servers log at debug
 * level; comparing the count before and after a check proves the server never received credentials.
 * ejabberd writes its log up to ~0.4 s late (measured), so for it the count is read until it has
 * held still for 0.6 s: otherwise a login from an earlier test could land between the two counts.
 */
export async function authAttempts(server: XmppServer): Promise<number> {
  const pattern = server.kind === "prosody" ? /Received\[c2s_unauthed\]: <auth\b/g : /<auth\b[^>]*xmpp-sasl/g;
  const count = () => server.logText().match(pattern)?.length ?? 0;
  let last = count();
  if (server.kind === "prosody") return last;
  for (let stable = 0, i = 0; stable < 6 && i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = count();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

export function account(server: XmppServer, user = "alice") {
  const found = server.users.find((u) => u.user === user);
  if (!found) throw new Error(`test bed has no user ${user}`);
  return { jid: `${found.user}@${server.domain}`, password: found.password };
}
