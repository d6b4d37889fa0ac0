// The UDP socket STUN runs on, bound to a given local address so that what the server maps is the
// path of that address (the TCP connection's local address: the same interface and source).
import { createSocket, type Socket } from "node:dgram";
import { SicError } from "../errors";
import { parseIp } from "../ip";

export interface BoundSocket {
  socket: Socket;
  local: { ip: string; port: number };
  close(): void;
}

/** Binds a UDP socket to `localIp` (port 0 unless given); its family is the address's. */
export function openUdpSocket(localIp: string, port = 0): Promise<BoundSocket> {
  const parsed = parseIp(localIp);
  if (!parsed) return Promise.reject(new SicError("usage", `Not an IP address to bind the UDP socket to: ${localIp.slice(0, 64)}.`));
  const socket = createSocket({ type: parsed.family === "IPv4" ? "udp4" : "udp6" });
  return new Promise((resolve, reject) => {
    socket.once("error", (err) => {
      socket.close();
      reject(new SicError("connect", `Could not open a UDP socket on ${parsed.ip}: ${err.message}.`, { cause: err }));
    });
    socket.bind({ address: localIp, port, exclusive: true }, () => {
      socket.removeAllListeners("error");
      // A late ICMP error must not crash the process; each transaction learns of send errors itself.
      socket.on("error", () => {});
      const { address, port: bound } = socket.address();
      let closed = false;
      resolve({
        socket,
        local: { ip: parseIp(address)?.ip ?? address, port: bound },
        close: () => {
          if (!closed) socket.close();
          closed = true;
        },
      });
    });
  });
}
