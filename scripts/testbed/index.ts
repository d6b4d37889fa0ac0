// The test bed: throwaway Prosody and ejabberd servers on loopback for integration tests.
import { attachEjabberd, ejabberdUnavailable } from "./ejabberd";
import { attachProsody, prosodyUnavailable } from "./prosody";
import type { ServerInfo, ServerKind, XmppServer } from "./types";

export { makeCertificates, type Certs } from "./certs";
export { freePorts, LOOPBACK } from "./ports";
export { randomAccounts } from "./users";
export {
  attachProsody,
  hasProsody,
  IPCHECK_MODULE,
  prosodyUnavailable,
  startProsody,
  type ProsodyOptions,
} from "./prosody";
export {
  attachEjabberd,
  ejabberdUnavailable,
  hasEjabberd,
  startEjabberd,
  type EjabberdOptions,
} from "./ejabberd";
export type * from "./types";

/** Why a server of this kind (Prosody with mod_ipcheck) cannot run here, or undefined. */
export function unavailable(kind: ServerKind): string | undefined {
  return kind === "prosody" ? prosodyUnavailable() : ejabberdUnavailable();
}

/** A handle on an instance described by `describe()`, typically in another process. */
export function attach(info: ServerInfo): XmppServer {
  return info.kind === "prosody" ? attachProsody(info) : attachEjabberd(info);
}
export { dnsmasqUnavailable, startDnsmasq, type Dnsmasq, type DnsmasqOptions, type SrvSpec } from "./dnsmasq";
export { inNetns, Lab, netnsUnavailable, removeStaleNamespaces, waitUntilListeningIn } from "./netns";
