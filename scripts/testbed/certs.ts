// Throwaway X.509 material for one test-bed server, made with the openssl CLI: a CA, a server
// certificate for "localhost" signed by it, and a second, unrelated CA for "unknown CA" tests.
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Certs {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Server certificate followed by its key, the single-file form ejabberd's certfiles wants. */
  certAndKeyFile: string;
  /** A CA that signed nothing the server presents. */
  otherCaFile: string;
  /** SHA-256 of the server certificate DER, uppercase hex with colons (as openssl prints it). */
  fingerprint: string;
}

// Long enough that servers do not warn about expiry.
const DAYS = "365";
const KEY_ARGS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function openssl(args: string[]): Promise<void> {
  await run("openssl", args, { timeout: 15_000 });
}

async function makeCa(dir: string, name: string, cn: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await openssl([
    "req", "-x509", ...KEY_ARGS, "-keyout", key, "-out", cert, "-days", DAYS, "-subj", `/CN=${cn}`,
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { cert, key };
}

export async function makeCertificates(dir: string): Promise<Certs> {
  const ca = await makeCa(dir, "ca", "xmpp-sic test bed CA");
  const other = await makeCa(dir, "other-ca", "xmpp-sic unrelated CA");

  const keyFile = join(dir, "server.key");
  const csr = join(dir, "server.csr");
  const certFile = join(dir, "server.crt");
  const extFile = join(dir, "server.ext");
  await openssl(["req", "-new", ...KEY_ARGS, "-keyout", keyFile, "-out", csr, "-subj", "/CN=localhost"]);
  await writeFile(extFile, [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
    "",
  ].join("\n"));
  await openssl([
    "x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial",
    "-days", DAYS, "-extfile", extFile, "-out", certFile,
  ]);

  const certPem = await readFile(certFile, "utf8");
  const certAndKeyFile = join(dir, "server-with-key.pem");
  await writeFile(certAndKeyFile, certPem + (await readFile(keyFile, "utf8")));

  // The servers may run as their own system users; these keys protect nothing real.
  for (const file of [certFile, keyFile, certAndKeyFile, ca.cert, other.cert]) await chmod(file, 0o644);

  return {
    caFile: ca.cert,
    certFile,
    keyFile,
    certAndKeyFile,
    otherCaFile: other.cert,
    fingerprint: new X509Certificate(certPem).fingerprint256,
  };
}
