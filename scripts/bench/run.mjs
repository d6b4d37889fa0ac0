// `npm run bench`: bundles the benchmark (scripts/bench/bench.ts) and, into a private dir, the
// production CLI exactly as `node scripts/build.mjs --production` builds dist/cli.js (same esbuild
// options), then runs the benchmark in a child Node with --expose-gc. Private output (.cache/bench/,
// git-ignored) so a concurrent `npm run build` or test build in the same tree cannot swap the CLI
// mid-run. The extension section packages its own .vsix (`npm run package`, in a staging copy).
//
//   npm run bench [-- --quick] [-- --no-write] [-- --only rtt,warm] [-- --ref REF]   (-- --help lists all)
//
// --ref REF measures src/ as committed at git REF (e.g. HEAD, a commit, a branch) instead of the
// working tree's: src/ is extracted with `git archive` and every import of src/ (the CLI, the
// bench's own in-process checks) is redirected there. The harness itself, the test bed and the
// extension's .vsix still come from the working tree. For before/after comparisons, and for
// measuring while src/ is mid-edit.
import * as esbuild from "esbuild";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const outDir = join(root, ".cache", "bench");
const distDir = join(outDir, "dist");

const args = process.argv.slice(2);
const refAt = args.indexOf("--ref");
const ref = refAt >= 0 ? args[refAt + 1] : undefined;
if (refAt >= 0) {
  if (!ref) throw new Error("--ref needs a git revision, e.g. --ref HEAD");
  args.splice(refAt, 2);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(distDir, { recursive: true });

const git = (...a) => execFileSync("git", ["-C", root, ...a], { maxBuffer: 256 * 2 ** 20 });
let srcRoot = root;
let version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
let refLabel = "";
if (ref) {
  const sha = git("rev-parse", "--verify", `${ref}^{commit}`).toString().trim();
  srcRoot = join(outDir, `ref-${sha.slice(0, 12)}`);
  mkdirSync(srcRoot, { recursive: true });
  execFileSync("tar", ["-x", "-C", srcRoot], { input: git("archive", "--format=tar", sha, "src") });
  version = JSON.parse(git("show", `${sha}:package.json`).toString()).version;
  refLabel = `${ref} = ${sha.slice(0, 12)}`;
}

/** With --ref: imports that land in the working tree's src/ go to the extracted src/ instead. */
const redirectSrc = {
  name: "redirect-src",
  setup(build) {
    if (srcRoot === root) return;
    const workingSrc = join(root, "src") + sep;
    build.onResolve({ filter: /^\.\.?\// }, (a) => {
      const target = resolve(a.resolveDir, a.path);
      if (!target.startsWith(workingSrc)) return undefined;
      const mapped = join(srcRoot, relative(root, target));
      for (const candidate of [mapped, `${mapped}.ts`, join(mapped, "index.ts"), mapped.replace(/\.js$/, ".ts")]) {
        if (existsSync(candidate) && !candidate.endsWith(sep) && candidate.match(/\.[cm]?[jt]s$/)) return { path: candidate };
      }
      return { errors: [{ text: `${relative(root, target)} does not exist at ${refLabel}` }] };
    });
  },
};

// Keep in step with scripts/build.mjs (its `common` with production = true).
const production = {
  define: { __VERSION__: JSON.stringify(version) },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: false,
  minify: true,
  logLevel: "warning",
  legalComments: "none",
  absWorkingDir: root,
  // Files extracted for --ref live outside the tree; their packages are the tree's.
  nodePaths: [join(root, "node_modules")],
  plugins: [redirectSrc],
};

process.stderr.write(`bench: bundling the production CLI${refLabel ? ` (src/ at ${refLabel})` : ""}, and the benchmark …\n`);
await Promise.all([
  esbuild.build({ ...production, entryPoints: { cli: join(srcRoot, "src/cli/main.ts") }, outdir: distDir, banner: { js: "#!/usr/bin/env node" } }),
  esbuild.build({
    ...production,
    minify: false,
    sourcemap: "inline",
    entryPoints: { bench: "scripts/bench/bench.ts" },
    outdir: outDir,
    outExtension: { ".js": ".cjs" },
  }),
]);

// TLS key logs of the round-trip section (for its decrypted view) go here.
const keylogDir = join(outDir, "keylog");
mkdirSync(keylogDir);
const child = spawn(process.execPath, ["--expose-gc", "--enable-source-maps", join(outDir, "bench.cjs"), ...args], {
  stdio: "inherit",
  env: {
    ...process.env,
    XMPP_SIC_BENCH_ROOT: root,
    XMPP_SIC_BENCH_DIST: distDir,
    XMPP_SIC_BENCH_KEYLOG_DIR: keylogDir,
    XMPP_SIC_BENCH_WORK: outDir,
    XMPP_SIC_BENCH_REF: refLabel,
    XMPP_SIC_VERSION: version,
  },
});
// The bench cleans up on SIGINT/SIGTERM itself; pass them on and wait for it.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
