// Where else to send a Binding for the mapping tests of RFC 5780 §4.3: test II, the server's other
// IP on the port first asked; test III, the other IP and other port. Only when OTHER-ADDRESS names
// a different IP than the one asked: coturn names its second listening IP even when asked there.
import { normaliseIp } from "../ip";
import type { TransportAddress } from "./attributes/address";
import type { Endpoint } from "./transaction";

export function rfc5780Destinations(asked: Endpoint, other: TransportAddress | undefined): Endpoint[] {
  if (!other || other.port === 0 || normaliseIp(other.ip) === normaliseIp(asked.ip)) return [];
  if (other.ip.includes(":") !== asked.ip.includes(":")) return [];
  const ip = normaliseIp(other.ip);
  return [
    { ip, port: asked.port },
    ...(other.port !== asked.port ? [{ ip, port: other.port }] : []),
  ];
}
