// A STUN server that misbehaves on purpose, for the STUN client's hardening tests: a real UDP
// socket on 127.0.0.1 whose answer to each request is chosen by the scenario, plus a second
// socket on another port to answer "from somewhere else". Built on the client's own codec only
// for well-formed parts; each scenario breaks exactly what it tests.
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { Attr, Class } from "../../src/core/stun/constants";
import { decodeMessage, type RawAttribute } from "../../src/core/stun/message";
import { buildMessage, type BuildOptions } from "../../src/core/stun/build";
import { encodeXorAddress } from "../../src/core/stun/attributes/xorAddress";

export interface Request {
  bytes: Buffer;
  method: number;
  transactionId: Buffer;
  from: RemoteInfo;
}

export interface Reply {
  /** Sends bytes to the client from the server's own socket, or from the other one. */
  send(bytes: Buffer, via?: "server" | "other"): void;
}

export interface StunScenarioServer {
  port: number;
  otherPort: number;
  requests: Request[];
  close(): void;
}

function bindLoopback(): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => socket.bind({ address: "127.0.0.1", port: 0 }, () => resolve(socket)));
}

export async function startStunScenario(onRequest: (request: Request, reply: Reply) => void): Promise<StunScenarioServer> {
  const server = await bindLoopback();
  const other = await bindLoopback();
  const requests: Request[] = [];
  server.on("message", (bytes, from) => {
    const message = decodeMessage(bytes);
    const request = { bytes, method: message.method, transactionId: message.transactionId, from };
    requests.push(request);
    onRequest(request, { send: (out, via = "server") => (via === "server" ? server : other).send(out, from.port, from.address) });
  });
  return {
    port: server.address().port,
    otherPort: other.address().port,
    requests,
    close() {
      server.close();
      other.close();
    },
  };
}

/** A well-formed success answer mapping the client to `mapped` (default: where it came from). */
export function success(request: Request, extra: RawAttribute[] = [], options: BuildOptions = {}, mapped?: { ip: string; port: number }): Buffer {
  const at = mapped ?? { ip: request.from.address, port: request.from.port };
  return buildMessage(request.method, request.transactionId, [encodeXorAddress(Attr.XorMappedAddress, at, request.transactionId), ...extra], {
    cls: Class.Success,
    ...options,
  });
}
