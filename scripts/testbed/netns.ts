// Test hosts of our own, made of Linux network namespaces joined by veth pairs, with nftables
// rules on a router namespace: real NATs for the NAT hint to be tested through. Needs root, `ip`
// (iproute2) and `nft` (nftables).
//
// Only documentation addresses are assigned (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32), and
// every namespace gets its own /etc/netns/<name>/resolv.conf naming its own loopback, so nothing
// run inside one (`ip netns exec` bind-mounts that file over /etc/resolv.conf) can send a DNS
// query to the host's resolver. Namespace names carry the creating process's pid, so namespaces
// left behind by a killed run are recognised and removed by the next one.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { runTool } from "./process";

export const IP = "/usr/sbin/ip";
export const NFT = "/usr/sbin/nft";
export const SS = "/usr/bin/ss";
const PREFIX = "xsic";

/** Why network-namespace tests cannot run here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces and nftables need root";
  for (const [tool, pkg] of [[IP, "iproute2"], [SS, "iproute2"], [NFT, "nftables"]] as const) {
    if (!existsSync(tool)) return `${tool} is missing (apt-get install ${pkg})`;
  }
  return undefined;
}

/** Runs a command inside a namespace to completion; rejects with its output on failure. */
export function inNetns(netns: string, command: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) return runTool(IP, ["netns", "exec", netns, command, ...args]);
  return new Promise((resolve, reject) => {
    const child = execFile(IP, ["netns", "exec", netns, command, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} in ${netns} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `ss` inside the namespace until every ip:port has a listening TCP socket. */
export async function waitUntilListeningIn(
  netns: string,
  endpoints: { ip: string; port: number }[],
  timeoutMs: number,
  gaveUp: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const key = (ip: string, port: number) => `${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
  for (;;) {
    if (gaveUp()) throw new Error("server exited before it was listening");
    // Local address is the 4th column of `ss -Hltn`: 198.51.100.10:5222, [2001:db8:2::10]:5222.
    const listening = new Set((await inNetns(netns, SS, ["-Hltn"])).split("\n").map((line) => line.trim().split(/\s+/)[3]));
    const missing = endpoints.filter(({ ip, port }) => !listening.has(key(ip, port)));
    if (missing.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`not listening in ${netns} on ${missing.map(({ ip, port }) => key(ip, port)).join(", ")} after ${timeoutMs} ms`);
    }
    await sleep(100);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function listNetns(): string[] {
  return execFileSync(IP, ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.split(" ")[0]!)
    .filter(Boolean);
}

function deleteNetnsSync(name: string): void {
  try {
    execFileSync(IP, ["netns", "delete", name], { stdio: "ignore" });
  } catch {
    // already gone
  }
  rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
}

/** Removes namespaces (and their /etc/netns files) that killed earlier runs left behind. */
export function removeStaleNamespaces(): string[] {
  const isStale = (name: string) => {
    const match = new RegExp(`^${PREFIX}-(\\d+)-[0-9a-f]+-`).exec(name);
    return match !== null && Number(match[1]) !== process.pid && !alive(Number(match[1]));
  };
  const etc = existsSync("/etc/netns") ? readdirSync("/etc/netns") : [];
  const stale = [...new Set([...listNetns(), ...etc])].filter(isStale);
  stale.forEach(deleteNetnsSync);
  return stale;
}

export interface Interface {
  /** The interface's name inside its namespace. */
  name: string;
  /** Addresses with prefix length, e.g. "192.0.2.10/24", "2001:db8:1::10/64". */
  addresses: string[];
}

/**
 * One test's set of namespaces. Everything it creates is removed by destroy(), and by a process
 * 'exit' handler should the test process end first.
 */
export class Lab {
  readonly id = randomBytes(2).toString("hex");
  private readonly namespaces: string[] = [];
  private links = 0;
  private readonly onExit = () => this.destroySync();

  private constructor() {
    process.once("exit", this.onExit);
  }

  static create(): Lab {
    removeStaleNamespaces();
    return new Lab();
  }

  /** A new namespace with loopback up, its own resolv.conf and, optionally, hosts file lines. */
  async namespace(role: string, hosts: string[] = []): Promise<string> {
    const name = `${PREFIX}-${process.pid}-${this.id}-${role}`;
    await runTool(IP, ["netns", "add", name]);
    this.namespaces.push(name);
    await mkdir(`/etc/netns/${name}`, { recursive: true });
    await writeFile(`/etc/netns/${name}/resolv.conf`, "# xmpp-sic test namespace: DNS stays inside it\nnameserver 127.0.0.1\n");
    await writeFile(`/etc/netns/${name}/hosts`, ["127.0.0.1 localhost", "::1 localhost", ...hosts, ""].join("\n"));
    await runTool(IP, ["-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  /** A veth pair between two namespaces, addressed and up; IPv6 without duplicate detection. */
  async link(a: string, aAddresses: string[], b: string, bAddresses: string[]): Promise<[Interface, Interface]> {
    const n = this.links++;
    // Interface names have at most 15 characters.
    const ends: [string, string[], string][] = [
      [a, aAddresses, `xs${this.id}${n}a`],
      [b, bAddresses, `xs${this.id}${n}b`],
    ];
    await runTool(IP, ["link", "add", ends[0][2], "type", "veth", "peer", "name", ends[1][2]]);
    for (const [netns, addresses, dev] of ends) {
      await runTool(IP, ["link", "set", dev, "netns", netns]);
      for (const address of addresses) {
        await runTool(IP, ["-n", netns, "addr", "add", address, "dev", dev, ...(address.includes(":") ? ["nodad"] : [])]);
      }
      await runTool(IP, ["-n", netns, "link", "set", dev, "up"]);
    }
    return [
      { name: ends[0][2], addresses: aAddresses },
      { name: ends[1][2], addresses: bAddresses },
    ];
  }

  async defaultRoutes(netns: string, via: { ipv4?: string; ipv6?: string }): Promise<void> {
    if (via.ipv4) await runTool(IP, ["-n", netns, "route", "add", "default", "via", via.ipv4]);
    if (via.ipv6) await runTool(IP, ["-n", netns, "-6", "route", "add", "default", "via", via.ipv6]);
  }

  async sysctl(netns: string, ...settings: string[]): Promise<void> {
    await inNetns(netns, "/usr/sbin/sysctl", ["-qw", ...settings]);
  }

  /** Replaces the namespace's whole nftables ruleset (empty text: no rules). */
  async nftables(netns: string, ruleset: string): Promise<void> {
    await inNetns(netns, NFT, ["-f", "-"], `flush ruleset\n${ruleset}\n`);
  }

  async destroy(): Promise<void> {
    process.off("exit", this.onExit);
    for (const name of this.namespaces.splice(0)) {
      await runTool(IP, ["netns", "delete", name]).catch(() => undefined);
      await rm(`/etc/netns/${name}`, { recursive: true, force: true });
    }
  }

  /** For process 'exit' handlers, which cannot wait. Deleting a namespace deletes its veths. */
  destroySync(): void {
    this.namespaces.splice(0).forEach(deleteNetnsSync);
  }
}
