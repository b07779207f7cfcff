#!/usr/bin/env bash
# Runs a real local Kubernetes control plane on loopback:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK
# (simulated nodes, so Deployments become Available without a container runtime), after the local PostgreSQL
# (scripts/postgres.sh) unless ROLLGATE_DATABASE_URL names another server.
#   scripts/cluster.sh up       start (or reuse) the cluster; writes .rollgate/kubeconfig
#   scripts/cluster.sh down     stop every process it started (and the local data plane) and remove the cluster's data
#   scripts/cluster.sh status   say what runs
# ROLLGATE_LOCAL_DATABASE=1 (set by env.sh with its default URL) or 0 (leave the database alone) overrides that.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=cluster/pki.sh
source "$here/cluster/pki.sh"
# shellcheck source=toolchain/versions.env
source "$here/toolchain/versions.env"

CLUSTER_DIR=$ROLLGATE_STATE_DIR/cluster
PKI=$CLUSTER_DIR/pki
RUN=$CLUSTER_DIR/run
LOGS=$CLUSTER_DIR/logs
KUBECONFIG_PATH=$ROLLGATE_STATE_DIR/kubeconfig
APISERVER_PORT=${ROLLGATE_APISERVER_PORT:-16443}
ETCD_PORT=${ROLLGATE_ETCD_PORT:-12379}
SERVER=https://127.0.0.1:$APISERVER_PORT
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# Whether this script runs the local PostgreSQL (see above).
database_is_local() {
  case ${ROLLGATE_LOCAL_DATABASE:-} in
    1) return 0 ;;
    0) return 1 ;;
    *) [ -z "${ROLLGATE_DATABASE_URL:-}" ] ;;
  esac
}

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
is_running() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

api() { # METHOD PATH [CURL ARGS...]
  local method=$1 path=$2
  shift 2
  curl -sS --fail-with-body --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(cat "$PKI/admin.token")" \
    -X "$method" "$SERVER$path" "$@"
}

start() { # NAME BINARY ARGS...
  local name=$1
  shift
  if is_running "$name"; then
    info "$name: already running (pid $(pid_of "$name"))"
    return
  fi
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  info "$name: started (pid $!, log $LOGS/$name.log)"
}

wait_for() { # DESCRIPTION SECONDS COMMAND...
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for $what (logs in $LOGS)"
    sleep 0.1
  done
}

need_binaries() {
  command -v etcd >/dev/null || fail "etcd is missing: run 'npm run setup' (installs Debian's etcd-server)"
  local bin
  for bin in kube-apiserver kube-controller-manager kube-scheduler kwok; do
    [ -x "$ROLLGATE_BIN/$bin" ] || fail "$bin is missing from $ROLLGATE_BIN: run 'npm run setup'${ROLLGATE_EXTERNAL_CLUSTER:+ without ROLLGATE_EXTERNAL_CLUSTER (it skips building the local cluster)}"
  done
}

write_kubeconfig() {
  umask 077
  cat >"$KUBECONFIG_PATH" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: rollgate-local
    cluster:
      server: $SERVER
      certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
  - name: rollgate-admin
    user:
      token: $(cat "$PKI/admin.token")
contexts:
  - name: rollgate-local
    context: { cluster: rollgate-local, user: rollgate-admin }
current-context: rollgate-local
KUBECONFIG
}

