#!/usr/bin/env bash
# `npm run bench [-- --quick ...]`: toolchain environment, setup and the local
# cluster as `npm test` gets them, then the benchmarks (bench/index.ts).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
user_kubeconfig=${KUBECONFIG:-}
# shellcheck source=../scripts/env.sh
source "$here/../scripts/env.sh"
cd "$ROLLGATE_ROOT"
bash scripts/setup.sh
# A cluster from the user's KUBECONFIG is used as is; otherwise start (or reuse) the local one.
if [ -z "$user_kubeconfig" ] && [ "${ROLLGATE_EXTERNAL_CLUSTER:-}" != 1 ]; then
  bash scripts/cluster.sh up
fi
exec npx tsx bench/index.ts "$@"
