// Stanza templates as data, for the "New Stanza…" picker, VS Code snippets and the CLI's
// /templates: the questions XMPP developers ask their server most, with the account's domain
// filled in. Ids are left out on purpose: compose() adds a fresh one each time a template is sent.
import { escapeXML } from "@xmpp/xml";
import { NS_SIC_0, NS_SIC_1, NS_DISCO_INFO } from "../sic";

export interface TemplateContext {
  /** The account's domain, e.g. example.org. */
  domain: string;
  /** The account's bare JID; a message template addresses it (a message to oneself arrives back live). */
  bareJid?: string;
}

export interface StanzaTemplate {
  id: string;
  label: string;
  /** One line: what it asks and what to expect. */
  detail: string;
  /** The stanza as XML text, ready for an editor or for compose(). */
  xml(ctx: TemplateContext): string;
}

const iqGet = (payload: string, to?: string) => `<iq type="get"${to === undefined ? "" : ` to="${escapeXML(to)}"`}>\n  ${payload}\n</iq>`;

export const STANZA_TEMPLATES: readonly StanzaTemplate[] = [
  {
    id: "disco-info",
    label: "Service discovery: features (disco#info)",
    detail: "XEP-0030: the identities and features the server announces.",
    xml: (c) => iqGet(`<query xmlns="${NS_DISCO_INFO}"/>`, c.domain),
  },
  {
    id: "disco-items",
    label: "Service discovery: items (disco#items)",
    detail: "XEP-0030: the components and services the server lists (upload, MUC, proxy65, …).",
    xml: (c) => iqGet(`<query xmlns="http://jabber.org/protocol/disco#items"/>`, c.domain),
  },
  {
    id: "ping",
    label: "Ping the server",
    detail: "XEP-0199: an empty result back; the round trip shows as the latency.",
    xml: (c) => iqGet(`<ping xmlns="urn:xmpp:ping"/>`, c.domain),
  },
  {
    id: "version",
    label: "Server software version",
    detail: "XEP-0092: name, version and sometimes the OS of the server software.",
    xml: (c) => iqGet(`<query xmlns="jabber:iq:version"/>`, c.domain),
  },
  {
    id: "time",
    label: "Server time",
    detail: "XEP-0202: the server's clock (UTC and offset), to spot clock skew.",
    xml: (c) => iqGet(`<time xmlns="urn:xmpp:time"/>`, c.domain),
  },
  {
    id: "roster",
    label: "Roster get",
    detail: "RFC 6121 §2.2: the account's contact list (the server answers for the account: no 'to').",
    xml: () => iqGet(`<query xmlns="jabber:iq:roster"/>`),
  },
  {
    id: "vcard",
    label: "Own vCard",
    detail: "XEP-0054: the account's own vCard (no 'to').",
    xml: () => iqGet(`<vCard xmlns="vcard-temp"/>`),
  },
  {
    id: "sic1",
    label: "Server IP Check (urn:xmpp:sic:1)",
    detail: "XEP-0279: the IP address and port the server sees; sent without 'to' (Prosody refuses any).",
    xml: () => iqGet(`<address xmlns="${NS_SIC_1}"/>`),
  },
  {
    id: "sic0",
    label: "Server IP Check, older form (urn:xmpp:sic:0)",
    detail: "XEP-0279 version 0.1: the IP address only, answered as <ip> text or <address><ip/></address>.",
    xml: () => iqGet(`<ip xmlns="${NS_SIC_0}"/>`),
  },
  {
    id: "extdisco",
    label: "External services: STUN/TURN (XEP-0215)",
    detail: "XEP-0215: the STUN/TURN servers the server offers; 'to' must be the domain.",
    xml: (c) => iqGet(`<services xmlns="urn:xmpp:extdisco:2"/>`, c.domain),
  },
  {
    id: "message",
    label: "Message",
    detail: "A chat message; addressed to the account itself, it arrives back in this console.",
    xml: (c) => `<message type="chat" to="${escapeXML(c.bareJid ?? `someone@${c.domain}`)}">\n  <body>Hello from the XML console</body>\n</message>`,
  },
  {
    id: "presence",
    label: "Presence (shows the account online)",
    detail: "Initial presence: contacts see the account online; priority -1 keeps messages going to other clients.",
    xml: () => `<presence>\n  <priority>-1</priority>\n</presence>`,
  },
];

export function templateById(id: string): StanzaTemplate | undefined {
  return STANZA_TEMPLATES.find((t) => t.id === id);
}
