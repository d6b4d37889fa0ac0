// A loopback TCP proxy in front of a real server, for fault tests: it forwards bytes both ways and
// can cut every connection (or refuse new ones) at the moment a test chooses.
import net from "node:net";

export type ProxyMode = "forward" | "cut-on-accept" | "silent";

export interface Proxy {
  port: number;
  /** forward (default); cut-on-accept: close each connection as soon as it is accepted; silent: accept, never answer. */
  mode: ProxyMode;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Bytes forwarded client → server and server → client, over all connections. */
  readonly bytes: { up: number; down: number };
  /** Destroys every open connection, both sides, at once. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }, listenHost = target.host): Promise<Proxy> {
  const open = new Set<net.Socket>();
  const bytes = { up: 0, down: 0 };
  let accepted = 0;
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => open.delete(socket));
  };
  const proxy: Proxy = {
    port: 0,
    mode: "forward",
    get accepted() {
      return accepted;
    },
    bytes,
    cutAll() {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        proxy.cutAll();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    accepted++;
    track(client);
    if (proxy.mode === "cut-on-accept") {
      client.destroy();
      return;
    }
    if (proxy.mode === "silent") return;
    const upstream = net.connect({ host: target.host, port: target.port });
    track(upstream);
    client.on("data", (d) => (bytes.up += d.length));
    upstream.on("data", (d) => (bytes.down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: listenHost, port: 0 }, () => resolve());
  });
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
