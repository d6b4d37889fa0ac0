#!/usr/bin/env bash
# Installs code-server (VS Code in a browser, with a real Node extension host) from the npm
# registry, for the tests that run the extension inside VS Code (test/vscode/). Nothing is
# downloaded from anywhere but the npm registry: every step that would fetch a prebuilt binary
# from elsewhere is skipped (--ignore-scripts) and done by hand from Debian packages instead.
#
# The result lives outside the repository, keyed by version:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/xmpp-sic/code-server-<version>
# It is built in a temp dir beside it and moved into place only when complete, so an interrupted
# install is never mistaken for a cached one; a lock serialises concurrent runs.
#
# Needs the Debian packages that scripts/install-system-deps.sh installs (ripgrep, pkg-config,
# build tools, libkrb5-dev, libxkbfile-dev, libsecret-1-dev). Without them, or without Node 20
# (code-server 4.100 requires it), it says why and exits 0: the VS Code tests then skip.
#
# Env: CODE_SERVER_VERSION overrides the version (test/vscode/codeServer.ts must agree).
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/xmpp-sic"
DEST="$CACHE_ROOT/code-server-$VERSION"
ENTRY="node_modules/code-server/out/node/entry.js"

if [ -f "$DEST/.complete" ] && [ -f "$DEST/$ENTRY" ]; then
  echo "code-server $VERSION: cached in $DEST"
  exit 0
fi

skip() {
  echo "code-server $VERSION: not installed: $*; the VS Code tests will be skipped" >&2
  exit 0
}

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || skip "code-server $VERSION needs Node 20, this is Node $node_major"
for tool in rg pkg-config make g++ python3; do
  command -v "$tool" >/dev/null || skip "no $tool (run scripts/install-system-deps.sh as root)"
done
for lib in krb5-gssapi xkbfile libsecret-1; do
  pkg-config --exists "$lib" || skip "no $lib development files (run scripts/install-system-deps.sh as root)"
done

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.install-code-server.lock"
flock 9
# Someone else may have finished the install while we waited for the lock.
if [ -f "$DEST/.complete" ] && [ -f "$DEST/$ENTRY" ]; then
  echo "code-server $VERSION: cached in $DEST"
  exit 0
fi

started=$SECONDS
WORK="$(mktemp -d "$CACHE_ROOT/.code-server-$VERSION.partial.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# Leftovers of interrupted earlier runs (we hold the lock, so none is in progress).
find "$CACHE_ROOT" -maxdepth 1 -name ".code-server-*.partial.*" ! -path "$WORK" -exec rm -rf {} +

export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
step() { echo "code-server $VERSION: $* ($((SECONDS - started)) s)"; }

cd "$WORK"
printf '{ "name": "xmpp-sic-code-server", "private": true }\n' > package.json

step "npm install code-server (scripts off: its postinstall would fetch ripgrep from GitHub)"
npm install --ignore-scripts --no-save code-server@"$VERSION" >"$WORK/npm.log" 2>&1 || {
  cat "$WORK/npm.log" >&2
  exit 1
}

# What code-server's own postinstall.sh does, with the download replaced by Debian's ripgrep.
VSCODE="$WORK/node_modules/code-server/lib/vscode"
run_logged() {
  local log="$WORK/step.log"
  "$@" >"$log" 2>&1 || {
    cat "$log" >&2
    echo "code-server $VERSION: failed: $* (in $(pwd))" >&2
    exit 1
  }
}

cd "$VSCODE"
step "npm install in lib/vscode"
run_logged npm install --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
step "build native modules in lib/vscode"
run_logged npm rebuild @parcel/watcher @vscode/spdlog kerberos node-pty native-watchdog @vscode/deviceid
ln -sfn node_modules node_modules.asar
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh

cd "$VSCODE/extensions"
step "npm install in lib/vscode/extensions"
run_logged npm install --omit=dev

cd "$WORK"
step "build argon2"
run_logged npm rebuild argon2

step "smoke test"
# code-server writes a default config file on any start: keep it out of $HOME.
version_line="$(XDG_CONFIG_HOME="$WORK/.smoke" XDG_DATA_HOME="$WORK/.smoke" node "$WORK/$ENTRY" --version 2>/dev/null | tail -1)"
rm -rf "$WORK/.smoke"
case "$version_line" in
  "$VERSION "*) ;;
  *)
    echo "code-server $VERSION: unexpected --version output: $version_line" >&2
    exit 1
    ;;
esac
for native in kerberos/build/Release/kerberos.node @vscode/spdlog/build/Release/spdlog.node \
  node-pty/build/Release/pty.node native-watchdog/build/Release/watchdog.node; do
  [ -f "$VSCODE/node_modules/$native" ] || {
    echo "code-server $VERSION: native module missing after rebuild: $native" >&2
    exit 1
  }
done

rm -f "$WORK/npm.log" "$WORK/step.log"
echo "$version_line" > "$WORK/.complete"
rm -rf "$DEST"
mv -T "$WORK" "$DEST"
trap - EXIT
echo "code-server $VERSION: installed in $DEST in $((SECONDS - started)) s"
