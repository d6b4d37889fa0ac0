// A minimal XMPP client for tests that need one IQ answered by a real server before the core has
// a session layer to ask it with: direct TLS (XEP-0368), SASL PLAIN, bind, one IQ, close. Reads
// raw text and returns the answer's <iq> as text; test-only, no hardening.
import { readFileSync } from "node:fs";
import { connect, type TLSSocket } from "node:tls";

const OPEN = (domain: string) =>
  `<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;

function reader(socket: TLSSocket) {
  let buffer = "";
  socket.on("data", (chunk: Buffer) => (buffer += chunk.toString("utf8")));
  return (pattern: RegExp, timeoutMs = 5000): Promise<string> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        const m = pattern.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return resolve(m[0]);
        }
        if (Date.now() - started > timeoutMs) return reject(new Error(`no ${pattern} within ${timeoutMs} ms; have: ${buffer.slice(0, 500)}`));
        setTimeout(poll, 10);
      };
      poll();
    });
}

export interface RawServer {
  domain: string;
  directTlsPort: number;
  certs: { caFile: string };
}

/** Logs in as `user` and returns the server's reply to `iq` (which must carry id='q1'). */
export async function askOneIq(server: RawServer, user: string, password: string, iq: string): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port: server.directTlsPort, ca: readFileSync(server.certs.caFile), servername: server.domain });
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  const read = reader(socket);
  try {
    socket.write(OPEN(server.domain));
    await read(/<\/stream:features>/);
    const plain = Buffer.from(`\0${user}\0${password}`).toString("base64");
    socket.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plain}</auth>`);
    await read(/<success[^>]*(\/>|<\/success>)/);
    socket.write(OPEN(server.domain));
    await read(/<\/stream:features>/);
    socket.write(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`);
    await read(/<iq[^>]*id=['"]b1['"][\s\S]*?<\/iq>/);
    socket.write(iq);
    return await read(/<iq[^>]*id=['"]q1['"][^>]*(\/>|>[\s\S]*?<\/iq>)/);
  } finally {
    socket.end("</stream:stream>");
    socket.destroy();
  }
}
