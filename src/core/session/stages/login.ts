// Stage 3, login: open the encrypted stream and authenticate, with RFC 6120 SASL, or with SASL2
// (XEP-0388) and Bind 2 (XEP-0386) inlined where offered, which binds in the same exchange. For a
// known server, <auth> (or <authenticate>) rides with the stream header, before the mechanism list.
import { randomUUID } from "node:crypto";
import type { Element } from "@xmpp/xml";
import type { ParsedJid, TlsMode } from "../../account";
import { SicError } from "../../errors";
import { mechanismFor, sasl2MechanismFor, startSasl, startSasl2 } from "../../sasl";
import type { XmlStream } from "../../xmlStream";
import type { ServerProfile } from "../serverProfile";
import type { Shortcuts } from "../shortcuts";
import { NS_TLS } from "./tls";

export interface LoggedIn {
  login: "sasl" | "sasl2-bind2";
  mechanism: string;
  /** The signature of the features of the encrypted stream. */
  secureFeatures: string;
  /** The full JID, when the login bound a resource too (SASL2 + Bind 2); null otherwise. */
  boundJid: string | null;
}

export interface LoginStageInput {
  stream: XmlStream;
  jid: ParsedJid;
  password: string;
  mode: TlsMode;
  /** Our address in the stream header, once the stream is encrypted. */
  from: string | undefined;
  shortcuts: Shortcuts;
  /** Marks the end of the TLS phase: the encrypted stream's features have arrived. */
  lapTls: () => void;
}

export async function loginStage(input: LoginStageInput): Promise<LoggedIn> {
  const { stream, jid, shortcuts } = input;
  const credentials = { username: jid.local, password: input.password };
  stream.phase = input.mode === "starttls" ? "opening the encrypted stream" : "opening the stream";
  const remembered = shortcuts.profile ? rememberedExchange(shortcuts.profile, credentials) : null;
  const features = await shortcuts.stage(() => stream.open(input.from, remembered ? [remembered.opening] : []));
  const secureFeatures = shortcuts.expect(features, shortcuts.profile?.secureFeatures);
  if (input.mode === "none" && features.getChild("starttls", NS_TLS)?.getChild("required")) {
    throw new SicError("tls", "The server requires TLS.", { reason: "tls-required" });
  }
  input.lapTls();

  stream.phase = "authenticating";
  const exchange = remembered ?? chosenExchange(features, credentials, !jid.resource);
  if (!remembered) stream.send(exchange.opening);
  const { boundJid } = await shortcuts.stage(() => exchange.finish(stream));
  return { login: exchange.login, mechanism: exchange.mechanism, secureFeatures, boundJid };
}

/** SASL or SASL2, seen alike: an opening element, then the rest of the exchange. */
interface LoginExchange {
  login: LoggedIn["login"];
  mechanism: string;
  opening: Element;
  finish(stream: XmlStream): Promise<{ boundJid: string | null }>;
}

type Credentials = { username: string; password: string };

function rememberedExchange(profile: ServerProfile, credentials: Credentials): LoginExchange {
  return profile.login === "sasl2-bind2" ? sasl2(profile.mechanism, credentials) : sasl(profile.mechanism, credentials);
}

/** SASL2 with Bind 2 only without a requested resource: Bind 2 lets the server choose it. */
function chosenExchange(features: Element, credentials: Credentials, canSasl2: boolean): LoginExchange {
  const mechanism2 = canSasl2 ? sasl2MechanismFor(features) : null;
  return mechanism2 ? sasl2(mechanism2, credentials) : sasl(mechanismFor(features), credentials);
}

function sasl(mechanism: string, credentials: Credentials): LoginExchange {
  const exchange = startSasl(mechanism, credentials);
  return {
    login: "sasl",
    mechanism,
    opening: exchange.auth,
    finish: async (stream) => {
      await exchange.finish(stream);
      return { boundJid: null };
    },
  };
}

function sasl2(mechanism: string, credentials: Credentials): LoginExchange {
  const userAgent = { id: randomUUID(), software: "xmpp-sic", tag: "xmpp-sic" };
  const exchange = startSasl2(mechanism, credentials, userAgent);
  return { login: "sasl2-bind2", mechanism, opening: exchange.authenticate, finish: exchange.finish };
}
