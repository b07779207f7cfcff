# Shared helpers for Rollgate's shell scripts: paths, progress and timing.
# shellcheck shell=bash

ROLLGATE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROLLGATE_CACHE=${ROLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rollgate}
ROLLGATE_TOOLCHAIN=${ROLLGATE_TOOLCHAIN:-$ROLLGATE_CACHE/toolchain}
ROLLGATE_BIN=$ROLLGATE_TOOLCHAIN/bin
ROLLGATE_STATE_DIR=${ROLLGATE_STATE_DIR:-$ROLLGATE_ROOT/.rollgate}
export ROLLGATE_ROOT ROLLGATE_CACHE ROLLGATE_TOOLCHAIN ROLLGATE_BIN ROLLGATE_STATE_DIR

step() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# timed LABEL CMD...: runs CMD and reports how long it took.
timed() {
  local label=$1 start status=0
  shift
  start=$(date +%s)
  "$@" || status=$?
  info "$label took $(($(date +%s) - start))s"
  return $status
}
