// The test bed itself: each server offers required STARTTLS on its c2s port and direct TLS with
// the test-bed certificate on its XEP-0368 port, on both loopback addresses.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { LOOPBACK, type ServerKind } from "../../scripts/testbed/index";
import { sharedServer } from "../../scripts/testbed/shared";

const STREAM_OPEN =
  "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
const FEATURES_END = /<\/stream:features>/;
const READ_TIMEOUT_MS = 5_000;
// Generous: run alone (without test/run.ts), the first test also starts the server.
const TEST_TIMEOUT_MS = 60_000;

/** Everything the socket sends until `pattern` matches what has arrived so far. */
function readUntil(socket: Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.off("data", onData).off("error", finish).off("close", onClose);
      if (error) reject(error);
      else resolve(received);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.toString("utf8");
      if (pattern.test(received)) finish();
    };
    const onClose = () => finish(new Error(`connection closed; received: ${received}`));
    const timer = setTimeout(
      () => finish(new Error(`no ${pattern} within ${READ_TIMEOUT_MS} ms; received: ${received}`)),
      READ_TIMEOUT_MS,
    );
    socket.on("data", onData).on("error", finish).on("close", onClose);
  });
}

function tlsHandshake(host: string, port: number, caFile: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host, port, ca: readFileSync(caFile), servername: "localhost" });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TLS handshake within ${READ_TIMEOUT_MS} ms`));
    }, READ_TIMEOUT_MS);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

for (const kind of ["prosody", "ejabberd"] as ServerKind[]) {
  for (const host of LOOPBACK) {
    test(`${kind} requires STARTTLS on [${host}]`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const server = await sharedServer(kind);
      if ("skip" in server) return t.skip(server.skip);
      const socket = connect({ host, port: server.starttlsPort });
      try {
        socket.write(STREAM_OPEN);
        const features = await readUntil(socket, FEATURES_END);
        assert.match(features, /<starttls xmlns=['"]urn:ietf:params:xml:ns:xmpp-tls['"]>\s*<required\s*\/>/);
        assert.doesNotMatch(features, /<mechanisms/, "no SASL before TLS");
      } finally {
        socket.destroy();
      }
    });

    test(`${kind} speaks direct TLS on [${host}]`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const server = await sharedServer(kind);
      if ("skip" in server) return t.skip(server.skip);
      const socket = await tlsHandshake(host, server.directTlsPort, server.certs.caFile);
      try {
        assert.equal(socket.authorized, true);
        assert.equal(socket.getPeerX509Certificate()?.fingerprint256, server.certs.fingerprint);
        socket.write(STREAM_OPEN);
        const features = await readUntil(socket, FEATURES_END);
        assert.match(features, /<mechanisms xmlns=['"]urn:ietf:params:xml:ns:xmpp-sasl['"]>/);
      } finally {
        socket.destroy();
      }
    });
  }

  test(`${kind} certificate is not trusted via the unrelated CA`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const server = await sharedServer(kind);
    if ("skip" in server) return t.skip(server.skip);
    await assert.rejects(tlsHandshake("127.0.0.1", server.directTlsPort, server.certs.otherCaFile), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });
}
