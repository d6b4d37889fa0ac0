// The STUN/TURN client against a STUN server that misbehaves on purpose (stunServer.ts): answers
// with the wrong transaction id or cookie, broken framing, a forged sender, a bad FINGERPRINT or
// MESSAGE-INTEGRITY, hostile text, or silence. Each must end in the right typed error, or be
// ignored in favour of the real answer, within the caller's deadline.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { isSicError, type ErrorCode } from "../../src/core/errors";
import { Attr, Class } from "../../src/core/stun/constants";
import { buildMessage } from "../../src/core/stun/build";
import { encodeErrorCode } from "../../src/core/stun/attributes/errorCode";
import { encodeText } from "../../src/core/stun/attributes/text";
import { encodeXorAddress } from "../../src/core/stun/attributes/xorAddress";
import { stunBinding } from "../../src/core/stun/binding";
import { openUdpSocket, type BoundSocket } from "../../src/core/stun/socket";
import { turnAllocate } from "../../src/core/stun/turn";
import { startStunScenario, success, type Reply, type Request, type StunScenarioServer } from "./stunServer";

let server: StunScenarioServer | undefined;
let client: BoundSocket | undefined;
afterEach(() => {
  server?.close();
  client?.close();
  server = client = undefined;
});

async function bindingWith(onRequest: (req: Request, reply: Reply) => void, deadlineMs = 1200, extra: { signal?: AbortSignal } = {}) {
  server = await startStunScenario(onRequest);
  client = await openUdpSocket("127.0.0.1");
  const started = Date.now();
  const run = stunBinding(client.socket, { ip: "127.0.0.1", port: server.port }, { deadline: started + deadlineMs, retransmit: { rtoMs: 100 }, ...extra });
  return { run, started };
}

function failsWith(code: ErrorCode, words: RegExp) {
  return (e: unknown) => {
    assert.ok(isSicError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, words);
    return true;
  };
}

test("an answer with another transaction id is ignored: timeout, and the ignored datagrams are counted", async () => {
  const { run } = await bindingWith((req, reply) => {
    const wrong = Buffer.from(req.transactionId);
    wrong[0]! ^= 0xff;
    reply.send(success({ ...req, transactionId: wrong }));
  }, 500);
  await assert.rejects(run, failsWith("timeout", /No answer .* within \d+ ms.*unrelated datagrams? ignored/));
});

test("an answer with a wrong magic cookie is not STUN and is ignored", async () => {
  const { run } = await bindingWith((req, reply) => {
    const bytes = success(req);
    bytes.writeUInt32BE(0x2112a443, 4);
    reply.send(bytes);
  }, 500);
  await assert.rejects(run, failsWith("timeout", /ignored/));
});

test("truncated attributes with our transaction id end in bad-reply, not a guess", async () => {
  const { run } = await bindingWith((req, reply) => {
    const bytes = success(req);
    bytes.writeUInt16BE(0x0010, 22); // XOR-MAPPED-ADDRESS claims 16 bytes; the message holds 8
    reply.send(bytes);
  }, 500);
  await assert.rejects(run, failsWith("bad-reply", /claims 16 bytes, past the end/));
});

test("a forged answer from another port is ignored and the server's own answer wins", async () => {
  const { run } = await bindingWith((req, reply) => {
    reply.send(success(req, [], {}, { ip: "198.51.100.66", port: 6666 }), "other");
    setTimeout(() => reply.send(success(req)), 30);
  });
  const r = await run;
  assert.deepEqual({ ip: r.mapped.ip, port: r.mapped.port }, client!.local);
});

test("only forged answers from elsewhere: timeout within the deadline", async () => {
  const { run, started } = await bindingWith((req, reply) => reply.send(success(req), "other"), 600);
  await assert.rejects(run, failsWith("timeout", /ignored/));
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
});

test("silence: retransmissions of the same request, then a timeout within the deadline", async () => {
  const { run, started } = await bindingWith(() => {}, 800);
  await assert.rejects(run, failsWith("timeout", /within \d+ ms, after \d+ requests/));
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 780 && elapsed < 1600, `took ${elapsed} ms`);
  // RTO 100 ms: sends at 0, 100, 300, 700 ms.
  assert.ok(server!.requests.length >= 3 && server!.requests.length <= 4, `${server!.requests.length} requests`);
  assert.ok(server!.requests.every((r) => r.bytes.equals(server!.requests[0]!.bytes)), "retransmissions are the same request");
});

