// `npm run demo`: the main job on a local default. Starts a throwaway Prosody (with mod_ipcheck)
// on loopback, registers a demo account, runs the real `xmpp-sic check` against it, and cleans up.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { hasProsody, startProsody } from "./testbed";

async function main(): Promise<number> {
  if (!hasProsody()) {
    process.stderr.write("Prosody is not installed. Run: sudo bash scripts/install-system-deps.sh\n");
    return 1;
  }
  const password = randomBytes(12).toString("base64url");
  process.stdout.write("Starting a throwaway Prosody on 127.0.0.1 with mod_ipcheck …\n");
  const server = await startProsody({ users: [{ user: "demo", password }] });
  try {
    const args = ["check", "demo@localhost", "--host", "127.0.0.1", "--port", String(server.starttlsPort), "--ca", server.certs.caFile];
    process.stdout.write(`$ XMPP_PASSWORD=… xmpp-sic ${args.join(" ")}\n\n`);
    return await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [join(__dirname, "cli.js"), ...args], {
        stdio: ["ignore", "inherit", "inherit"],
        // The demo server is gone afterwards: keep what the CLI learns about it out of the user's cache.
        env: { ...process.env, XMPP_PASSWORD: password, XDG_CACHE_HOME: server.dir },
      });
      child.on("exit", (code) => resolve(code ?? 1));
    });
  } finally {
    await server.stop();
  }
}

main().then((code) => {
  process.exitCode = code;
});
