// RFC 8489 §14.8 ERROR-CODE: 21 reserved bits, the class (hundreds, 3–6), the number (0–99), then
// a UTF-8 reason phrase of at most 128 characters (763 bytes).
import { Attr } from "../constants";
import { malformed, type RawAttribute } from "../message";
import { decodeUtf8 } from "./text";

export interface StunErrorCode {
  code: number;
  reason: string;
}

export function encodeErrorCode({ code, reason }: StunErrorCode): RawAttribute {
  const text = Buffer.from(reason, "utf8");
  const value = Buffer.alloc(4 + text.length);
  value[2] = Math.floor(code / 100);
  value[3] = code % 100;
  text.copy(value, 4);
  return { type: Attr.ErrorCode, value };
}

export function decodeErrorCode(attr: RawAttribute): StunErrorCode {
  const v = attr.value;
  if (v.length < 4 || v.length > 4 + 763) throw malformed(`ERROR-CODE has ${v.length} bytes`);
  const cls = v[2]! & 0x07;
  const number = v[3]!;
  if (cls < 3 || cls > 6 || number > 99) throw malformed(`ERROR-CODE holds class ${cls} number ${number}, not a code from 300 to 699`);
  return { code: cls * 100 + number, reason: decodeUtf8(v.subarray(4), "ERROR-CODE reason") };
}