test("a wrong FINGERPRINT, or an unknown must-understand attribute, is a bad reply", async () => {
  const bad = await bindingWith((req, reply) => {
    const bytes = success(req, [], { fingerprint: true });
    bytes[bytes.length - 1]! ^= 1;
    reply.send(bytes);
  }, 400);
  await assert.rejects(bad.run, failsWith("bad-reply", /FINGERPRINT does not match/));
  server!.close();
  client!.close();
  const unknown = await bindingWith((req, reply) => reply.send(success(req, [{ type: 0x7001, value: Buffer.alloc(4) }])), 400);
  await assert.rejects(unknown.run, failsWith("bad-reply", /must be understood.*0x7001/));
});

test("an error answer's hostile reason text is neutralised and clipped", async () => {
  const { run } = await bindingWith((req, reply) =>
    reply.send(buildMessage(req.method, req.transactionId, [encodeErrorCode({ code: 500, reason: "\u001b[2J\u202eboom" + "x".repeat(700) })], { cls: Class.Error })),
  );
  await assert.rejects(run, (e: unknown) => {
    assert.ok(isSicError(e) && e.code === "server-error");
    assert.match(e.message, /error 500 "\\x1b\[2J\\u202eboomx+…"/);
    assert.ok(e.message.length < 300 && !/[\u0000-\u001f\u202e]/.test(e.message));
    return true;
  });
});

test("cancelling ends the transaction at once", async () => {
  const controller = new AbortController();
  const { run, started } = await bindingWith(() => {}, 5000, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(run, failsWith("cancelled", /cancelled/));
  assert.ok(Date.now() - started < 1000);
});

test("TURN: a 401 without REALM and NONCE is a bad reply; a forged MESSAGE-INTEGRITY is never accepted", async () => {
  server = await startStunScenario((req, reply) =>
    reply.send(buildMessage(req.method, req.transactionId, [encodeErrorCode({ code: 401, reason: "Unauthorized" })], { cls: Class.Error })),
  );
  client = await openUdpSocket("127.0.0.1");
  const creds = { username: "u", password: "secret-turn-password" };
  await assert.rejects(turnAllocate(client.socket, { ip: "127.0.0.1", port: server.port }, creds, { deadline: Date.now() + 500 }), failsWith("bad-reply", /REALM and NONCE/));
  server.close();
  // The challenge is right, but the "success" is keyed with another password: discarded.
  server = await startStunScenario((req, reply) => {
    const authed = req.bytes.includes(Buffer.from("nonce-1"));
    if (!authed) {
      return reply.send(
        buildMessage(req.method, req.transactionId, [encodeErrorCode({ code: 401, reason: "Unauthorized" }), encodeText(Attr.Realm, "r"), encodeText(Attr.Nonce, "nonce-1")], { cls: Class.Error }),
      );
    }
    reply.send(
      buildMessage(req.method, req.transactionId, [encodeXorAddress(Attr.XorRelayedAddress, { ip: "198.51.100.1", port: 9 }, req.transactionId)], {
        cls: Class.Success,
        integrityKey: Buffer.from("not the key"),
      }),
    );
  });
  await assert.rejects(turnAllocate(client.socket, { ip: "127.0.0.1", port: server.port }, creds, { deadline: Date.now() + 500, retransmit: { rtoMs: 100 } }), (e: unknown) => {
    assert.ok(isSicError(e) && e.code === "bad-reply" && /MESSAGE-INTEGRITY/.test(e.message), String(e));
    assert.ok(!e.message.includes(creds.password));
    return true;
  });
});

test("TURN: an over-long username from the XMPP server is refused before anything is sent, without echoing it", async () => {
  server = await startStunScenario(() => {});
  client = await openUdpSocket("127.0.0.1");
  const username = "é".repeat(300); // 300 characters, 600 bytes
  await assert.rejects(turnAllocate(client.socket, { ip: "127.0.0.1", port: server.port }, { username, password: "p" }, { deadline: Date.now() + 500 }), (e: unknown) => {
    assert.ok(isSicError(e) && e.code === "bad-reply" && /longer than the 512 bytes/.test(e.message));
    assert.ok(!e.message.includes("éé"));
    return true;
  });
  assert.equal(server.requests.length, 0);
});
