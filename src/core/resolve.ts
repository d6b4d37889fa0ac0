// Finding the server the way a real client does (RFC 6120 §3.2, XEP-0368): the SRV records of the
// JID's domain for direct TLS (_xmpps-client) and STARTTLS (_xmpp-client), mixed into one list by
// priority and weight (RFC 2782); a "." target means the domain offers no such service; no SRV
// records at all means the domain itself on the default port. DNS goes through an injectable
// Resolver, so tests can point it at a DNS server of their own.
import dns from "node:dns";
import net from "node:net";
import type { TlsMode } from "./account";
import { SicError } from "./errors";
import { quoted } from "./text";

/** The longest DNS name (RFC 1035 §3.1). */
const MAX_NAME_CHARS = 253;

export const DEFAULT_PORTS: Record<TlsMode, number> = { starttls: 5222, direct: 5223, none: 5222 };

export interface SrvRecord {
  /** The target host; "" or "." means "this service is not offered here" (RFC 2782). */
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface Address {
  address: string;
  family: 4 | 6;
}

/** The two DNS questions a client asks. Errors carry node:dns codes (ENODATA, ENOTFOUND, ...). */
export interface Resolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** Every address of `host`, both families, in the order to try them. */
  lookup(host: string): Promise<Address[]>;
}

/** How the address dialled was found: SRV records, a host (or port) the user gave, or the domain itself. */
export type FoundBy = "srv" | "host" | "fallback";

export interface Target {
  host: string;
  port: number;
  tls: TlsMode;
  found: FoundBy;
  /** The SRV owner name the target came from, e.g. "_xmpps-client._tcp.example.org". */
  srv: string | null;
}

/** Answers that mean "no such records", as opposed to a DNS server that failed to answer. */
const NO_RECORDS = new Set<string>([dns.NODATA, dns.NOTFOUND]);

export function isNoRecords(err: unknown): boolean {
  return NO_RECORDS.has((err as NodeJS.ErrnoException)?.code ?? "");
}

/** RFC 6761 §6.3: names under "localhost." never go to DNS; only address queries have answers. */
function isLocalhostName(name: string): boolean {
  return /(^|\.)localhost\.?$/i.test(name);
}

/**
 * The machine's own DNS: SRV through a node:dns Resolver (the servers in /etc/resolv.conf, or
 * `servers` such as "127.0.0.1:5353"), addresses through getaddrinfo (so /etc/hosts counts), or,
 * when `servers` are given, through that same DNS server.
 */
export function systemResolver(options: { servers?: string[]; timeoutMs?: number } = {}): Resolver {
  const resolver = new dns.promises.Resolver({ timeout: options.timeoutMs ?? 3_000, tries: 2 });
  if (options.servers) {
    resolver.setServers(options.servers);
    return dnsResolver(resolver);
  }
  return {
    resolveSrv: (name) => (isLocalhostName(name) ? Promise.resolve([]) : resolver.resolveSrv(name)),
    async lookup(host) {
      const found = await dns.promises.lookup(host, { all: true });
      return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    },
  };
}

