#!/usr/bin/env bash
# `npm run demo`: on a fresh clone, brings everything up (setup, local PostgreSQL, cluster, data plane, the service
# on 127.0.0.1:7070 unless one answers there already), then runs scripts/demo.ts: it deploys `staging` if it is
# missing, runs a healthy release that must be promoted and a bad one that must be rolled back.
# Exit: 0 both outcomes right, 1 otherwise. The service it started keeps running (its pid is printed).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
user_kubeconfig=${KUBECONFIG:-}
# shellcheck source=env.sh
source "$here/env.sh"
bash "$here/setup.sh"
# On the local cluster (started here), or on the user's (KUBECONFIG, or ROLLGATE_EXTERNAL_CLUSTER=1): the data plane
# runs its workloads locally either way.
if [ -z "$user_kubeconfig" ] && [ "${ROLLGATE_EXTERNAL_CLUSTER:-}" != 1 ]; then
  bash "$here/cluster.sh" up
elif [ "${ROLLGATE_LOCAL_DATABASE:-}" = 1 ]; then
  bash "$here/postgres.sh" up
fi
bash "$here/dataplane.sh" up
export ROLLGATE_PROMETHEUS_URL=http://127.0.0.1:${ROLLGATE_PROMETHEUS_PORT:-19090}
unset ROLLGATE_METRIC_PROVIDER # the demo measures through its local Prometheus, set just above
cd "$ROLLGATE_ROOT"

port=${ROLLGATE_PORT:-7070}
export ROLLGATE_URL=http://127.0.0.1:$port
if ! curl -sf "$ROLLGATE_URL/healthz" >/dev/null 2>&1; then
  step "starting the Rollgate service on $ROLLGATE_URL"
  setsid node --import tsx automation/index.ts >"$ROLLGATE_STATE_DIR/service.log" 2>&1 </dev/null &
  echo $! >"$ROLLGATE_STATE_DIR/service.pid"
  deadline=$((SECONDS + 90))
  until curl -sf "$ROLLGATE_URL/readyz" >/dev/null 2>&1; do
    kill -0 "$(cat "$ROLLGATE_STATE_DIR/service.pid")" 2>/dev/null || fail "the service exited; its log: $ROLLGATE_STATE_DIR/service.log"
    [ $SECONDS -lt $deadline ] || fail "the service did not become ready (log: $ROLLGATE_STATE_DIR/service.log)"
    sleep 0.5
  done
  info "service: pid $(cat "$ROLLGATE_STATE_DIR/service.pid"), log $ROLLGATE_STATE_DIR/service.log (stop it with: kill $(cat "$ROLLGATE_STATE_DIR/service.pid"))"
fi

exec node --import tsx "$here/demo.ts"
