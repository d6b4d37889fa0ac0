// SASL (RFC 6120 §6): pick the strongest mechanism both sides have, run it, and prove the server
// knew the password too (SCRAM's server signature). PLAIN is only ever sent inside TLS or, by
// explicit choice, on loopback (see session/stages/dial.ts). The opening <auth> is built apart from the rest
// of the exchange so that it can be sent before the server lists its mechanisms (pipelining).
import { xml, type Element } from "@xmpp/xml";
import { SicError } from "./errors";
import { NS_SASL, NS_SASL2 } from "./redact";
import { SCRAM_MECHANISMS, ScramClient, ScramProtocolError } from "./scram";
import { quoted, quotedName } from "./text";
import type { XmlStream } from "./xmlStream";

/** Our preference order: strongest first. */
export const MECHANISM_PREFERENCE = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"] as const;

/** Failures that are about the credentials or account, never about how the login was sent. */
export const FINAL_SASL_CONDITIONS: ReadonlySet<string> = new Set(["not-authorized", "account-disabled", "credentials-expired"]);

/** A SASL failure from the server, with its condition (RFC 6120 §6.5). */
export class SaslFailure extends SicError {
  constructor(
    readonly condition: string,
    message: string,
  ) {
    super("auth", message);
  }
}

export function offeredMechanisms(features: Element): string[] {
  return (
    features
      .getChild("mechanisms", NS_SASL)
      ?.getChildren("mechanism", NS_SASL)
      .map((m) => m.text().trim()) ?? []
  );
}

export function chooseMechanism(offered: readonly string[]): string | null {
  return MECHANISM_PREFERENCE.find((m) => offered.includes(m)) ?? null;
}

/** The mechanism to use with these features; an auth error saying why when there is none. */
export function mechanismFor(features: Element): string {
  const offered = offeredMechanisms(features);
  const mechanism = chooseMechanism(offered);
  if (mechanism) return mechanism;
  throw new SicError(
    "auth",
    offered.length === 0
      ? "The server offers no SASL mechanism to log in with."
      : `The server offers only ${quoted(offered.join(", "))}; this tool supports ${MECHANISM_PREFERENCE.join(", ")}.`,
  );
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string) => Buffer.from(s.trim(), "base64").toString("utf8");

export interface SaslExchange {
  mechanism: string;
  /** The opening element, to be written by the caller. */
  auth: Element;
  /** Runs the rest of the exchange after <auth> was written; resolves on verified success. */
  finish(stream: XmlStream): Promise<void>;
}

/** The client side of a mechanism: its first message, and SCRAM's state when it is SCRAM. */
function openMechanism(mechanism: string, credentials: { username: string; password: string }) {
  // Guard for remembered mechanisms (a saved server profile): never send credentials in a form
  // that does not match the mechanism's name.
  if (!(MECHANISM_PREFERENCE as readonly string[]).includes(mechanism)) {
    throw new SicError("auth", `The login mechanism ${mechanism} is not supported by this tool.`);
  }
  const hash = SCRAM_MECHANISMS[mechanism];
  const scram = hash ? new ScramClient(hash, credentials.username, credentials.password) : null;
  const initial = scram ? scram.clientFirst() : `\0${credentials.username}\0${credentials.password}`;
  return { scram, initial: b64(initial) };
}

/** SCRAM's last step: the server proves it knows the password too, or it is treated as an impostor. */
function verifyServer(scram: ScramClient | null, serverFinalB64: string): void {
  if (scram && !scram.verifyServerFinal(unb64(serverFinalB64))) {
    throw new SicError(
      "auth",
      "The server accepted the login but could not prove it knows the password (SCRAM server signature mismatch); it may be an impostor.",
      { reason: "login-invalid" },
    );
  }
}

/** The e= values that are about the credentials (RFC 5802 §7); any other is the server's own failure. */
const CREDENTIAL_SERVER_ERRORS: ReadonlySet<string> = new Set(["invalid-proof", "unknown-user"]);

/** Runs an exchange, turning invalid SCRAM messages from the server into an auth error. */
async function scramErrorsAsAuth<T>(exchange: () => Promise<T>): Promise<T> {
  try {
    return await exchange();
  } catch (err) {
    if (err instanceof ScramProtocolError) {
      const credentials = err.serverError !== undefined && CREDENTIAL_SERVER_ERRORS.has(err.serverError);
      throw new SicError("auth", `The server's SCRAM messages were invalid: ${err.message}.`, {
        cause: err,
        ...(credentials ? {} : { reason: "login-invalid" }),
      });
    }
    throw err;
  }
}

export function startSasl(mechanism: string, credentials: { username: string; password: string }): SaslExchange {
  const { scram, initial } = openMechanism(mechanism, credentials);
  return {
    mechanism,
    auth: xml("auth", { xmlns: NS_SASL, mechanism }, initial),
    finish: (stream) => scramErrorsAsAuth(() => finish(stream, mechanism, scram)),
  };
}

