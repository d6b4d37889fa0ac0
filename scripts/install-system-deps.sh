#!/usr/bin/env bash
# Installs the Debian packages the test bed needs: the two real XMPP servers and openssl for
# throwaway certificates. Package post-install scripts must not start system-wide daemons
# (our tests start their own throwaway instances), so service starts are refused while we install.
set -euo pipefail

PACKAGES=(prosody prosody-modules ejabberd openssl ripgrep chromium fonts-dejavu-core build-essential pkg-config python3 python3-slixmpp libkrb5-dev libxkbfile-dev libsecret-1-dev nftables iproute2 dnsmasq coturn)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  # Not fatal: tests that need a missing server report themselves skipped with the reason.
  echo "missing Debian packages: ${missing[*]}; install them with: sudo bash scripts/install-system-deps.sh" >&2
  exit 0
fi

policy=/usr/sbin/policy-rc.d
had_policy=0
[ -e "$policy" ] && had_policy=1
if [ "$had_policy" = 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Whatever the packages managed to start despite the policy is not ours to keep running.
pkill -x prosody 2>/dev/null || true
pkill -f 'ejabberd' 2>/dev/null || true
pkill -x epmd 2>/dev/null || true
