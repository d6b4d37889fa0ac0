// A session kept open after its questions (opt-in, for auto-check): asking again is then one round
// trip on the same connection, which the server sees as the same socket. A whitespace keepalive
// (RFC 6120 §4.6.1) while idle keeps NATs from forgetting the mapping; when the connection has died,
// asking again fails and the caller starts a fresh session.
import type { StanzaRecorder } from "../stanzaLog";
import { askContext } from "./ask";
import { Deadline } from "./deadline";
import type { Session } from "./negotiate";
import type { AskContext } from "./question";
import { guarded } from "./guarded";

/** How often an idle kept session sends a whitespace keepalive, so NATs keep it. */
export const KEEPALIVE_MS = 60_000;

export interface KeptSession {
  readonly session: Session;
  readonly isOpen: boolean;
  /** Asks on the open session under a deadline of its own; its stanzas are logged under `checkId`. */
  again<R>(ask: (ctx: AskContext) => Promise<R>, options: { timeoutMs: number; signal?: AbortSignal; checkId: string }): Promise<R>;
  close(): Promise<void>;
}

export function keep(session: Session, recorder: StanzaRecorder, password: string, domain: string): KeptSession {
  const { stream } = session;
  const keepalive = setInterval(() => stream.keepAlive(), KEEPALIVE_MS);
  keepalive.unref();
  return {
    session,
    get isOpen() {
      return stream.isOpen;
    },
    again: (ask, { timeoutMs, signal, checkId }) =>
      guarded(password, async () => {
        recorder.checkId = checkId;
        // Either ends the kept session too: a late answer would be taken for the next question's.
        const deadline = new Deadline(timeoutMs, signal, () => `No answer within ${timeoutMs} ms to the re-check.`, (reason) => stream.abort(reason));
        try {
          return await ask(askContext(session, domain));
        } catch (err) {
          throw deadline.truth(err);
        } finally {
          deadline.dispose();
        }
      }),
    close: async () => {
      clearInterval(keepalive);
      await stream.close();
    },
  };
}
