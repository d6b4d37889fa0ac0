// The machine and the versions a report names: what a number was measured on.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { EXTRA_CA_CERTS, PYTHON, REF_LABEL, ROOT } from "./config";

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function countCertificates(file: string): string {
  try {
    return String(readFileSync(file, "utf8").split("-----BEGIN CERTIFICATE-----").length - 1);
  } catch {
    return "unreadable";
  }
}

export type Environment = ReturnType<typeof environment>;

export function environment() {
  const cpu = os.cpus()[0]?.model?.trim() ?? "unknown CPU";
  const version = process.env.XMPP_SIC_VERSION ?? JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  const ref = REF_LABEL;
  const commit = tryRun("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]);
  const dirty = tryRun("git", ["-C", ROOT, "status", "--porcelain", "--", "src"]) !== "";
  const pkg = (name: string) => tryRun("dpkg-query", ["-W", "-f=${Version}", name]) || "not installed";
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    machine: `${cpu}, ${os.availableParallelism()} cores available (${os.cpus().length} CPUs), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    node: process.version,
    prosody: pkg("prosody"),
    ejabberd: pkg("ejabberd"),
    slixmpp:
      tryRun(PYTHON, ["-c", "import slixmpp, sys; print(slixmpp.__version__, '(Python ' + sys.version.split()[0] + ')')"]) ||
      "not installed (apt-get install python3-slixmpp)",
    load: os.loadavg().map((l) => l.toFixed(2)).join(", "),
    extraCa: EXTRA_CA_CERTS ? `set: ${EXTRA_CA_CERTS} (${countCertificates(EXTRA_CA_CERTS)} certificates), inherited by every Node child` : "unset",
    xmppSic: ref
      ? `${version}, src/ as committed at ${ref} (\`npm run bench -- --ref ...\`; the working tree's src/ not used)`
      : `${version}${commit ? `, commit ${commit}` : ""}${dirty ? " + uncommitted changes in src/" : ""}`,
  };
}
