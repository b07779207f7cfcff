#!/usr/bin/env bash
# Creates or updates the preview environment of a pull request through the
# Rollgate service, waits for it (rollout and smoke checks), and reports the
# URL and the smoke-check result to the job summary.
#
#   scripts/pipeline/preview-up.sh
#
# Environment:
#   ROLLGATE_URL        the Rollgate service (default http://127.0.0.1:7070)
#   ROLLGATE_TOKEN      an API token with previews:write (from a secret)
#   ROLLGATE_PR         pull request number (required)
#   ROLLGATE_IMAGE      image to deploy (required), e.g. ghcr.io/acme/app:sha-<commit>
#   ROLLGATE_BRANCH     branch name (optional)
#   ROLLGATE_COMMIT_SHA full 40-hex commit SHA (optional)
#   ROLLGATE_TTL_HOURS  hours until the preview may be reaped (optional)
#   ROLLGATE_CLI        rollgate executable (default: this checkout's CLI)
#
# Exit: 0 the preview is ready and its smoke checks passed, 1 it failed (the
# summary says why: policy, rollout or smoke check), 2 usage error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

require_env ROLLGATE_PR ROLLGATE_IMAGE
args=(preview up --pr "$ROLLGATE_PR" --image "$ROLLGATE_IMAGE" --wait --json)
[ -z "${ROLLGATE_BRANCH:-}" ] || args+=(--branch "$ROLLGATE_BRANCH")
[ -z "${ROLLGATE_COMMIT_SHA:-}" ] || args+=(--sha "$ROLLGATE_COMMIT_SHA")
[ -z "${ROLLGATE_TTL_HOURS:-}" ] || args+=(--ttl "$ROLLGATE_TTL_HOURS")

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rollgate-preview.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "== preview up: PR $ROLLGATE_PR, image $ROLLGATE_IMAGE, service ${ROLLGATE_URL:-http://127.0.0.1:7070}"
set +e
rollgate "${args[@]}" 2>&1 >"$work/out.json" | tee "$work/err.log" >&2
status=${PIPESTATUS[0]}
set -e
[ "$status" -ne 2 ] || die "rollgate rejected the arguments (see above)" 2
report preview "$status" "$work/out.json" "$work/err.log"
