#!/usr/bin/env bash
# `npm test`: runs whatever setup is missing, then the unit and integration tests.
#   scripts/test.sh              all tests
#   scripts/test.sh integration  integration and end-to-end tests only
# ROLLGATE_SKIP_INTEGRATION=1 runs the unit tests alone and says so.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "$here/env.sh"
cd "$ROLLGATE_ROOT"

projects=(--project unit --project integration)
[ "${1:-}" = integration ] && projects=(--project integration)
if [ "${ROLLGATE_SKIP_INTEGRATION:-}" = 1 ]; then
  echo "NOTE: integration tests were NOT run (ROLLGATE_SKIP_INTEGRATION=1)." >&2
  [ "${1:-}" = integration ] && exit 0
  projects=(--project unit)
else
  bash "$here/setup.sh"
fi
exec npx vitest run "${projects[@]}"
