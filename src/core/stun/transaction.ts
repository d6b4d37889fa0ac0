// One STUN client transaction over UDP (RFC 8489 §6.2.1): send, retransmit after RTO, 3·RTO,
// 7·RTO … (Rc = 7 sends), then wait Rm·RTO for the last one; all bounded by the caller's deadline
// and AbortSignal. Only a datagram from the very address asked, with our transaction id, the
// cookie, sound framing and the request's method is taken as the answer; anything else is counted
// and ignored, as a hostile or confused sender must not be able to answer for the server.
import type { Socket } from "node:dgram";
import { SicError } from "../errors";
import { normaliseIp } from "../ip";
import { Class } from "./constants";
import { decodeMessage, looksLikeStun } from "./message";
import { readResponse, type StunResponse } from "./response";
import { newTransactionId } from "./build";
import { checkIntegrity } from "./attributes/integrity";

export interface Endpoint {
  ip: string;
  port: number;
}

export interface RetransmitPolicy {
  /** Initial retransmission timeout, ms (§6.2.1: 500 ms recommended). */
  rtoMs: number;
  /** Total requests sent (Rc). */
  rc: number;
  /** Multiple of RTO to wait after the last request (Rm). */
  rm: number;
}

export const DEFAULT_RETRANSMIT: RetransmitPolicy = { rtoMs: 500, rc: 7, rm: 16 };

export interface TransactionOptions {
  /** Epoch ms by which the whole transaction must end. */
  deadline: number;
  signal?: AbortSignal;
  retransmit?: Partial<RetransmitPolicy>;
  /** The request carries MESSAGE-INTEGRITY with this key: an answer whose MESSAGE-INTEGRITY does
   * not verify is discarded (RFC 8489 §9.2.5). */
  integrityKey?: Buffer;
}

/** What was thrown away while waiting: a hint when the wait ends in a timeout. */
export interface Ignored {
  otherSender: number;
  otherTransaction: number;
  notStun: number;
  malformed: number;
}

export interface TransactionResult {
  response: StunResponse;
  /** From the first send to the answer, ms (spans retransmissions). */
  rttMs: number;
  /** How many requests left before the answer came. */
  sent: number;
  ignored: Ignored;
}

/** When each request leaves, ms after the first, and when waiting ends (the last entry). */
export function retransmitSchedule(policy: RetransmitPolicy): number[] {
  const times: number[] = [];
  let at = 0;
  let rto = policy.rtoMs;
  for (let i = 0; i < policy.rc; i++) {
    times.push(at);
    if (i < policy.rc - 1) {
      at += rto;
      rto *= 2;
    }
  }
  times.push(at + policy.rm * policy.rtoMs);
  return times;
}

/**
 * Sends the request `build(transactionId)` from `socket` to `server` and resolves with the
 * validated answer (success or error response). Rejects with SicError: timeout (no valid answer),
 * bad-reply (only malformed answers with our transaction id came), connect (send failed), cancelled.
 */
export function stunTransaction(
  socket: Socket,
  server: Endpoint,
  method: number,
  build: (transactionId: Buffer) => Buffer,
  options: TransactionOptions,
): Promise<TransactionResult> {
  const policy = { ...DEFAULT_RETRANSMIT, ...options.retransmit };
  const tid = newTransactionId();
  const request = build(tid);
  const serverIp = normaliseIp(server.ip);
  const ignored: Ignored = { otherSender: 0, otherTransaction: 0, notStun: 0, malformed: 0 };
  let lastMalformed: SicError | undefined;
  let sent = 0;
  const started = performance.now();

  return new Promise<TransactionResult>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (error: SicError | null, result?: TransactionResult) => {
      timers.forEach(clearTimeout);
      socket.off("message", onMessage);
      options.signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(result!);
    };
    const onAbort = () => finish(new SicError("cancelled", "The STUN request was cancelled."));
    const onMessage = (msg: Buffer, from: { address: string; port: number }) => {
      if (normaliseIp(from.address) !== serverIp || from.port !== server.port) return void ignored.otherSender++;
      if (!looksLikeStun(msg)) return void ignored.notStun++;
      if (!msg.subarray(8, 20).equals(tid)) return void ignored.otherTransaction++;
      try {
        finish(null, { response: acceptAnswer(msg, method, options.integrityKey), rttMs: performance.now() - started, sent, ignored });
      } catch (e) {
        ignored.malformed++;
        lastMalformed = e instanceof SicError ? e : new SicError("bad-reply", "The STUN server's answer is malformed.");
      }
    };
    const send = () => {
      sent++;
      socket.send(request, server.port, server.ip, (err) => {
        if (err) finish(new SicError("connect", `Could not send to the STUN server ${describe(server)}: ${err.message}.`, { cause: err }));
      });
    };
    const giveUp = (afterMs: number) => {
      if (lastMalformed) return finish(lastMalformed);
      const more = ignored.otherSender + ignored.otherTransaction + ignored.notStun;
      const note = more > 0 ? ` (${more} unrelated datagram${more === 1 ? "" : "s"} ignored)` : "";
      finish(new SicError("timeout", `No answer from the STUN server ${describe(server)} within ${Math.round(afterMs)} ms, after ${sent} request${sent === 1 ? "" : "s"}${note}.`));
    };

    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    socket.on("message", onMessage);
    const budget = options.deadline - Date.now();
    if (budget <= 0) return giveUp(0);
    const schedule = retransmitSchedule(policy);
    const end = schedule.pop()!;
    for (const at of schedule) if (at === 0) send();
    else if (at < budget) timers.push(setTimeout(send, at));
    timers.push(setTimeout(() => giveUp(Math.min(end, budget)), Math.min(end, budget)));
  });
}

/** An answer with our transaction id, from the server asked: what it says, or why it is refused. */
function acceptAnswer(msg: Buffer, method: number, integrityKey: Buffer | undefined): StunResponse {
  const message = decodeMessage(msg);
  const response = readResponse(message);
  if (integrityKey && checkIntegrity(message, integrityKey) === false) {
    throw new SicError("bad-reply", "The STUN server's answer fails its MESSAGE-INTEGRITY check.");
  }
  if (response.method !== method) throw new SicError("bad-reply", "The STUN server answered a different method than was asked.");
  if (response.cls === Class.Success && response.unknownRequired.length > 0) {
    const list = response.unknownRequired.map((t) => `0x${t.toString(16).padStart(4, "0")}`).join(", ");
    throw new SicError("bad-reply", `The STUN server's answer carries attributes that must be understood and are not: ${list}.`);
  }
  return response;
}

export function describe(server: Endpoint): string {
  return server.ip.includes(":") ? `[${server.ip}]:${server.port}` : `${server.ip}:${server.port}`;
}
