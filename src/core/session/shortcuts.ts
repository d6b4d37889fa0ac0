// The pipelining decision, in one place: whether this connection may take shortcuts (a profile of
// the server is known), what goes ahead of the server's answer, and what a refusal looks like.
import type { Element } from "@xmpp/xml";
import type { ParsedJid } from "../account";
import { isSicError } from "../errors";
import type { Target } from "../resolve";
import { FINAL_SASL_CONDITIONS, SaslFailure } from "../sasl";
import type { XmlStream } from "../xmlStream";
import { featureSignature, profileKey, type ProfileCache, type ServerProfile } from "./serverProfile";

/** A server did not take a shortcut (or changed since it was profiled): retry step by step. */
export class ShortcutRejected extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`The server did not accept a pipelined step (${reason}).`);
  }
}

/** Error codes that, during a pipelined stage, mean the server did not take the shortcut. */
const REFUSALS: ReadonlySet<string> = new Set(["stream-error", "bad-reply", "connect"]);

/**
 * Runs the stages of a pipelined negotiation: the server's refusal of a shortcut becomes
 * ShortcutRejected. Without a profile it changes nothing. Wrong credentials are never a refusal:
 * retrying them step by step would only log in wrongly twice.
 */
export class Shortcuts {
  private constructor(
    /** Where this server's profile is kept. */
    readonly key: string,
    /** The profile to pipeline with; null: step by step. */
    readonly profile: ServerProfile | null,
    /** Drops the profile; a refused login must not leave the next session on the same shortcut. */
    private readonly forget: () => void,
  ) {}

  /** The decision for the target reached; step by step without a profile cache. */
  static decide(profiles: ProfileCache | undefined, jid: ParsedJid, target: Target): Shortcuts {
    const key = profileKey({ domain: jid.domain, host: target.host, port: target.port, tls: target.tls });
    const stored = profiles?.get(key) ?? null;
    // A requested resource needs RFC 6120 bind (Bind 2 lets the server choose): such a session
    // goes step by step on a server remembered as SASL2.
    const profile = stored?.login === "sasl2-bind2" && jid.resource ? null : stored;
    return new Shortcuts(key, profile, () => profiles?.drop(key));
  }

  /** What to write with a stream header, before the server's features: all of it, when pipelined. */
  ahead(elements: Element[]): Element[] {
    return this.profile ? elements : [];
  }

  /** Writes, step by step, what a pipelined stage sent ahead. */
  inTurn(stream: XmlStream, element: Element): void {
    if (!this.profile) stream.send(element);
  }

  async stage<T>(step: () => Promise<T>): Promise<T> {
    if (!this.profile) return step();
    try {
      return await step();
    } catch (err) {
      if (err instanceof SaslFailure && FINAL_SASL_CONDITIONS.has(err.condition)) this.forget();
      const refusal =
        err instanceof SaslFailure ? !FINAL_SASL_CONDITIONS.has(err.condition) : isSicError(err) && REFUSALS.has(err.code);
      throw refusal ? new ShortcutRejected(this.key, (err as Error).message) : err;
    }
  }

  /** The features' signature; with a profile, one that differs from what was remembered is a refusal. */
  expect(features: Element, remembered: string | null | undefined): string {
    const signature = featureSignature(features);
    if (this.profile && remembered !== undefined && signature !== remembered) {
      throw new ShortcutRejected(this.key, "its stream features differ from the last connection's");
    }
    return signature;
  }

  rejected(reason: string): ShortcutRejected | null {
    return this.profile ? new ShortcutRejected(this.key, reason) : null;
  }
}
