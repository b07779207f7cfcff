#!/usr/bin/env bash
# Releases an image to an environment through the Rollgate service: a canary
# release that analyses metrics at every traffic step and rolls itself back.
# Fails when the release does not finish successfully (rolled back, aborted,
# failed) or the CLI cannot run it.
#
#   scripts/pipeline/release.sh [ENV]     (default: production)
#
# Environment:
#   ROLLGATE_URL, ROLLGATE_TOKEN (a token that may start releases), ROLLGATE_CLI as for preview-up.sh
#   ROLLGATE_IMAGE   image to release (required; production requires @sha256: digests)
#   ROLLGATE_COMMIT_SHA              full 40-hex commit SHA recorded with the release (optional)
#   ROLLGATE_RELEASE_TIMEOUT_SECONDS stop waiting (and fail) after this long (optional)
#   ROLLGATE_RELEASE_STEPS           canary weights, e.g. 5,25,50,100 (optional; --steps)
#   ROLLGATE_RELEASE_PAUSE_SECONDS   seconds each step holds its weight before analysis (optional; --pause)
#   ROLLGATE_RELEASE_ANALYSIS_FILE   JSON file with the analysis settings, relative to the repository root
#                                    (optional; --analysis-file)
# Unset, the service's defaults apply. The CLI validates each value; its error
# names the flag, and the log line before it names the variable.
#
# Runs `rollgate release start --env ENV --image IMAGE --wait --json`; the
# summary lists the analysis of every step, so a rollback names its metric.
# Exit: 0 released, 1 rolled back, aborted, failed, still running at the timeout or the service unreachable (the
# summary says which, from the CLI's exit code), 2 usage error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

[ $# -le 1 ] || die "usage: release.sh [ENV]" 2
env=${1:-production}
require_env ROLLGATE_IMAGE

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rollgate-release.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "== release: $ROLLGATE_IMAGE to $env through ${ROLLGATE_URL:-http://127.0.0.1:7070}"
args=(release start --env "$env" --image "$ROLLGATE_IMAGE" --wait --json)
# option VARIABLE FLAG: passes $VARIABLE as FLAG when it is set, saying so in the log.
option() {
  [ -n "${!1:-}" ] || return 0
  args+=("$2" "${!1}")
  log "   $2 ${!1} (from $1)"
}
option ROLLGATE_COMMIT_SHA --sha
option ROLLGATE_RELEASE_TIMEOUT_SECONDS --timeout
option ROLLGATE_RELEASE_STEPS --steps
option ROLLGATE_RELEASE_PAUSE_SECONDS --pause
option ROLLGATE_RELEASE_ANALYSIS_FILE --analysis-file

set +e
rollgate "${args[@]}" 2>&1 >"$work/out.json" | tee "$work/err.log" >&2
status=${PIPESTATUS[0]}
set -e
report release "$env" "$status" "$work/out.json" "$work/err.log"