async function finish(stream: XmlStream, mechanism: string, scram: ScramClient | null): Promise<void> {
  for (;;) {
    const el = await stream.next();
    if (el.getNS() !== NS_SASL) continue;
    const name = el.getName();
    if (name === "challenge" && scram) {
      stream.send(xml("response", { xmlns: NS_SASL }, b64(scram.clientFinal(unb64(el.text())))));
    } else if (name === "success") {
      verifyServer(scram, el.text());
      return;
    } else if (name === "failure") {
      throw saslFailure(el, NS_SASL);
    } else {
      throw new SicError("bad-reply", `The server sent an unexpected SASL <${quotedName(name)}/> during ${mechanism}.`);
    }
  }
}

/** XEP-0386 Bind 2: the namespace of the bind request inlined in a SASL2 <authenticate>. */
export const NS_BIND2 = "urn:xmpp:bind:0";

/**
 * The mechanism to log in with through SASL2 (XEP-0388), when the features offer SASL2 with Bind 2
 * inlined (XEP-0386) and a mechanism we support; null otherwise (the caller then uses SASL1).
 */
export function sasl2MechanismFor(features: Element): string | null {
  const authentication = features.getChild("authentication", NS_SASL2);
  if (!authentication?.getChild("inline")?.getChild("bind", NS_BIND2)) return null;
  return chooseMechanism(authentication.getChildren("mechanism", NS_SASL2).map((m) => m.text().trim()));
}

export interface Sasl2Exchange {
  mechanism: string;
  /** The <authenticate>, with the Bind 2 request inlined; to be written by the caller. */
  authenticate: Element;
  /**
   * Runs the rest of the exchange; resolves on verified success with the full JID the server
   * bound. No stream restart follows, and no separate bind.
   */
  finish(stream: XmlStream): Promise<{ boundJid: string }>;
}

/**
 * XEP-0388 login with a XEP-0386 bind request inside: one exchange both authenticates and binds.
 * The element names follow what Prosody's mod_sasl2 and mod_sasl2_bind2 send and expect.
 */
export function startSasl2(
  mechanism: string,
  credentials: { username: string; password: string },
  userAgent: { id: string; software: string; tag: string },
): Sasl2Exchange {
  const { scram, initial } = openMechanism(mechanism, credentials);
  const authenticate = xml(
    "authenticate",
    { xmlns: NS_SASL2, mechanism },
    xml("initial-response", {}, initial),
    xml("user-agent", { id: userAgent.id }, xml("software", {}, userAgent.software)),
    xml("bind", { xmlns: NS_BIND2 }, xml("tag", {}, userAgent.tag)),
  );
  return { mechanism, authenticate, finish: (stream) => scramErrorsAsAuth(() => finish2(stream, mechanism, scram)) };
}

async function finish2(stream: XmlStream, mechanism: string, scram: ScramClient | null): Promise<{ boundJid: string }> {
  for (;;) {
    const el = await stream.next();
    if (el.getNS() !== NS_SASL2) continue;
    const name = el.getName();
    if (name === "challenge" && scram) {
      stream.send(xml("response", { xmlns: NS_SASL2 }, b64(scram.clientFinal(unb64(el.text())))));
    } else if (name === "success") {
      // A SCRAM server's final message (its signature) is the additional data.
      verifyServer(scram, el.getChildText("additional-data", NS_SASL2) ?? "");
      const failed = el.getChild("failed", NS_BIND2);
      if (failed) {
        const condition = failed.getChild("error")?.getChildElements().find((c) => c.getName() !== "text")?.getName() ?? "undefined-condition";
        throw new SicError("server-error", `The server logged in but refused to bind a resource (Bind 2): <${quotedName(condition)}/>.`);
      }
      const boundJid = el.getChildText("authorization-identifier", NS_SASL2)?.trim() ?? "";
      if (!boundJid.includes("/")) {
        throw new SicError("bad-reply", "The server's SASL2 success names no bound resource (no full JID in <authorization-identifier/>).");
      }
      return { boundJid };
    } else if (name === "failure") {
      throw saslFailure(el, NS_SASL2);
    } else if (name === "continue") {
      throw new SicError("auth", "The server asks for further login steps (SASL2 <continue/>, e.g. a second factor or a password change), which this tool does not support.");
    } else {
      throw new SicError("bad-reply", `The server sent an unexpected SASL2 <${quotedName(name)}/> during ${mechanism}.`);
    }
  }
}

/** A <failure/>: its condition and text are children in the failure's namespace (SASL2 nests the SASL1 condition). */
function saslFailure(el: Element, ns: string): SaslFailure {
  const children = el.getChildElements().filter((c) => c.getNS() === ns || c.getNS() === NS_SASL);
  const conditionName = children.find((c) => c.getName() !== "text")?.getName();
  const condition = conditionName ? quotedName(conditionName) : "failure";
  const text = children.find((c) => c.getName() === "text")?.text();
  const what: Record<string, string> = {
    "not-authorized": "The server refused the login: wrong JID or password.",
    "account-disabled": "The server says this account is disabled.",
    "credentials-expired": "The server says this account's password has expired.",
    "encryption-required": "The server requires encryption for this mechanism.",
    "invalid-mechanism": "The server rejected the login mechanism.",
    "temporary-auth-failure": "The server could not check the login right now; try again later.",
  };
  const sentence = what[condition] ?? `The server refused the login with <${condition}/>.`;
  return new SaslFailure(condition, text ? `${sentence} (${quoted(text, 200)})` : sentence);
}
