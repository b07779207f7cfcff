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
#
# Runs `rollgate release start --env ENV --image IMAGE --wait --json`; the
# summary lists the analysis of every step, so a rollback names its metric.
# Exit: 0 released, 1 rolled back or failed, 2 usage error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

[ $# -le 1 ] || die "usage: release.sh [ENV]" 2
env=${1:-production}
require_env ROLLGATE_IMAGE

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rollgate-release.XXXXXX")
trap 'rm -rf "$work"' EXIT

args=(release start --env "$env" --image "$ROLLGATE_IMAGE" --wait --json)
[ -z "${ROLLGATE_COMMIT_SHA:-}" ] || args+=(--sha "$ROLLGATE_COMMIT_SHA")
[ -z "${ROLLGATE_RELEASE_TIMEOUT_SECONDS:-}" ] || args+=(--timeout "$ROLLGATE_RELEASE_TIMEOUT_SECONDS")

log "== release: $ROLLGATE_IMAGE to $env through ${ROLLGATE_URL:-http://127.0.0.1:7070}"
set +e
rollgate "${args[@]}" 2>&1 >"$work/out.json" | tee "$work/err.log" >&2
status=${PIPESTATUS[0]}
set -e
report release "$env" "$status" "$work/out.json" "$work/err.log"
