// Candidates as ready-to-paste Jingle transports, built with @xmpp/xml so every attribute is
// escaped: ICE-UDP (XEP-0176 §5: <candidate component foundation generation id ip network port
// priority protocol type rel-addr rel-port/>) and SOCKS5 Bytestreams (XEP-0260 §2.2: <candidate
// cid host jid port priority type/>).
import { randomBytes } from "node:crypto";
import { xml, type Element } from "@xmpp/xml";
import type { Candidate } from "./gather";

export const NS_ICE_UDP = "urn:xmpp:jingle:transports:ice-udp:1";
export const NS_S5B = "urn:xmpp:jingle:transports:s5b:1";

/** ICE's ufrag (≥ 4 chars) and pwd (≥ 22 chars) from ice-chars (RFC 8445 §5.3). */
export function iceCredentials(): { ufrag: string; pwd: string } {
  const chars = (n: number) => randomBytes(n).toString("base64").replace(/=+$/, "");
  return { ufrag: chars(6), pwd: chars(18) };
}

export function iceUdpTransport(candidates: readonly Candidate[], credentials: { ufrag: string; pwd: string }): Element {
  const udp = candidates.filter((c) => c.protocol === "udp");
  return xml(
    "transport",
    { xmlns: NS_ICE_UDP, ufrag: credentials.ufrag, pwd: credentials.pwd },
    ...udp.map((c, i) =>
      xml("candidate", {
        component: "1",
        foundation: c.foundation,
        generation: "0",
        id: `c${i + 1}`,
        ip: c.ip,
        network: "0",
        port: String(c.port),
        priority: String(c.priority),
        protocol: "udp",
        type: c.type,
        ...(c.related && { "rel-addr": c.related.ip, "rel-port": String(c.related.port) }),
      }),
    ),
  );
}

export function s5bTransport(candidates: readonly Candidate[], options: { sid: string; jid: string }): Element {
  const tcp = candidates.filter((c) => c.protocol === "tcp" && c.s5bType);
  return xml(
    "transport",
    { xmlns: NS_S5B, sid: options.sid, mode: "tcp" },
    ...tcp.map((c, i) =>
      xml("candidate", {
        cid: `c${i + 1}`,
        host: c.ip,
        jid: c.jid ?? options.jid,
        port: String(c.port),
        priority: String(c.priority),
        type: c.s5bType!,
      }),
    ),
  );
}
