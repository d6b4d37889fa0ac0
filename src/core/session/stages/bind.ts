// Stage 4, bind: a resource for this session (RFC 6120 §7), plus an RFC 3921 session where a server
// still requires one. For a known server the bind request, and behind it the questions' requests,
// ride with the header of the authenticated stream. After SASL2 + Bind 2 the login already bound:
// the questions then follow its <success>, as XEP-0388 allows no stanzas before it.
import { randomBytes } from "node:crypto";
import { xml, type Element } from "@xmpp/xml";
import type { ParsedJid } from "../../account";
import { SicError } from "../../errors";
import type { IqClient } from "../../iq";
import type { XmlStream } from "../../xmlStream";
import type { ServerProfile } from "../serverProfile";
import type { Shortcuts } from "../shortcuts";
import type { LoggedIn } from "./login";

export const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
export const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";

export interface Bound {
  boundJid: string;
  /** The signature of the features after login ("" after SASL2: none are read, so none remembered). */
  boundFeatures: string;
  sessionRequired: boolean;
}

export interface BindStageInput {
  stream: XmlStream;
  iqs: IqClient;
  jid: ParsedJid;
  from: string | undefined;
  loggedIn: LoggedIn;
  shortcuts: Shortcuts;
  /** Pipelined only: the IQs to write right behind the bind request. */
  afterBind?: (iqs: IqClient, profile: ServerProfile) => Element[];
}

export async function bindStage(input: BindStageInput): Promise<Bound> {
  const { stream, iqs, shortcuts } = input;
  const profile = shortcuts.profile;
  const behindBind = () => (profile && input.afterBind ? input.afterBind(iqs, profile) : []);
  if (input.loggedIn.boundJid !== null) {
    for (const el of behindBind()) stream.send(el);
    return { boundJid: input.loggedIn.boundJid, boundFeatures: "", sessionRequired: false };
  }

  stream.phase = "opening the authenticated stream";
  const resource = input.jid.resource || `xmpp-sic-${randomBytes(3).toString("hex")}`;
  const bindRequest = iqs.build("set", xml("bind", { xmlns: NS_BIND }, xml("resource", {}, resource)));
  const sessionRequest = profile?.sessionRequired ? iqs.build("set", xml("session", { xmlns: NS_SESSION })) : null;
  const ahead = shortcuts.ahead([bindRequest.element, ...(sessionRequest ? [sessionRequest.element] : []), ...behindBind()]);
  const features = await shortcuts.stage(() => stream.open(input.from, ahead));
  const boundFeatures = shortcuts.expect(features, profile?.boundFeatures);

  stream.phase = "binding a resource";
  if (!features.getChild("bind", NS_BIND)) {
    throw new SicError("bad-reply", "The server offered no resource binding after login.");
  }
  shortcuts.inTurn(stream, bindRequest.element);
  const bound = await iqs.reply(bindRequest.id);
  if (!bound.ok) throw new SicError("server-error", `The server refused to bind a resource: <${bound.error.condition}/>.`);
  const boundJid = bound.iq.getChild("bind", NS_BIND)?.getChildText("jid");
  if (!boundJid) throw new SicError("bad-reply", "The server's bind result holds no JID.");
  const sessionRequired = await startSessionIfRequired(iqs, features, sessionRequest?.id ?? null);
  return { boundJid, boundFeatures, sessionRequired };
}

/** RFC 3921 sessions: only servers that still mark them mandatory need the extra request. */
async function startSessionIfRequired(iqs: IqClient, features: Element, sentAhead: string | null): Promise<boolean> {
  const session = features.getChild("session", NS_SESSION);
  const required = session !== undefined && !session.getChild("optional");
  const id = sentAhead ?? (required ? iqs.send("set", xml("session", { xmlns: NS_SESSION })) : null);
  if (id) {
    const started = await iqs.reply(id);
    if (!started.ok) throw new SicError("server-error", `The server refused to start a session: <${started.error.condition}/>.`);
  }
  return required;
}
