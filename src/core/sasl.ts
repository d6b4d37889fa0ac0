// SASL (RFC 6120 §6): pick the strongest mechanism both sides have, run it, and prove the server
// knew the password too (SCRAM's server signature). PLAIN is only ever sent inside TLS or, by
// explicit choice, on loopback (see connect.ts).
import { xml, type Element } from "@xmpp/xml";
import { SicError } from "./errors";
import { NS_SASL } from "./redact";
import { SCRAM_MECHANISMS, ScramClient, ScramProtocolError } from "./scram";
import type { XmlStream } from "./xmlStream";

/** Our preference order: strongest first. */
export const MECHANISM_PREFERENCE = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"] as const;

export function offeredMechanisms(features: Element): string[] {
  return (
    features
      .getChild("mechanisms", NS_SASL)
      ?.getChildren("mechanism")
      .map((m) => m.text().trim()) ?? []
  );
}

export function chooseMechanism(offered: readonly string[]): string | null {
  return MECHANISM_PREFERENCE.find((m) => offered.includes(m)) ?? null;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string) => Buffer.from(s.trim(), "base64").toString("utf8");

export async function authenticate(
  stream: XmlStream,
  features: Element,
  credentials: { username: string; password: string },
): Promise<string> {
  const offered = offeredMechanisms(features);
  const mechanism = chooseMechanism(offered);
  if (!mechanism) {
    throw new SicError(
      "auth",
      offered.length === 0
        ? "The server offers no SASL mechanism to log in with."
        : `The server offers only ${offered.join(", ")}; this tool supports ${MECHANISM_PREFERENCE.join(", ")}.`,
    );
  }
  const hash = SCRAM_MECHANISMS[mechanism];
  const scram = hash ? new ScramClient(hash, credentials.username, credentials.password) : null;
  const initial = scram ? scram.clientFirst() : `\0${credentials.username}\0${credentials.password}`;
  stream.send(xml("auth", { xmlns: NS_SASL, mechanism }, b64(initial)));

  try {
    for (;;) {
      const el = await stream.next();
      if (el.attrs.xmlns !== NS_SASL) continue;
      if (el.name === "challenge" && scram) {
        stream.send(xml("response", { xmlns: NS_SASL }, b64(scram.clientFinal(unb64(el.text())))));
      } else if (el.name === "success") {
        const additional = el.text().trim();
        if (scram && !scram.verifyServerFinal(unb64(additional))) {
          throw new SicError(
            "auth",
            "The server accepted the login but could not prove it knows the password (SCRAM server signature mismatch); it may be an impostor.",
          );
        }
        return mechanism;
      } else if (el.name === "failure") {
        throw saslFailure(el);
      } else {
        throw new SicError("bad-reply", `The server sent an unexpected SASL <${el.name}/> during ${mechanism}.`);
      }
    }
  } catch (err) {
    if (err instanceof ScramProtocolError) {
      throw new SicError("auth", `The server's SCRAM messages were invalid: ${err.message}.`, { cause: err });
    }
    throw err;
  }
}

function saslFailure(el: Element): SicError {
  const condition = el.getChildElements().find((c) => c.name !== "text")?.name ?? "failure";
  const text = el.getChildText("text");
  const what: Record<string, string> = {
    "not-authorized": "The server refused the login: wrong JID or password.",
    "account-disabled": "The server says this account is disabled.",
    "credentials-expired": "The server says this account's password has expired.",
    "encryption-required": "The server requires encryption for this mechanism.",
    "invalid-mechanism": "The server rejected the login mechanism.",
    "temporary-auth-failure": "The server could not check the login right now; try again later.",
  };
  const sentence = what[condition] ?? `The server refused the login with <${condition}/>.`;
  return new SicError("auth", text ? `${sentence} (${text.slice(0, 200)})` : sentence);
}
