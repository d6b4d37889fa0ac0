// XEP-0215 External Service Discovery: the reply to <services xmlns='urn:xmpp:extdisco:2'/> (or
// the older :1, with ttl instead of expires) read into a bounded, validated list. Both servers'
// shapes: ejabberd writes restricted='true', Prosody restricted='1'; STUN entries may carry no
// restricted at all. TURN usernames and passwords are kept apart from the displayable list (a
// WeakMap keyed by the entry), so printing or serialising a service can never show them.
import type { Element } from "@xmpp/xml";
import { SicError } from "./errors";
import { parseIp } from "./ip";
import { quoted } from "./text";

export const NS_EXTDISCO_2 = "urn:xmpp:extdisco:2";
export const NS_EXTDISCO_1 = "urn:xmpp:extdisco:1";

export const MAX_SERVICES = 16;
const MAX_HOST = 253;
const MAX_NAME = 128;
const MAX_SECRET = 512;
const MAX_TIME_TEXT = 40;

export type ServiceType = "stun" | "stuns" | "turn" | "turns";
const TYPES = new Set<string>(["stun", "stuns", "turn", "turns"]);

export interface ServiceFlag {
  kind: "unspecified" | "loopback" | "private" | "carrier-grade-nat" | "link-local";
  sentence: string;
}

export interface ExternalService {
  type: ServiceType;
  host: string;
  port: number;
  transport: "udp" | "tcp";
  restricted: boolean;
  name?: string;
  /** extdisco:2's expires, as given (ISO 8601). */
  expires?: string;
  /** extdisco:1's ttl, seconds. */
  ttlSeconds?: number;
  /** Whether the server handed out credentials for it (themselves only via credentialsFor). */
  hasCredentials: boolean;
  /** Addresses no peer elsewhere can reach, when the XMPP server is not on that network itself. */
  flags: ServiceFlag[];
}

export interface ServiceCredentials {
  username: string;
  password: string;
}

export interface ExtdiscoReply {
  namespace: typeof NS_EXTDISCO_2 | typeof NS_EXTDISCO_1;
  services: ExternalService[];
  /** Entries left out, with why (bounded like the list). */
  skipped: string[];
  credentialsFor(service: ExternalService): ServiceCredentials | undefined;
  /** Every secret string, for the log scrubber (redact.ts scrubSecrets). */
  secrets(): string[];
}

const FLAG_RANGES: Record<string, ServiceFlag> = {
  unspecified: { kind: "unspecified", sentence: "announced at an unspecified address (0.0.0.0 or ::): a misconfigured server; nobody can reach it there" },
  loopback: { kind: "loopback", sentence: "announced at a loopback address: only reachable on the server's own machine" },
  private: { kind: "private", sentence: "announced at a private (RFC 1918) address: peers outside that network cannot reach it" },
  uniqueLocal: { kind: "private", sentence: "announced at a unique-local IPv6 address (fc00::/7): peers outside that network cannot reach it" },
  carrierGradeNat: { kind: "carrier-grade-nat", sentence: "announced in carrier-grade NAT space (100.64.0.0/10): peers outside that provider's network cannot reach it" },
  linkLocal: { kind: "link-local", sentence: "announced at a link-local address: only reachable on one link" },
};

/**
 * Reads the <services/> (or ejabberd's <services/> for a credentials request) in an iq result.
 * `serverIp`: the address the XMPP connection went to; a service in the same kind of range (e.g.
 * both loopback on a test bed) is not flagged, as it may well be reachable from here.
 */
