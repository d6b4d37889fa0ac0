// Stage 2, TLS: XEP-0368 direct TLS before the first byte of XMPP, or STARTTLS (RFC 6120 §5) on the
// plain stream, <starttls/> riding with the stream header when the server is known. Either way the
// stream that leaves this stage is encrypted (or, by explicit choice on loopback, not at all).
import type net from "node:net";
import { xml } from "@xmpp/xml";
import { SicError } from "../../errors";
import type { StanzaRecorder } from "../../stanzaLog";
import { secure, type SecureOptions, type TlsInfo, type TlsTrust } from "../../tls";
import { XmlStream } from "../../xmlStream";
import type { Shortcuts } from "../shortcuts";
import type { Dialed } from "./dial";

export const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
/** XEP-0368: the ALPN protocol id for XMPP client connections over direct TLS. */
const ALPN_XMPP_CLIENT = ["xmpp-client"];

export interface Secured {
  stream: XmlStream;
  tls: TlsInfo | null;
  /** The signature of the features before STARTTLS; null without STARTTLS. */
  plainFeatures: string | null;
}

export interface TlsStageInput {
  dialed: Dialed;
  domain: string;
  trust: TlsTrust;
  recorder: StanzaRecorder;
  shortcuts: Shortcuts;
  /** Hands the stream out as soon as it exists, so the deadline can abort it. */
  onStream: (stream: XmlStream) => void;
}

export async function tlsStage(input: TlsStageInput, signal: AbortSignal): Promise<Secured> {
  const { dialed, domain, recorder } = input;
  const { target, remote } = dialed;
  const tlsOptions: SecureOptions = { domain, trust: input.trust, host: target.host, port: target.port };
  let socket: net.Socket = dialed.socket;
  let tls: TlsInfo | null = null;
  if (target.tls === "direct") {
    recorder.note("out", "tls", `TLS handshake (direct TLS, XEP-0368) with ${remote.ip}:${remote.port}`);
    ({ socket, info: tls } = await secure(socket, { ...tlsOptions, alpn: ALPN_XMPP_CLIENT }, signal));
    recorder.note("in", "tls", tlsNote(tls));
  }
  const stream = new XmlStream(socket, domain, recorder);
  input.onStream(stream);
  stream.phase = "opening the stream";
  if (target.tls !== "starttls") return { stream, tls, plainFeatures: null };
  return { stream, ...(await startTls(stream, tlsOptions, input, signal)) };
}

async function startTls(
  stream: XmlStream,
  tlsOptions: SecureOptions,
  { recorder, shortcuts }: TlsStageInput,
  signal: AbortSignal,
): Promise<{ tls: TlsInfo; plainFeatures: string }> {
  const starttls = xml("starttls", { xmlns: NS_TLS });
  const features = await shortcuts.stage(() => stream.open(undefined, shortcuts.ahead([starttls])));
  const plainFeatures = shortcuts.expect(features, shortcuts.profile?.plainFeatures);
  stream.phase = "starting TLS";
  if (!features.getChild("starttls", NS_TLS)) {
    throw new SicError("tls", "The server does not offer STARTTLS; refusing to send credentials unencrypted.");
  }
  shortcuts.inTurn(stream, starttls);
  const answer = await shortcuts.stage(() => stream.next());
  if (!answer.is("proceed", NS_TLS)) {
    throw shortcuts.rejected(`<${answer.name}/> instead of <proceed/>`) ??
      new SicError("tls", `The server answered STARTTLS with <${answer.name}/> instead of <proceed/>.`);
  }
  recorder.note("out", "tls", "TLS handshake (STARTTLS)");
  const upgraded = await secure(stream.releaseSocket(), tlsOptions, signal);
  stream.upgrade(upgraded.socket);
  recorder.note("in", "tls", tlsNote(upgraded.info));
  return { tls: upgraded.info, plainFeatures };
}

function tlsNote(info: TlsInfo): string {
  return `TLS established: ${info.protocol}, ${info.cipher}${info.resumed ? ", resumed session" : ""}, certificate ${info.fingerprint}`;
}
