// TURN Allocate (RFC 8656 §7) with the long-term credential (RFC 8489 §9.2): a first request
// without credentials draws 401 with REALM and NONCE; the second carries USERNAME, REALM, NONCE and
// MESSAGE-INTEGRITY keyed with MD5(username:realm:password). 438 Stale Nonce is retried once with
// the new nonce. release() refreshes with LIFETIME 0 so nothing stays allocated. The credentials
// live in this closure only: no message, error or result carries them.
import type { Socket } from "node:dgram";
import { SicError } from "../errors";
import { Attr, Class, Method } from "./constants";
import type { TransportAddress } from "./attributes/address";
import { longTermKey } from "./attributes/integrity";
import { encodeLifetime } from "./attributes/lifetime";
import { encodeRequestedTransport } from "./attributes/requestedTransport";
import { encodeText } from "./attributes/text";
import { buildMessage } from "./build";
import type { RawAttribute } from "./message";
import type { StunResponse } from "./response";
import { errorResponse } from "./binding";
import { stunText } from "./reason";
import { describe, stunTransaction, type Endpoint, type TransactionOptions } from "./transaction";

export interface TurnCredentials {
  username: string;
  password: string;
}

export interface Allocation {
  server: Endpoint;
  relayed: TransportAddress;
  mapped?: TransportAddress;
  lifetime: number;
  rttMs: number;
  /** Deletes the allocation (Refresh, LIFETIME 0). Never throws: the allocation expires anyway. */
  release(options: TransactionOptions): Promise<{ ok: true } | { ok: false; error: SicError }>;
}

interface Auth {
  realm: string;
  nonce: string;
  key: Buffer;
}

export async function turnAllocate(
  socket: Socket,
  server: Endpoint,
  credentials: TurnCredentials,
  options: TransactionOptions,
): Promise<Allocation> {
  // RFC 8489 §14.3; said without the username itself, which is a credential.
  if (Buffer.byteLength(credentials.username, "utf8") > 512) {
    throw new SicError("bad-reply", "The TURN username the XMPP server gave is longer than the 512 bytes STUN allows.");
  }
  const request = (method: number, attrs: RawAttribute[], auth: Auth | null, opts: TransactionOptions = options) =>
    stunTransaction(socket, server, method, (tid) => buildMessage(method, tid, [...attrs, ...authAttributes(credentials, auth)], authOptions(auth)), {
      ...opts,
      ...(auth && { integrityKey: auth.key }),
    });

  let first = await request(Method.Allocate, [encodeRequestedTransport()], null);
  let auth: Auth | null = null;
  for (let attempt = 0; first.response.cls === Class.Error && attempt < 2; attempt++) {
    const code = first.response.error!.code;
    if ((code !== 401 && code !== 438) || (code === 401 && auth !== null)) break;
    auth = challenge(first.response, credentials, server);
    first = await request(Method.Allocate, [encodeRequestedTransport()], auth);
  }
  const { response, rttMs } = first;
  if (response.cls === Class.Error) throw allocateError(response, server, auth !== null);
  if (!response.relayed) throw new SicError("bad-reply", `The TURN server ${describe(server)} allocated without saying the relayed address.`);

  return {
    server,
    relayed: response.relayed,
    ...(response.mapped && { mapped: response.mapped }),
    lifetime: response.lifetime ?? 0,
    rttMs,
    release: async (releaseOptions) => {
      try {
        let refresh = await request(Method.Refresh, [encodeLifetime(0)], auth, releaseOptions);
        if (refresh.response.cls === Class.Error && refresh.response.error!.code === 438) {
          auth = challenge(refresh.response, credentials, server);
          refresh = await request(Method.Refresh, [encodeLifetime(0)], auth, releaseOptions);
        }
        if (refresh.response.cls === Class.Error) return { ok: false, error: errorResponse(refresh.response, server) };
        return { ok: true };
      } catch (e) {
        return { ok: false, error: e instanceof SicError ? e : new SicError("bad-reply", "The TURN refresh failed.") };
      }
    },
  };
}

function authAttributes(credentials: TurnCredentials, auth: Auth | null): RawAttribute[] {
  if (!auth) return [];
  return [encodeText(Attr.Username, credentials.username), encodeText(Attr.Realm, auth.realm), encodeText(Attr.Nonce, auth.nonce)];
}

function authOptions(auth: Auth | null) {
  return auth ? { integrityKey: auth.key, fingerprint: true } : { fingerprint: true };
}

function challenge(response: StunResponse, credentials: TurnCredentials, server: Endpoint): Auth {
  if (response.realm === undefined || response.nonce === undefined) {
    throw new SicError("bad-reply", `The TURN server ${describe(server)} asked for credentials without a REALM and NONCE.`);
  }
  return { realm: response.realm, nonce: response.nonce, key: longTermKey(credentials.username, response.realm, credentials.password) };
}

function allocateError(response: StunResponse, server: Endpoint, authenticated: boolean): SicError {
  const code = response.error!.code;
  if (code === 401 && authenticated) {
    return new SicError("auth", `The TURN server ${describe(server)} refused the credentials the XMPP server gave (401); they may have expired.`);
  }
  if (code === 441 || code === 403) {
    return new SicError("forbidden", `The TURN server ${describe(server)} refused the allocation (${code} "${stunText(response.error!.reason)}").`);
  }
  return errorResponse(response, server);
}
