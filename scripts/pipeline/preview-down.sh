#!/usr/bin/env bash
# Destroys the preview environment of a closed pull request through the
# Rollgate service and waits until it is gone. A pull request without a
# preview (never deployed, or already reaped) is not an error.
#
#   scripts/pipeline/preview-down.sh
#
# Environment: ROLLGATE_URL, ROLLGATE_TOKEN (previews:write), ROLLGATE_PR
# (required), ROLLGATE_CLI, as for preview-up.sh.
#
# Exit: 0 destroyed or nothing to destroy, 1 the destroy failed, 2 usage error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

require_env ROLLGATE_PR
[[ $ROLLGATE_PR =~ ^[1-9][0-9]*$ ]] || die "ROLLGATE_PR must be a pull request number (got \"$ROLLGATE_PR\")" 2

previews=$(rollgate preview list --json) || die "could not list preview environments at ${ROLLGATE_URL:-http://127.0.0.1:7070}"
if ! PREVIEWS=$previews node -e '
  const previews = JSON.parse(process.env.PREVIEWS);
  process.exit(previews.some((preview) => preview.pr === Number(process.argv[1])) ? 0 : 1);
' "$ROLLGATE_PR"; then
  log "PR $ROLLGATE_PR has no preview environment: nothing to clean up"
  [ -z "${GITHUB_STEP_SUMMARY:-}" ] || printf '### Preview environment for PR #%s\n\nNo preview environment to destroy.\n\n' "$ROLLGATE_PR" >>"$GITHUB_STEP_SUMMARY"
  exit 0
fi

log "== preview down: PR $ROLLGATE_PR"
set +e
rollgate preview down --pr "$ROLLGATE_PR" --wait
status=$?
set -e
if [ "$status" -ne 0 ]; then
  die "destroying the preview environment of PR $ROLLGATE_PR failed (exit $status); the service's TTL reaper retries expired previews"
fi
[ -z "${GITHUB_STEP_SUMMARY:-}" ] || printf '### Preview environment for PR #%s\n\nDestroyed.\n\n' "$ROLLGATE_PR" >>"$GITHUB_STEP_SUMMARY"
