// A STUN Binding (RFC 8489 §3): the address and port the server saw this UDP socket come from.
// With RFC 5780, optionally asks the server to answer from its other address and/or port.
import type { Socket } from "node:dgram";
import { SicError } from "../errors";
import { Attr, Class, Method } from "./constants";
import { encodeChangeRequest, type ChangeRequest } from "./attributes/changeRequest";
import type { TransportAddress } from "./attributes/address";
import { buildMessage } from "./build";
import { stunText } from "./reason";
import { describe, stunTransaction, type Endpoint, type TransactionOptions } from "./transaction";
import type { StunResponse } from "./response";

export interface BindingResult {
  server: Endpoint;
  mapped: TransportAddress;
  mappedFrom: "xor-mapped-address" | "mapped-address";
  /** RFC 5780: the server's other address (when it has one) and where this answer came from. */
  otherAddress?: TransportAddress;
  responseOrigin?: TransportAddress;
  software?: string;
  rttMs: number;
  sent: number;
}

export interface BindingOptions extends TransactionOptions {
  changeRequest?: ChangeRequest;
  fingerprint?: boolean;
}

export async function stunBinding(socket: Socket, server: Endpoint, options: BindingOptions): Promise<BindingResult> {
  const attributes = options.changeRequest ? [encodeChangeRequest(options.changeRequest)] : [];
  const { response, rttMs, sent } = await stunTransaction(
    socket,
    server,
    Method.Binding,
    (tid) => buildMessage(Method.Binding, tid, attributes, { fingerprint: options.fingerprint ?? true }),
    options,
  );
  if (response.cls === Class.Error) throw errorResponse(response, server);
  if (!response.mapped) throw new SicError("bad-reply", `The STUN server ${describe(server)} answered the Binding without a mapped address.`);
  return {
    server,
    mapped: response.mapped,
    mappedFrom: response.mappedFrom!,
    ...(response.otherAddress && { otherAddress: response.otherAddress }),
    ...(response.responseOrigin && { responseOrigin: response.responseOrigin }),
    ...(response.software !== undefined && { software: stunText(response.software) }),
    rttMs,
    sent,
  };
}

/** A STUN error response as a SicError: 420 names what the server did not understand. */
export function errorResponse(response: StunResponse, server: Endpoint): SicError {
  const { code, reason } = response.error!;
  const unknown =
    code === 420 && response.unknownAttributes?.length
      ? ` It does not understand: ${response.unknownAttributes.map(attributeName).join(", ")}.`
      : "";
  return new SicError("server-error", `The STUN server ${describe(server)} answered with error ${code} "${stunText(reason)}".${unknown}`);
}

const NAMES = new Map<number, string>(Object.entries(Attr).map(([name, type]) => [type, name]));

function attributeName(type: number): string {
  const name = NAMES.get(type);
  const hex = `0x${type.toString(16).padStart(4, "0")}`;
  return name ? `${name.replace(/([a-z])([A-Z0-9])/g, "$1-$2").toUpperCase()} (${hex})` : hex;
}