# Applies each document of a YAML file with server-side apply.
apply_file() {
  local file=$1 doc
  local tmp
  tmp=$(mktemp -d)
  awk -v dir="$tmp" 'BEGIN{n=0} /^---/{n++; next} {print > (dir "/" n ".yaml")}' "$file"
  for doc in "$tmp"/*.yaml; do
    grep -q '^kind:' "$doc" || continue
    api PATCH "$(resource_path "$doc")?fieldManager=rollgate-cluster&force=true" \
      -H 'Content-Type: application/apply-patch+yaml' --data-binary "@$doc" >/dev/null
  done
  rm -rf "$tmp"
}

resource_path() {
  local doc=$1 kind name namespace
  kind=$(awk '/^kind:/{print $2; exit}' "$doc")
  name=$(awk '/^metadata:/{m=1; next} m && /^  name:/{print $2; exit} /^[a-z]/{m=0}' "$doc")
  namespace=$(awk '/^metadata:/{m=1; next} m && /^  namespace:/{print $2; exit} /^[a-z]/{m=0}' "$doc")
  case $kind in
    Namespace) echo "/api/v1/namespaces/$name" ;;
    Node) echo "/api/v1/nodes/$name" ;;
    CustomResourceDefinition) echo "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name" ;;
    GatewayClass) echo "/apis/gateway.networking.k8s.io/v1/gatewayclasses/$name" ;;
    Gateway) echo "/apis/gateway.networking.k8s.io/v1/namespaces/$namespace/gateways/$name" ;;
    *) fail "apply_file: unsupported kind $kind in $doc" ;;
  esac
}

kwok_stages() {
  local dir stage out=$CLUSTER_DIR/kwok.yaml
  dir=$(cd "$here/toolchain/modules/kwok" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  {
    printf 'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions:\n  podPlayStageParallelism: 8\n  nodePlayStageParallelism: 2\n'
    for stage in "$dir"/kustomize/stage/node/fast/node-initialize.yaml "$dir"/kustomize/stage/node/heartbeat/node-heartbeat.yaml \
      "$dir"/kustomize/stage/pod/fast/pod-ready.yaml "$dir"/kustomize/stage/pod/fast/pod-complete.yaml \
      "$dir"/kustomize/stage/pod/fast/pod-delete.yaml; do
      printf -- '---\n'
      cat "$stage"
    done
  } >"$out"
  echo "$out"
}

# The directory of a module@version in the Go module cache, downloaded through the module proxy if need be.
module_dir() {
  (cd "$here/toolchain/modules/kwok" && go mod download -json "$1") | awk -F'"' '/"Dir"/{print $4}'
}

gateway_crds() {
  local dir
  dir=$(module_dir "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION")
  [ -d "$dir/config/crd/standard" ] || fail "Gateway API CRDs not found in module sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION"
  echo "$dir/config/crd/standard"
}

# The Istio CRDs (VirtualService, DestinationRule, ...) from the istio.io/api module: the istio router's objects.
istio_crds() {
  local dir
  dir=$(module_dir "istio.io/api@v$ISTIO_API_VERSION")
  [ -f "$dir/kubernetes/customresourcedefinitions.gen.yaml" ] || fail "Istio CRDs not found in module istio.io/api@v$ISTIO_API_VERSION"
  echo "$dir/kubernetes/customresourcedefinitions.gen.yaml"
}

up() {
  need_binaries
  mkdir -p "$RUN" "$LOGS" "$CLUSTER_DIR/etcd"
  cluster_pki "$PKI"
  # PostgreSQL starts beside the control plane; neither needs the other.
  local database=""
  if database_is_local; then
    bash "$here/postgres.sh" up &
    database=$!
  fi
  local start_time=$SECONDS
  step "starting the local control plane on 127.0.0.1:$APISERVER_PORT"
  start etcd etcd --name rollgate --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "rollgate=http://127.0.0.1:$((ETCD_PORT + 1))" \
    --unsafe-no-fsync --quota-backend-bytes 1073741824
  wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"
  start kube-apiserver "$ROLLGATE_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
    --secure-port "$APISERVER_PORT" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" --authorization-mode RBAC \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range 10.96.0.0/16 \
    --enable-priority-and-fairness=false --profiling=false --watch-cache=true --event-ttl 10m
  wait_for kube-apiserver 90 api GET /readyz
  write_kubeconfig
  start kube-controller-manager "$ROLLGATE_BIN/kube-controller-manager" \
    --kubeconfig "$KUBECONFIG_PATH" --leader-elect=false --secure-port 0 \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials=false --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route' \
    --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10 --concurrent-namespace-syncs 10
  start kube-scheduler "$ROLLGATE_BIN/kube-scheduler" --kubeconfig "$KUBECONFIG_PATH" --leader-elect=false \
    --authentication-kubeconfig "$KUBECONFIG_PATH" --authorization-kubeconfig "$KUBECONFIG_PATH" \
    --bind-address 127.0.0.1 --secure-port "$((APISERVER_PORT + 2))"
  start kwok "$ROLLGATE_BIN/kwok" --kubeconfig "$KUBECONFIG_PATH" --config "$(kwok_stages)" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-ip 10.244.0.1 --cidr 10.244.0.0/16 --server-address 127.0.0.1:0
  step "installing the Gateway API v$GATEWAY_API_VERSION and Istio v$ISTIO_API_VERSION CRDs, the shared gateway and a simulated node"
  # The CRD files are independent, so they are applied at once.
  local crd crd_files=("$(gateway_crds)"/*.yaml) applying=() pid
  crd_files+=("$(istio_crds)")
  for crd in "${crd_files[@]}"; do
    apply_file "$crd" &
    applying+=($!)
  done
  for pid in "${applying[@]}"; do wait "$pid" || fail "could not apply the CRDs (logs in $LOGS)"; done
  wait_for "Gateway API CRDs" 60 api GET /apis/gateway.networking.k8s.io/v1/gateways
  wait_for "Istio CRDs" 60 api GET /apis/networking.istio.io/v1/virtualservices
  apply_file "$here/cluster/gateway.yaml"
  apply_file "$here/cluster/kwok-nodes.yaml"
  wait_for "the default service account" 60 api GET /api/v1/namespaces/default/serviceaccounts/default
  wait_for "a Ready node" 60 node_ready
  [ -z "$database" ] || wait "$database" || fail "the local PostgreSQL did not start (scripts/postgres.sh up)"
  info "cluster ready in $((SECONDS - start_time))s; KUBECONFIG=$KUBECONFIG_PATH"
}

node_ready() {
  api GET /api/v1/nodes/kwok-node-0 | node -e '
    const node = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const ready = (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
    const tainted = (node.spec?.taints ?? []).some((t) => t.key === "node.kubernetes.io/not-ready");
    process.exit(ready && !tainted ? 0 : 1);'
}

down() {
  local name pid i
  bash "$here/dataplane.sh" down
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    name=${COMPONENTS[i]}
    pid=$(pid_of "$name")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      info "$name: stopped (pid $pid)"
    fi
    rm -f "$RUN/$name.pid"
  done
  rm -rf "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/run" "$CLUSTER_DIR/kwok.yaml" "$KUBECONFIG_PATH"
  if database_is_local; then bash "$here/postgres.sh" down; fi
}

status() {
  local name code=0
  if ! database_is_local; then
    echo "postgres: not managed here (ROLLGATE_DATABASE_URL or ROLLGATE_LOCAL_DATABASE=0)"
  elif ! bash "$here/postgres.sh" status; then
    code=3
  fi
  for name in "${COMPONENTS[@]}"; do
    if is_running "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: stopped"; code=3; fi
  done
  if [ $code = 0 ] && api GET /readyz >/dev/null 2>&1; then echo "apiserver: ready at $SERVER (KUBECONFIG=$KUBECONFIG_PATH)"; fi
  return $code
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  istio-crds) istio_crds ;;
  *) echo "usage: $0 up|down|status|istio-crds (prints the Istio CRD file)" >&2; exit 2 ;;
esac
