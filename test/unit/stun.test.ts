// The STUN codec (src/core/stun) against the RFC 5769 sample messages, written here from the RFC's
// text, and the framing rules of RFC 8489 §5–6 and §14.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isSicError } from "../../src/core/errors";
import { Attr, Class, Method, messageType, methodOf, classOf } from "../../src/core/stun/constants";
import { decodeMessage, encodeMessage, findAttribute } from "../../src/core/stun/message";
import { buildMessage, newTransactionId } from "../../src/core/stun/build";
import { readResponse } from "../../src/core/stun/response";
import { DEFAULT_RETRANSMIT, retransmitSchedule } from "../../src/core/stun/transaction";
import { stunText } from "../../src/core/stun/reason";
import { crc32, crc32Table } from "../../src/core/stun/crc32";
import { checkIntegrity, longTermKey } from "../../src/core/stun/attributes/integrity";
import { checkFingerprint } from "../../src/core/stun/attributes/fingerprint";
import { decodeText, encodeText } from "../../src/core/stun/attributes/text";
import { encodeXorAddress, decodeXorAddress } from "../../src/core/stun/attributes/xorAddress";
import { decodeAddress, encodeAddress } from "../../src/core/stun/attributes/address";
import { decodeErrorCode, encodeErrorCode } from "../../src/core/stun/attributes/errorCode";
import { decodeUnknownAttributes, encodeUnknownAttributes } from "../../src/core/stun/attributes/unknownAttributes";
import { decodeChangeRequest, encodeChangeRequest } from "../../src/core/stun/attributes/changeRequest";
import { decodeLifetime, encodeLifetime } from "../../src/core/stun/attributes/lifetime";
import { decodeRequestedTransport, encodeRequestedTransport } from "../../src/core/stun/attributes/requestedTransport";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

