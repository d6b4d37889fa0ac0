// Properties of the STUN codec (src/core/stun): anything encoded decodes to itself; arbitrary or
// mutated bytes either decode or fail with the typed SicError "bad-reply" — never anything else.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isSicError } from "../../src/core/errors";
import { Attr, Class, type MessageClass } from "../../src/core/stun/constants";
import { decodeMessage, encodeMessage, type StunMessage } from "../../src/core/stun/message";
import { buildMessage } from "../../src/core/stun/build";
import { readResponse } from "../../src/core/stun/response";
import { encodeXorAddress } from "../../src/core/stun/attributes/xorAddress";
import { encodeAddress } from "../../src/core/stun/attributes/address";
import { encodeErrorCode } from "../../src/core/stun/attributes/errorCode";
import { checkIntegrity } from "../../src/core/stun/attributes/integrity";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) };

const tid = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b));
const rawAttribute = fc.record({
  type: fc.integer({ min: 0, max: 0xffff }),
  value: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
});
const message: fc.Arbitrary<StunMessage> = fc.record({
  method: fc.integer({ min: 0, max: 0xfff }),
  cls: fc.constantFrom<MessageClass>(Class.Request, Class.Indication, Class.Success, Class.Error),
  transactionId: tid,
  attributes: fc.array(rawAttribute, { maxLength: 8 }),
});

function onlyTypedErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    assert.ok(isSicError(e) && e.code === "bad-reply", `unexpected ${String(e)}`);
  }
}

test("encode then decode gives back method, class, transaction id and every attribute", () => {
  fc.assert(
    fc.property(message, (m) => {
      const d = decodeMessage(encodeMessage(m));
      assert.equal(d.method, m.method);
      assert.equal(d.cls, m.cls);
      assert.ok(d.transactionId.equals(m.transactionId));
      assert.deepEqual(d.attributes.map(({ type, value }) => ({ type, value })), m.attributes.map(({ type, value }) => ({ type, value })));
    }),
    RUNS,
  );
});

test("arbitrary bytes never throw anything but the typed bad-reply error", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      onlyTypedErrors(() => readResponse(decodeMessage(bytes)));
    }),
    RUNS,
  );
});

const address = fc.oneof(fc.ipV4(), fc.ipV6()).chain((ip) => fc.record({ ip: fc.constant(ip), port: fc.integer({ min: 0, max: 65535 }) }));

test("mutated valid responses (bit flips, cuts, length edits) decode or fail typed", () => {
  const response = fc.tuple(tid, address, address, fc.boolean(), fc.integer({ min: 300, max: 699 })).map(([id, mapped, other, err, code]) =>
    buildMessage(
      1,
      id,
      [encodeXorAddress(Attr.XorMappedAddress, mapped, id), encodeAddress(Attr.OtherAddress, other), ...(err ? [encodeErrorCode({ code, reason: "x" })] : [])],
      { cls: err ? Class.Error : Class.Success, integrityKey: Buffer.from("k"), fingerprint: true },
    ),
  );
  const mutation = fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }), cut: fc.nat(), len: fc.integer({ min: 0, max: 0xffff }), kind: fc.nat(2) });
  fc.assert(
    fc.property(response, mutation, (bytes, m) => {
      const b = Buffer.from(bytes);
      if (m.kind === 0) b[m.at % b.length]! ^= 1 << m.bit;
      if (m.kind === 2) b.writeUInt16BE(m.len, 2 + 4 * (m.at % Math.max(1, (b.length - 20) / 4)));
      const input = m.kind === 1 ? b.subarray(0, m.cut % b.length) : b;
      onlyTypedErrors(() => {
        const decoded = decodeMessage(input);
        readResponse(decoded);
        checkIntegrity(decoded, Buffer.from("k"));
      });
    }),
    RUNS,
  );
});

test("XOR-MAPPED-ADDRESS and MAPPED-ADDRESS round-trip for every address and port", () => {
  fc.assert(
    fc.property(tid, address, fc.boolean(), (id, addr, xor) => {
      const attr = xor ? encodeXorAddress(Attr.XorMappedAddress, addr, id) : encodeAddress(Attr.MappedAddress, addr);
      const r = readResponse(decodeMessage(buildMessage(1, id, [attr], { cls: Class.Success })));
      assert.equal(r.mapped?.port, addr.port);
      assert.equal(r.mapped?.family, addr.ip.includes(":") ? "IPv6" : "IPv4");
      assert.equal(encodeAddress(1, r.mapped!).value.toString("hex"), encodeAddress(1, addr).value.toString("hex"));
    }),
    RUNS,
  );
});
