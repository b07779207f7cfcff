#!/usr/bin/env bash
# CI setup: the Debian packages scripts/setup.sh expects (through sudo on
# hosted runners, which do not run as root), then scripts/setup.sh itself: npm
# dependencies, the toolchain (restored from the cache when its recipes did not
# change, else built with Go), the provider plugins and a passphrase.
#
#   scripts/pipeline/setup-ci.sh
#
# Exit: non-zero when anything is missing; the message says what.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

missing=()
for pair in etcd:etcd-server prometheus:prometheus openssl:openssl curl:curl; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "installing Debian packages: ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start their services; Rollgate runs its own instances.
  "${sudo[@]}" systemctl stop etcd prometheus 2>/dev/null || true
fi

bash "$here/../setup.sh"