// RFC 5769 §2.1: Binding request, short-term credential, password "VOkJxbRl1RmTxUk/WvJxBt".
const REQUEST = hex(`
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);
// §2.2: IPv4 response, mapped 192.0.2.1:32853.
const RESPONSE_V4 = hex(`
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);
// §2.3: IPv6 response, mapped [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const RESPONSE_V6 = hex(`
  01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c`);
// §2.4: Binding request with the long-term credential (no FINGERPRINT), NUL padding.
const USERNAME_LT = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
const REQUEST_LT = hex(`
  00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
  00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
  00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
  00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
  00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66`);
const SHORT_TERM = Buffer.from("VOkJxbRl1RmTxUk/WvJxBt", "utf8");

test("RFC 5769 §2.1: the sample request decodes, its HMAC and CRC check out, and a wrong key fails", () => {
  const m = decodeMessage(REQUEST);
  assert.equal(m.method, Method.Binding);
  assert.equal(m.cls, Class.Request);
  assert.equal(m.transactionId.toString("hex"), "b7e7a701bc34d686fa87dfae");
  assert.deepEqual(m.attributes.map((a) => a.type), [Attr.Software, 0x0024, 0x8029, Attr.Username, Attr.MessageIntegrity, Attr.Fingerprint]);
  assert.equal(decodeText(findAttribute(m, Attr.Software)!), "STUN test client");
  assert.equal(decodeText(findAttribute(m, Attr.Username)!), "evtj:h6vY");
  assert.equal(checkIntegrity(m, SHORT_TERM), true);
  assert.equal(checkIntegrity(m, Buffer.from("wrong")), false);
  assert.equal(checkFingerprint(m), true);
});

test("RFC 5769 §2.2 and §2.3: the sample responses give their mapped addresses", () => {
  const v4 = readResponse(decodeMessage(RESPONSE_V4));
  assert.deepEqual(v4.mapped, { ip: "192.0.2.1", port: 32853, family: "IPv4" });
  assert.equal(v4.mappedFrom, "xor-mapped-address");
  assert.equal(v4.software, "test vector");
  assert.equal(v4.fingerprint, true);
  assert.equal(checkIntegrity(decodeMessage(RESPONSE_V4), SHORT_TERM), true);
  const v6 = readResponse(decodeMessage(RESPONSE_V6));
  assert.deepEqual(v6.mapped, { ip: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853, family: "IPv6" });
  assert.equal(checkIntegrity(decodeMessage(RESPONSE_V6), SHORT_TERM), true);
});

test("RFC 5769 §2.4: the long-term request is rebuilt byte for byte with MD5(user:realm:pass)", () => {
  const key = longTermKey(USERNAME_LT, "example.org", "TheMatrIX");
  const m = decodeMessage(REQUEST_LT);
  assert.equal(checkIntegrity(m, key), true);
  assert.equal(checkFingerprint(m), null);
  const rebuilt = buildMessage(
    Method.Binding,
    hex("78ad3433c6ad72c029da412e"),
    [encodeText(Attr.Username, USERNAME_LT), encodeText(Attr.Nonce, "f//499k954d6OL34oL9FSTvy64sA"), encodeText(Attr.Realm, "example.org")],
    { integrityKey: key },
  );
  assert.equal(rebuilt.toString("hex"), REQUEST_LT.toString("hex"));
});

test("a built request with integrity and fingerprint decodes and verifies", () => {
  const tid = newTransactionId();
  const key = longTermKey("u", "r", "p");
  const bytes = buildMessage(Method.Allocate, tid, [encodeRequestedTransport()], { integrityKey: key, fingerprint: true });
  const m = decodeMessage(bytes);
  assert.equal(m.method, Method.Allocate);
  assert.ok(m.transactionId.equals(tid));
  assert.equal(checkIntegrity(m, key), true);
  assert.equal(checkFingerprint(m), true);
  bytes[bytes.length - 1]! ^= 1;
  assert.equal(checkFingerprint(decodeMessage(bytes)), false);
});

test("the type field interleaves method and class (RFC 8489 §5)", () => {
  assert.equal(messageType(Method.Binding, Class.Request), 0x0001);
  assert.equal(messageType(Method.Binding, Class.Success), 0x0101);
  assert.equal(messageType(Method.Binding, Class.Error), 0x0111);
  assert.equal(messageType(Method.Allocate, Class.Error), 0x0113);
  assert.equal(messageType(Method.Refresh, Class.Success), 0x0104);
  for (const t of [0x0001, 0x0111, 0x0113, 0x3eef]) assert.equal(messageType(methodOf(t), classOf(t)), t);
});

function refuses(bytes: Buffer, words: RegExp): void {
  assert.throws(() => decodeMessage(bytes), (e: unknown) => isSicError(e) && e.code === "bad-reply" && words.test(e.message));
}

test("the decoder refuses framing that does not add up", () => {
  refuses(RESPONSE_V4.subarray(0, 19), /shorter than the 20-byte header/);
  const cookie = Buffer.from(RESPONSE_V4);
  cookie[4] = 0;
  refuses(cookie, /magic cookie/);
  const topBits = Buffer.from(RESPONSE_V4);
  topBits[0] = 0x41;
  refuses(topBits, /first two bits/);
  const odd = Buffer.from(RESPONSE_V4);
  odd.writeUInt16BE(0x3d, 2);
  refuses(odd, /not a multiple of 4/);
  refuses(RESPONSE_V4.subarray(0, RESPONSE_V4.length - 4), /header says 60 bytes/);
  refuses(Buffer.concat([RESPONSE_V4, Buffer.alloc(4)]), /header says 60 bytes/);
  const overlong = Buffer.from(RESPONSE_V4);
  overlong.writeUInt16BE(0x00ff, 22); // SOFTWARE claims 255 bytes
  refuses(overlong, /claims 255 bytes, past the end/);
  refuses(hex("01010004 2112a442 000000000000000000000000 00200008"), /0x0020 at byte 20 claims 8 bytes, past the end/);
});

test("a wrong FINGERPRINT refuses the response; attributes after MESSAGE-INTEGRITY are ignored", () => {
  const bad = Buffer.from(RESPONSE_V4);
  bad[RESPONSE_V4.length - 1]! ^= 0xff;
  assert.throws(() => readResponse(decodeMessage(bad)), /FINGERPRINT does not match/);
  // A MAPPED-ADDRESS appended after MESSAGE-INTEGRITY does not count, even without XOR-MAPPED.
  const tid = newTransactionId();
  const bytes = buildMessage(Method.Binding, tid, [], { cls: Class.Success, integrityKey: Buffer.from("k") });
  const tail = encodeMessage({ method: 1, cls: Class.Success, transactionId: tid, attributes: [encodeAddress(Attr.MappedAddress, { ip: "192.0.2.9", port: 9 })] }).subarray(20);
  const joined = Buffer.concat([bytes, tail]);
  joined.writeUInt16BE(joined.length - 20, 2);
  assert.equal(readResponse(decodeMessage(joined)).mapped, undefined);
});

test("attribute codecs round-trip and check their own lengths", () => {
  const tid = newTransactionId();
  for (const addr of [{ ip: "203.0.113.7", port: 1 }, { ip: "2001:db8::42", port: 65535 }]) {
    const family = addr.ip.includes(":") ? "IPv6" : "IPv4";
    assert.deepEqual(decodeXorAddress(encodeXorAddress(Attr.XorMappedAddress, addr, tid), tid, "X"), { ...addr, family });
    assert.deepEqual(decodeAddress(encodeAddress(Attr.OtherAddress, addr), "O"), { ...addr, family });
  }
  assert.throws(() => decodeAddress({ type: 1, value: hex("0001 0000 c0000201 00") }, "MAPPED-ADDRESS"), /has 9 bytes, not 8/);
  assert.throws(() => decodeAddress({ type: 1, value: hex("0003 0000 c0000201") }, "MAPPED-ADDRESS"), /family 3/);
  assert.deepEqual(decodeErrorCode(encodeErrorCode({ code: 401, reason: "Unauthorized" })), { code: 401, reason: "Unauthorized" });
  assert.throws(() => decodeErrorCode({ type: Attr.ErrorCode, value: hex("00000763") }), /class 7 number 99/);
  assert.throws(() => decodeErrorCode({ type: Attr.ErrorCode, value: hex("000004ff") }), /number 255/);
  assert.deepEqual(decodeUnknownAttributes(encodeUnknownAttributes([3, 0x8000])), [3, 0x8000]);
  assert.throws(() => decodeUnknownAttributes({ type: Attr.UnknownAttributes, value: hex("000300") }), /odd length/);
  assert.deepEqual(decodeChangeRequest(encodeChangeRequest({ changeIp: true, changePort: false })), { changeIp: true, changePort: false });
  assert.equal(decodeLifetime(encodeLifetime(0)), 0);
  assert.equal(decodeRequestedTransport(encodeRequestedTransport()), 17);
  assert.throws(() => decodeText({ type: Attr.Realm, value: hex("ff fe") }), /REALM is not valid UTF-8/);
  assert.throws(() => decodeText({ type: Attr.Username, value: Buffer.alloc(513, 0x41) }), /513 bytes, more than 512/);
});

test("an error response without ERROR-CODE, or a request, is not a response", () => {
  const tid = newTransactionId();
  assert.throws(() => readResponse(decodeMessage(buildMessage(Method.Binding, tid, [], { cls: Class.Error }))), /no ERROR-CODE/);
  assert.throws(() => readResponse(decodeMessage(buildMessage(Method.Binding, tid, []))), /not a response/);
  const unknown = readResponse(decodeMessage(buildMessage(Method.Binding, tid, [{ type: 0x7777, value: Buffer.alloc(0) }], { cls: Class.Success })));
  assert.deepEqual(unknown.unknownRequired, [0x7777]);
});

test("retransmission follows RFC 8489 §6.2.1: RTO 500 ms doubling, 7 requests, then 16·RTO", () => {
  assert.deepEqual(retransmitSchedule(DEFAULT_RETRANSMIT), [0, 500, 1500, 3500, 7500, 15500, 31500, 39500]);
  assert.deepEqual(retransmitSchedule({ rtoMs: 100, rc: 2, rm: 4 }), [0, 100, 500]);
});

test("server text is shown without control characters, clipped, without coturn's trailing NUL", () => {
  assert.equal(stunText("Unauthorized\u0000"), "Unauthorized");
  assert.equal(stunText("a\u001b[31mb\u202e"), "a\\x1b[31mb\\u202e");
  assert.equal(stunText("x".repeat(200)).length, 120);
});

test("CRC-32 from the table (for Node 20 before 20.15) equals zlib's", () => {
  assert.equal(crc32Table(Buffer.from("123456789")), 0xcbf43926);
  assert.equal(crc32("123456789"), 0xcbf43926);
  for (const vector of [REQUEST, RESPONSE_V4, RESPONSE_V6, REQUEST_LT]) assert.equal(crc32Table(vector), crc32(vector));
});
