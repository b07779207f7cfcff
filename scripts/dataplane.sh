#!/usr/bin/env bash
# The local data plane (automation/dataplane): a sample-app process per Deployment of the sample app's image, the
# nginx gateway routing by the live HTTPRoutes, Prometheus scraping them, and steady traffic through the gateway.
# It needs the local cluster (scripts/cluster.sh), and runs as one process group started and stopped by pid.
#   scripts/dataplane.sh up       start (or reuse) it; waits until the gateway and Prometheus answer
#   scripts/dataplane.sh down     stop it and everything it started
#   scripts/dataplane.sh status   say whether it runs, and its addresses
# Ports: ROLLGATE_GATEWAY_PORT (18080), ROLLGATE_PROMETHEUS_PORT (19090), ROLLGATE_DATAPLANE_PORT (18081).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

DIR=$ROLLGATE_STATE_DIR/dataplane
PID_FILE=$DIR/dataplane.pid
LOG=$DIR/dataplane.log
GATEWAY_PORT=${ROLLGATE_GATEWAY_PORT:-18080}
PROMETHEUS_PORT=${ROLLGATE_PROMETHEUS_PORT:-19090}
STATUS_PORT=${ROLLGATE_DATAPLANE_PORT:-18081}

is_running() {
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

up() {
  command -v nginx >/dev/null || fail "nginx is missing: run 'npm run setup' (installs Debian's nginx-light)"
  command -v prometheus >/dev/null || fail "prometheus is missing: run 'npm run setup'"
  mkdir -p "$DIR"
  if is_running; then
    info "dataplane: already running (pid $(cat "$PID_FILE"))"
    return
  fi
  step "starting the local data plane: gateway 127.0.0.1:$GATEWAY_PORT, Prometheus 127.0.0.1:$PROMETHEUS_PORT"
  cd "$ROLLGATE_ROOT"
  KUBECONFIG=${KUBECONFIG:-$ROLLGATE_STATE_DIR/kubeconfig} ROLLGATE_DATAPLANE_DIR=$DIR \
    setsid node --import tsx automation/dataplane/main.ts >"$LOG" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + 60))
  until curl -sf "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$STATUS_PORT/healthz" >/dev/null 2>&1; do
    is_running || fail "the local data plane exited; its log: $LOG"
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for the local data plane (log: $LOG)"
    sleep 0.5
  done
  info "dataplane: started (pid $(cat "$PID_FILE"), log $LOG); ROLLGATE_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
}

down() {
  is_running || {
    rm -f "$PID_FILE"
    return
  }
  local pid
  pid=$(cat "$PID_FILE")
  # The whole process group: nginx, Prometheus and the sample apps go with it, even if the main process is stuck.
  kill -TERM -- "-$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  info "dataplane: stopped"
}

status() {
  if is_running; then
    info "dataplane: running (pid $(cat "$PID_FILE")); gateway http://127.0.0.1:$GATEWAY_PORT, prometheus http://127.0.0.1:$PROMETHEUS_PORT"
  else
    info "dataplane: not running"
    return 1
  fi
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) fail "usage: $0 up|down|status" ;;
esac
