// Servers the Node side of the VS Code tests runs for the failure, cancellation and kept-session
// tests: a port that accepts and never speaks, the adversarial server (test/adversarial/server.ts)
// answering with malformed XML or a stream error, and a small HTTP endpoint through which the suite
// inside the extension host (another process) reads what these servers saw.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import net from "node:net";
import { NS_SIC_1, type Conn, type Query, type Script } from "../adversarial/server";
import { AdversarialServer } from "../adversarial/server";

export interface ConnectionCounts {
  /** TCP connections the server accepted. */
  accepted: number;
  /** Of those, the ones not yet closed (by either side). */
  open: number;
}

/** Accepts TCP connections on loopback and never sends a byte; counts them and sees them close. */
export class SilentServer {
  private readonly sockets = new Set<net.Socket>();
  private acceptedCount = 0;
  private readonly closeWaiters: (() => void)[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {
    server.on("connection", (socket) => {
      this.acceptedCount++;
      this.sockets.add(socket);
      socket.on("error", () => {});
      // Reads (and drops) what the client sends: a paused socket would never see the client's FIN.
      socket.resume();
      socket.once("close", () => {
        this.sockets.delete(socket);
        this.closeWaiters.splice(0).forEach((wake) => wake());
      });
    });
  }

  static async start(): Promise<SilentServer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
    });
    return new SilentServer(server, (server.address() as net.AddressInfo).port);
  }

  counts(): ConnectionCounts {
    return { accepted: this.acceptedCount, open: this.sockets.size };
  }

  /** Resolves once `condition()` holds (checked now and after each close/accept), or rejects after `ms`. */
  async until(condition: (c: ConnectionCounts) => boolean, ms: number, what: string): Promise<ConnectionCounts> {
    const deadline = Date.now() + ms;
    while (!condition(this.counts())) {
      if (Date.now() > deadline) throw new Error(`the silent server: timed out waiting for ${what} (now ${JSON.stringify(this.counts())})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.closeWaiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return this.counts();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The adversarial server answering the XEP-0279 query with a mismatched end tag (bad-reply). */
export function malformedReplyScript(users: Record<string, string>): Script {
  return {
    users,
    onQuery: async (c: Conn, q: Query) => {
      await c.send(`<iq type='result' id='${q.id}'><address xmlns='${NS_SIC_1}'><ip>127.0.0.1</port></address></iq>`);
      return true;
    },
  };
}

/** The adversarial server answering the XEP-0279 query with a stream error (stream-error). */
export function streamErrorScript(users: Record<string, string>): Script {
  return {
    users,
    onQuery: async (c: Conn) => {
      await c.streamError("resource-constraint");
      return true;
    },
  };
}

export function adversarialCounts(server: AdversarialServer): ConnectionCounts {
  return { accepted: server.connections.length, open: server.connections.filter((c) => !c.closed).length };
}

/** GET / answers `state()` as JSON, on 127.0.0.1; for the suite in the extension host. */
export async function startProbe(state: () => unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server: HttpServer = createHttpServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify(state()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A password that needs escaping in XML and JSON and is not ASCII, unique per call. */
export function distinctivePassword(random: string): string {
  return `pw-"&<é>ü-🔑-${random}`;
}
