#!/usr/bin/env bash
# `npm start`: the Rollgate service on 127.0.0.1:7070 with, unless ROLLGATE_DATABASE_URL names a server already,
# the local PostgreSQL and, unless KUBECONFIG points at a cluster already, the local cluster and its data plane
# (sample-app processes, the nginx gateway, Prometheus and steady traffic; scripts/dataplane.sh) — unless
# ROLLGATE_PROMETHEUS_URL names the user's own Prometheus or ROLLGATE_METRIC_PROVIDER another metric provider.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
user_kubeconfig=${KUBECONFIG:-}
# shellcheck source=env.sh
source "$here/env.sh"
bash "$here/setup.sh"
# A cluster of the user's (KUBECONFIG, or ROLLGATE_EXTERNAL_CLUSTER=1 as for tests and benchmarks) is used as is.
if [ -z "$user_kubeconfig" ] && [ "${ROLLGATE_EXTERNAL_CLUSTER:-}" != 1 ]; then
  bash "$here/cluster.sh" up
  if [ -z "${ROLLGATE_PROMETHEUS_URL:-}" ] && [ -z "${ROLLGATE_METRIC_PROVIDER:-}" ]; then
    bash "$here/dataplane.sh" up
    export ROLLGATE_PROMETHEUS_URL=http://127.0.0.1:${ROLLGATE_PROMETHEUS_PORT:-19090}
  fi
elif [ "${ROLLGATE_LOCAL_DATABASE:-}" = 1 ]; then
  bash "$here/postgres.sh" up
fi
cd "$ROLLGATE_ROOT"
# A small young generation keeps the idle service near 120 MB resident instead of 145 (bench/README.md).
exec node --max-semi-space-size=4 --import tsx automation/index.ts
