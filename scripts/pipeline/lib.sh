# Shared by the pipeline scripts: the project's toolchain environment, the
# step summary and the rollgate CLI.
# shellcheck shell=bash

PIPELINE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../env.sh
source "$PIPELINE_DIR/../env.sh"
REPO_ROOT=$ROLLGATE_ROOT

log() { printf '%s\n' "$*" >&2; }

# die MESSAGE [CODE]: an error annotation in GitHub Actions, then exit (default 1).
die() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    printf '::error::%s\n' "$1"
  fi
  printf 'error: %s\n' "$1" >&2
  exit "${2:-1}"
}

# require_env NAME...: usage error (exit 2) naming the first unset variable.
require_env() {
  local name
  for name in "$@"; do
    [ -n "${!name:-}" ] || die "$name must be set (see docs/pipeline.md)" 2
  done
}

tsx() { "$REPO_ROOT/node_modules/.bin/tsx" "$@"; }

# report KIND ARGS...: job summary and annotations for a step's result
# (scripts/pipeline/report.ts); exits non-zero when the step failed.
report() { tsx "$PIPELINE_DIR/report.ts" "$@"; }

# The rollgate CLI: ROLLGATE_CLI (an executable) when set, else this checkout's.
rollgate() {
  if [ -n "${ROLLGATE_CLI:-}" ]; then
    "$ROLLGATE_CLI" "$@"
  else
    tsx "$REPO_ROOT/automation/cli/main.ts" "$@"
  fi
}
