// One deadline and the caller's cancellation for one run of a session: whichever comes first ends
// it with a SicError as the reason, which then is the truth whatever the interrupted step threw.
import { SicError } from "../errors";

export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCancel = () => this.end(new SicError("cancelled", "The check was cancelled."));

  constructor(
    timeoutMs: number,
    private readonly cancel: AbortSignal | undefined,
    /** The timeout's sentence, built when it fires (it names what the session was doing). */
    timedOut: () => string,
    /** Stops what is under way (the stream), with the reason. */
    private readonly onEnd: (reason: SicError) => void,
  ) {
    this.timer = setTimeout(() => this.end(new SicError("timeout", timedOut())), timeoutMs);
    if (cancel?.aborted) this.onCancel();
    cancel?.addEventListener("abort", this.onCancel, { once: true });
  }

  /** Aborted when the run has ended (its reason: the SicError). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** An error thrown during the run, or, when the deadline or a cancellation ended it, that reason. */
  truth(err: unknown): unknown {
    return this.signal.aborted ? this.signal.reason : err;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cancel?.removeEventListener("abort", this.onCancel);
  }

  private end(reason: SicError): void {
    if (this.signal.aborted) return;
    this.controller.abort(reason);
    this.onEnd(reason);
  }
}