/** Both questions asked of one node:dns Resolver (e.g. one pointed at a test's own DNS server). */
export function dnsResolver(resolver: dns.promises.Resolver): Resolver {
  return {
    resolveSrv: (name) => resolver.resolveSrv(name),
    async lookup(host) {
      const [v6, v4] = await Promise.allSettled([resolver.resolve6(host), resolver.resolve4(host)]);
      const found: Address[] = [
        ...(v6.status === "fulfilled" ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
        ...(v4.status === "fulfilled" ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
      ];
      if (found.length > 0) return found;
      // Neither family: report a DNS failure over "no such records", which would hide it.
      const errors = [v6, v4].map((r) => (r as PromiseRejectedResult).reason);
      throw errors.find((e) => !isNoRecords(e)) ?? errors[0];
    },
  };
}

/** Remembers answers, so that several checks of one run (one per family) ask DNS once. */
export function cachingResolver(resolver: Resolver): Resolver {
  const srv = new Map<string, Promise<SrvRecord[]>>();
  const addresses = new Map<string, Promise<Address[]>>();
  const memo = <T>(map: Map<string, Promise<T>>, key: string, ask: () => Promise<T>) => {
    let answer = map.get(key);
    if (!answer) map.set(key, (answer = ask()));
    return answer;
  };
  return {
    resolveSrv: (name) => memo(srv, name.toLowerCase(), () => resolver.resolveSrv(name)),
    lookup: (host) => memo(addresses, host.toLowerCase(), () => resolver.lookup(host)),
  };
}

/** An IP literal needs no DNS; anything else is asked of the resolver. */
export function lookupHost(resolver: Resolver, host: string): Promise<Address[]> {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const family = net.isIP(bare);
  if (family !== 0) return Promise.resolve([{ address: bare, family: family === 6 ? 6 : 4 }]);
  return resolver.lookup(host);
}

/**
 * RFC 2782 order: ascending priority; within one priority, a weighted random draw where records
 * of weight 0 come first and have a small chance, the others one proportional to their weight.
 */
export function orderSrv<T extends { priority: number; weight: number }>(records: readonly T[], random: () => number = Math.random): T[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: T[] = [];
  for (const priority of priorities) {
    const same = records.filter((r) => r.priority === priority);
    const pool = [...same.filter((r) => r.weight === 0), ...same.filter((r) => r.weight !== 0)];
    while (pool.length > 0) {
      const total = pool.reduce((sum, r) => sum + r.weight, 0);
      const pick = Math.min(total, Math.floor(random() * (total + 1)));
      let running = 0;
      const index = pool.findIndex((r) => (running += r.weight) >= pick);
      ordered.push(pool.splice(index === -1 ? 0 : index, 1)[0]!);
    }
  }
  return ordered;
}

/** The SRV services to ask for a TLS mode; no mode asks for both and lets the records decide. */
function servicesFor(mode: TlsMode | undefined): { service: string; tls: TlsMode }[] {
  if (mode === "direct") return [{ service: "_xmpps-client._tcp", tls: "direct" }];
  if (mode === "starttls" || mode === "none") return [{ service: "_xmpp-client._tcp", tls: mode }];
  return [
    { service: "_xmpps-client._tcp", tls: "direct" },
    { service: "_xmpp-client._tcp", tls: "starttls" },
  ];
}

const isUnavailable = (r: SrvRecord) => r.name === "" || r.name === ".";

export interface TargetRequest {
  domain: string;
  /** Given by the user: then no SRV lookup happens. */
  host?: string;
  port?: number;
  /** Undefined: whichever the SRV records offer (direct TLS and STARTTLS mixed), else STARTTLS. */
  tls?: TlsMode;
}

/**
 * Where to connect, in the order to try. A host or port given by the user is used as-is; else the
 * SRV records of the domain; else the domain on the default port. Throws a `connect` SicError when
 * DNS fails or the domain's records say it offers no client service.
 */
export async function resolveTargets(request: TargetRequest, resolver: Resolver, random: () => number = Math.random): Promise<Target[]> {
  const { domain, tls } = request;
  if (request.host !== undefined || request.port !== undefined) {
    const mode = tls ?? "starttls";
    return [{ host: request.host ?? domain, port: request.port ?? DEFAULT_PORTS[mode], tls: mode, found: "host", srv: null }];
  }

  const services = servicesFor(tls);
  const answers = await Promise.all(
    services.map(async ({ service, tls: mode }) => {
      const name = `${service}.${domain}`;
      try {
        return { name, mode, records: await resolver.resolveSrv(name), error: undefined };
      } catch (error) {
        return { name, mode, records: [] as SrvRecord[], error: isNoRecords(error) ? undefined : (error as NodeJS.ErrnoException) };
      }
    }),
  );

  const usable = answers.flatMap(({ name, mode, records }) =>
    // A target name is DNS data, shown in results and messages: displayable, and no longer than a name can be.
    records.filter((r) => !isUnavailable(r)).map((r) => ({ ...r, name: quoted(r.name.replace(/\.$/, ""), MAX_NAME_CHARS), mode, srv: name })),
  );
  if (usable.length > 0) {
    const seen = new Set<string>();
    return orderSrv(usable, random)
      .map((r): Target => ({ host: r.name, port: r.port, tls: r.mode, found: "srv", srv: r.srv }))
      .filter((t) => {
        const key = `${t.host.toLowerCase()} ${t.port} ${t.tls}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
  }

  const failed = answers.find((a) => a.error);
  if (failed?.error) {
    throw new SicError(
      "connect",
      `DNS did not answer the SRV query for ${failed.name} (${failed.error.code ?? failed.error.message}), so the server of ${domain} ` +
        `cannot be found.`,
      { cause: failed.error, reason: "dns-unanswered" },
    );
  }
  const refused = answers.filter((a) => a.records.some(isUnavailable));
  if (refused.length > 0) {
    // RFC 6120 §3.2.1 and XEP-0368: a "." target rules out the A/AAAA fallback.
    throw new SicError(
      "connect",
      `${domain} says in DNS that it offers no XMPP client service: ${refused.map((a) => a.name).join(" and ")} ` +
        `${refused.length > 1 ? "point" : "points"} to ".".`,
      { reason: "no-xmpp-service" },
    );
  }
  const mode = tls ?? "starttls";
  return [{ host: domain, port: DEFAULT_PORTS[mode], tls: mode, found: "fallback", srv: null }];
}

/** Rejects with the signal's reason as soon as it aborts; DNS itself cannot be interrupted. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Why a host name gave no address: what happened (no full stop), and what to do. */
export function describeLookupError(host: string, err: unknown): { what: string; advice: string } {
  const code = (err as NodeJS.ErrnoException)?.code ?? "";
  if (isNoRecords(err) || code === "EAI_NONAME") return { what: `The host ${host} could not be found in DNS`, advice: "Check the host name." };
  return { what: `DNS did not answer for the host ${host} (${code || String(err)})`, advice: "Check your network or DNS resolver." };
}
