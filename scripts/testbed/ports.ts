// Loopback TCP ports for test-bed servers: finding free ones, and waiting until a server listens.
// Every server listens on 127.0.0.1 and ::1 with the same port number, so a port only counts as
// free when both addresses can bind it.
import { connect, createServer } from "node:net";

export const LOOPBACK = ["127.0.0.1", "::1"] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bind(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** `count` distinct ports that were free on both loopback addresses a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt >= 50 * count) throw new Error("no free loopback TCP ports found");
    const port = await bind("127.0.0.1", 0);
    if (port === undefined || ports.includes(port)) continue;
    if ((await bind("::1", port)) === port) ports.push(port);
  }
  return ports;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

/**
 * Polls until every port accepts TCP connections on both loopback addresses. Throws when
 * `timeoutMs` passes or `gaveUp()` turns true (e.g. the server process died).
 */
export async function waitUntilListening(
  ports: number[],
  timeoutMs: number,
  gaveUp: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = ports.flatMap((port) => LOOPBACK.map((host) => ({ host, port })));
  while (pending.length > 0) {
    if (gaveUp()) throw new Error("server exited before it was listening");
    if (Date.now() >= deadline) {
      const list = pending.map(({ host, port }) => `[${host}]:${port}`).join(", ");
      throw new Error(`server not listening on ${list} after ${timeoutMs} ms`);
    }
    if (await accepts(pending[0].host, pending[0].port)) pending.shift();
    else await sleep(50);
  }
}
