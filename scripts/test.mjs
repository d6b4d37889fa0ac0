// `npm test`, `npm run test:unit`, `npm run test:vscode`: builds the tests into a directory of this
// run's own (out/run-<pid>/, removed at the end) and runs them from there, so two runs in one tree
// (say `npm test` and `npm run test:unit`) never delete or replace each other's build.
//
//   node scripts/test.mjs [--typecheck] [--unit] [TARGET …]
//
// --unit runs the unit tier (or the TARGETs) with node's test runner alone (no servers). Otherwise out/…/run.cjs
// runs the TARGETs, or every tier, with the shared test-bed servers (test/run.ts). A TARGET is a
// tier or a built file relative to the run's directory ("integration", "vscode/ui.test.cjs"),
// or any path. --typecheck runs `tsc --noEmit -p .` between the build and the tests.
// A build to keep and rerun by hand: node scripts/build.mjs --tests && node out/test/run.cjs <paths>.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
const args = process.argv.slice(2);
const unit = args.includes("--unit");
const typecheck = args.includes("--typecheck");
const targets = args.filter((a) => a !== "--unit" && a !== "--typecheck");
const runDir = join("out", `run-${process.pid}`);

/** Removes the directories of earlier runs whose process is gone (killed before it could clean up). */
function removeStale() {
  if (!existsSync("out")) return;
  for (const name of readdirSync("out")) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0); // signal 0: only asks whether the process exists
    } catch (error) {
      if (error.code === "ESRCH") rmSync(join("out", name), { recursive: true, force: true });
    }
  }
}

let child;
/** Runs a command with this terminal; resolves with its exit code (128 + signal number when killed). */
function run(command, commandArgs) {
  return new Promise((resolve, reject) => {
    child = spawn(command, commandArgs, { stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
  });
}

// Ctrl-C reaches the child (same process group) by itself: wait for it to stop its servers, then
// clean up below. A SIGTERM sent to this process alone is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child?.kill("SIGTERM"));

async function main() {
  removeStale();
  let code = await run(process.execPath, ["scripts/build.mjs", "--tests", "--tests-dir", runDir]);
  if (code === 0 && typecheck) code = await run(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."]);
  if (code !== 0) return code;
  const resolved = targets.map((t) => (existsSync(join(runDir, t)) ? join(runDir, t) : t));
  if (unit) return run(process.execPath, ["--test", "--enable-source-maps", ...(resolved.length > 0 ? resolved : [join(runDir, "unit")])]);
  return run(process.execPath, [join(runDir, "run.cjs"), ...resolved]);
}

main()
  .then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  )
  .finally(() => rmSync(runDir, { recursive: true, force: true }));
