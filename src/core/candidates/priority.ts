// Candidate priorities and foundations.
// ICE (RFC 8445 §5.1.2.1): priority = 2^24·type preference + 2^8·local preference + (256 − component),
//   recommended type preferences host 126, peer-reflexive 110, server-reflexive 100, relayed 0.
// SOCKS5 Bytestreams in Jingle (XEP-0260 §2.2): priority = 2^16·type preference + local preference,
//   type preferences direct 126, assisted 120, tunnel 110, proxy 10.
// Foundation (RFC 8445 §5.1.1.3): equal for candidates of the same type, base IP, STUN/TURN
//   server IP and transport protocol; here a short hash of exactly those four.
import { crc32 } from "../stun/crc32";

export type IceType = "host" | "srflx" | "prflx" | "relay";
export type S5bType = "direct" | "assisted" | "tunnel" | "proxy";

export const ICE_TYPE_PREFERENCE: Record<IceType, number> = { host: 126, prflx: 110, srflx: 100, relay: 0 };
export const S5B_TYPE_PREFERENCE: Record<S5bType, number> = { direct: 126, assisted: 120, tunnel: 110, proxy: 10 };

export const MAX_LOCAL_PREFERENCE = 65535;

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} must be an integer from 0 to ${max}`);
}

export function icePriority(type: IceType, localPreference = MAX_LOCAL_PREFERENCE, component = 1): number {
  checkRange("local preference", localPreference, MAX_LOCAL_PREFERENCE);
  checkRange("component", component, 256);
  return ICE_TYPE_PREFERENCE[type] * 2 ** 24 + localPreference * 2 ** 8 + (256 - component);
}

export function s5bPriority(type: S5bType, localPreference = 0): number {
  checkRange("local preference", localPreference, MAX_LOCAL_PREFERENCE);
  return S5B_TYPE_PREFERENCE[type] * 2 ** 16 + localPreference;
}

export function foundation(type: string, baseIp: string, serverIp: string | null, protocol: "udp" | "tcp"): string {
  return String(crc32(`${type}|${baseIp}|${serverIp ?? ""}|${protocol}`));
}
