// The first Binding of a known server leaves with the session, not after it: the STUN services the
// server profile remembered (questions/extdisco.ts) are probed as soon as the pipelined questions
// start, from the address the kernel would use towards the first STUN server. When the session
// ends, the early probe is taken only if it fits (the same local address as the TCP connection,
// the same services as the server announces now); otherwise it is dropped and the check probes
// afresh, as on a first contact.
import { createSocket } from "node:dgram";
import { parseIp } from "./ip";
import type { RememberedService } from "./questions/extdisco";
import { probedServices, startProbe, type ProbeRun } from "./udpPicture";

export interface EarlyProbe {
  /** Starts probing the remembered services (at most once per check). */
  start(services: readonly RememberedService[]): void;
  /** The early probe when it fits this session, else null (and it is closed). */
  take(localIp: string, services: readonly RememberedService[]): Promise<ProbeRun | null>;
  /** Closes whatever was started and not taken. */
  dispose(): Promise<void>;
}

export function earlyProbe(options: { deadline: () => number; signal?: AbortSignal; note?: (d: "in" | "out", s: string) => void }): EarlyProbe {
  let started: Promise<ProbeRun | null> | null = null;
  return {
    start(services) {
      if (started) return;
      started = (async () => {
        const first = probedServices(services).find((s) => parseIp(s.host) !== null);
        const source = first ? await sourceAddressTowards(first.host, first.port) : null;
        const parsed = source ? parseIp(source) : null;
        if (!parsed) return null;
        const { signal, note } = options;
        return startProbe({ services, localIp: parsed.ip, family: parsed.family, deadline: options.deadline(), ...(signal ? { signal } : {}), ...(note ? { note } : {}) });
      })().catch(() => null);
    },
    async take(localIp, services) {
      const run = await started;
      if (!run) return null;
      if (run.localIp === parseIp(localIp)?.ip && key(run.services) === key(services)) return run;
      run.socket.close();
      return null;
    },
    async dispose() {
      (await started)?.socket.close();
    },
  };
}

const key = (services: readonly RememberedService[]) =>
  JSON.stringify(probedServices(services).map((s) => `${s.host}|${s.port}`).sort());

/** The source address the kernel picks towards host:port (a connected UDP socket; nothing is sent). */
function sourceAddressTowards(host: string, port: number): Promise<string | null> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  return new Promise((resolve) => {
    socket.once("error", () => {
      socket.close();
      resolve(null);
    });
    socket.connect(port, host, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