export function parseExtdisco(result: Element, serverIp?: string): ExtdiscoReply {
  const root = result.getChild("services", NS_EXTDISCO_2) ?? result.getChild("services", NS_EXTDISCO_1);
  if (!root) throw new SicError("bad-reply", "The server's answer to the external services query has no <services/> element.");
  const namespace = root.attrs.xmlns === NS_EXTDISCO_1 ? NS_EXTDISCO_1 : NS_EXTDISCO_2;
  const serverRange = serverIp ? parseIp(serverIp)?.range : undefined;
  const vault = new WeakMap<ExternalService, ServiceCredentials>();
  const services: ExternalService[] = [];
  const skipped: string[] = [];
  const entries = root.getChildren("service");
  entries.forEach((el, index) => {
    if (services.length >= MAX_SERVICES) {
      if (skipped.length < MAX_SERVICES) skipped.push(`entry ${index + 1}: more than ${MAX_SERVICES} services; the rest are ignored`);
      return;
    }
    const read = readService(el, namespace, serverRange);
    if (typeof read === "string") {
      if (skipped.length < MAX_SERVICES) skipped.push(`entry ${index + 1}: ${read}`);
      return;
    }
    services.push(read.service);
    if (read.credentials) vault.set(read.service, read.credentials);
  });
  return {
    namespace,
    services,
    skipped,
    credentialsFor: (s) => vault.get(s),
    secrets: () => services.flatMap((s) => (vault.has(s) ? [vault.get(s)!.username, vault.get(s)!.password] : [])),
  };
}

/** One entry, or why it is left out. */
function readService(
  el: Element,
  namespace: string,
  serverRange: string | undefined,
): string | { service: ExternalService; credentials?: ServiceCredentials } {
  const a = el.attrs as Record<string, string | undefined>;
  const type = a.type;
  if (!type || !TYPES.has(type)) return `type "${quoted(type ?? "", 16)}" is none of stun, stuns, turn, turns`;
  const host = a.host ?? "";
  if (!validHost(host)) return `host "${quoted(host, 64)}" is not an IP address or host name`;
  if (!/^\d{1,5}$/.test(a.port ?? "") || Number(a.port) < 1 || Number(a.port) > 65535) return `port "${quoted(a.port ?? "", 8)}" is not 1–65535`;
  // Optional in XEP-0215; STUN and TURN default to UDP.
  const transport = a.transport ?? "udp";
  if (transport !== "udp" && transport !== "tcp") return `transport "${quoted(transport, 8)}" is neither udp nor tcp`;
  const username = a.username;
  const password = a.password;
  if ((username?.length ?? 0) > MAX_SECRET || (password?.length ?? 0) > MAX_SECRET) return "its credentials are longer than 512 characters";
  const service: ExternalService = {
    type: type as ServiceType,
    host: parseIp(host)?.ip ?? host.toLowerCase(),
    port: Number(a.port),
    transport,
    restricted: a.restricted === "true" || a.restricted === "1",
    hasCredentials: username !== undefined && password !== undefined,
    flags: rangeFlags(host, serverRange),
  };
  if (a.name !== undefined) service.name = quoted(a.name, MAX_NAME);
  if (namespace === NS_EXTDISCO_2 && a.expires !== undefined && a.expires.length <= MAX_TIME_TEXT && !Number.isNaN(Date.parse(a.expires))) {
    service.expires = a.expires;
  }
  if (namespace === NS_EXTDISCO_1 && /^\d{1,10}$/.test(a.ttl ?? "")) service.ttlSeconds = Number(a.ttl);
  return service.hasCredentials ? { service, credentials: { username: username!, password: password! } } : { service };
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** An IP address or a DNS host name, at most 253 characters (XEP-0215 hosts, XEP-0065 streamhosts). */
export function validHost(host: string): boolean {
  return host.length > 0 && host.length <= MAX_HOST && (parseIp(host) !== null || HOST_NAME.test(host));
}

/**
 * Why a service announced at `host` is out of reach for peers elsewhere, when the XMPP server at
 * `serverIp` is not in that kind of range itself (a test bed on loopback, a LAN server); [] when
 * it is reachable, or a host name (its addresses are the resolver's business).
 */
export function serviceFlags(host: string, serverIp: string | undefined): ServiceFlag[] {
  return rangeFlags(host, serverIp ? parseIp(serverIp)?.range : undefined);
}

function rangeFlags(host: string, serverRange: string | undefined): ServiceFlag[] {
  const ip = parseIp(host);
  if (!ip) return [];
  const flag = FLAG_RANGES[ip.range];
  if (!flag) return [];
  // A test bed or a LAN server announcing its own kind of address is reachable from where we are.
  if (flag.kind !== "unspecified" && serverRange === ip.range) return [];
  return [flag];
}
