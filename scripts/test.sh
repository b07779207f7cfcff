#!/usr/bin/env bash
# `npm test`: runs whatever setup is missing, then the unit and integration tests, on Node.js 22 or newer (the Node 24
# that setup provides where the machine's node is older; see lib/common.sh).
#   scripts/test.sh [ARGS...]                   all tests
#   scripts/test.sh unit|integration [ARGS...]  one suite (unit tests need only Node, not the toolchain)
# ARGS go to vitest (e.g. a test file). ROLLGATE_SKIP_INTEGRATION=1 runs the unit tests alone and says so.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "$here/env.sh"
cd "$ROLLGATE_ROOT"

suite=all
case ${1:-} in unit | integration) suite=$1 && shift ;; esac
projects=(--project unit --project integration)
[ "$suite" = all ] || projects=(--project "$suite")
if [ "$suite" != unit ] && [ "${ROLLGATE_SKIP_INTEGRATION:-}" = 1 ]; then
  echo "NOTE: integration tests were NOT run (ROLLGATE_SKIP_INTEGRATION=1)." >&2
  [ "$suite" = integration ] && exit 0
  suite=unit projects=(--project unit)
fi
if [ "$suite" = unit ]; then bash "$here/node.sh"; else bash "$here/setup.sh"; fi
exec npx vitest run "${projects[@]}" "$@"
