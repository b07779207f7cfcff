#!/usr/bin/env bash
# Builds the pinned offline toolchain from the Go module proxy into the cache:
# the Pulumi CLI, Rollgate's Node.js language host, the Kubernetes provider,
# kube-apiserver/controller-manager/scheduler, KWOK, actionlint and the tests' OCI registry.
# Each binary is rebuilt only when its recipe (module files, versions, Go) changes.
# Independent builds run at once in lanes, so one build's downloads and single-threaded links overlap another's
# compiles on a 2-core machine; each build's go output goes to $ROLLGATE_TOOLCHAIN/logs/<name>.log.
# What the user provides is not built:
#   ROLLGATE_USE_PATH_PULUMI=1   the Pulumi CLI and its Node.js language host come from PATH
#   ROLLGATE_EXTERNAL_CLUSTER=1  the cluster is the user's (KUBECONFIG): no kube-apiserver, controller-manager,
#                                scheduler or KWOK
# `build.sh --engine-only` builds only what the service's engine runs (the container image, see Dockerfile): the
# Pulumi CLI, its language host and the provider plugins. GOOS/GOARCH choose the platform as for any go build.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
# shellcheck source=versions.env
source "$here/versions.env"

engine_only=0
case ${1:-} in
  --engine-only) engine_only=1 ;;
  "") ;;
  *) fail "usage: build.sh [--engine-only]" ;;
esac
command -v go >/dev/null || fail "Go is required to build the toolchain (https://go.dev/doc/install)"
export GOFLAGS=-mod=readonly GOTOOLCHAIN=local CGO_ENABLED=0
# The compiler and linker spend about a fifth of their CPU collecting garbage at the default GOGC=100 (KWOK alone:
# 192 s of user time, 151 s at GOGC=1000). They collect less often here, each process capped by GOMEMLIMIT at an
# eighth of the available memory (up to six run at once: three lanes, two jobs each). A GOGC or GOMEMLIMIT the user
# set is kept.
available_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null || true)
if [ -n "$available_kib" ] && [ -z "${GOGC:-}${GOMEMLIMIT:-}" ]; then
  export GOGC=1000 GOMEMLIMIT=$((available_kib / 8))KiB
fi
logs=$ROLLGATE_TOOLCHAIN/logs
mkdir -p "$ROLLGATE_BIN" "$ROLLGATE_TOOLCHAIN/stamps" "$ROLLGATE_TOOLCHAIN/work" "$logs"
# -dwarf=false: the linker strips debug information (-s -w) anyway, so the compiler need not generate it.
build_flags=(-trimpath "-gcflags=all=-dwarf=false")

recipe_hash() { # module dir + extra words
  local dir=$1
  shift
  { (cd "$dir" && cat -- *); go version; go env GOOS GOARCH; echo "$@"; } | sha256sum | cut -d' ' -f1
}

# build NAME MODULE_DIR "PACKAGE=OUTPUT ..." [LDFLAGS] [PREPARE_FUNCTION]
build() {
  local name=$1 module=$here/modules/$1 targets=$2 ldflags=${3:-} prepare=${4:-}
  [ -d "$module" ] || module=$here/$1
  local hash stamp=$ROLLGATE_TOOLCHAIN/stamps/$name work=$ROLLGATE_TOOLCHAIN/work/$name
  hash=$(recipe_hash "$module" "$targets" "$ldflags")
  local complete=1 target
  for target in $targets; do [ -x "$ROLLGATE_BIN/${target#*=}" ] || complete=0; done
  if [ "$complete" = 1 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
    info "$name: cached"
    return
  fi
  step "building $name (the first build downloads modules and compiles; minutes on 2 cores)"
  rm -rf "$work" && cp -r "$module" "$work"
  local start=$SECONDS log=$logs/$name.log
  : >"$log"
  [ -z "$prepare" ] || "$prepare" "$work" >>"$log" 2>&1 || build_failed "$name" "$log"
  for target in $targets; do
    info "$name: go build ${target%%=*}"
    (cd "$work" && go build "${build_flags[@]}" -ldflags "-s -w $ldflags" -o "$ROLLGATE_BIN/${target#*=}" "${target%%=*}") >>"$log" 2>&1 ||
      build_failed "$name" "$log"
  done
  echo "$hash" >"$stamp"
  info "$name built in $((SECONDS - start))s"
}

build_failed() { # NAME LOG
  tail -n 30 "$2" >&2
  fail "building $1 failed (whole log: $2)"
}

lanes=()
# lane BUILD_FUNCTION...: runs the builds one after another, beside the other lanes.
lane() {
  (for build_function in "$@"; do "$build_function"; done) &
  lanes+=($!)
}

wait_for_lanes() {
  local pid failed=0
  for pid in "${lanes[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || fail "the toolchain is incomplete: a build failed (see above)"
}

# Called where errexit does not apply (build's `||`), so each step is chained.
prepare_kubernetes_provider() {
  local work=$1 dir
  (cd "$work" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4) &&
    dir=$(cd "$work" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4) &&
    cp "$dir/cmd/pulumi-resource-kubernetes/schema.json" "$work/schema-embed.json" &&
    cp "$dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$work/terraform-mapping-embed.json" &&
    chmod u+w "$work"/*.json
}

# path_pulumi: checks that PATH has a Pulumi CLI with its Node.js language host, and says which.
path_pulumi() {
  local cli
  cli=$(command -v pulumi) ||
    fail "ROLLGATE_USE_PATH_PULUMI=1 but there is no pulumi on PATH: install Pulumi (https://www.pulumi.com/docs/iac/download-install/), or unset ROLLGATE_USE_PATH_PULUMI to build the pinned CLI"
  [ -x "$(dirname "$cli")/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null ||
    fail "ROLLGATE_USE_PATH_PULUMI=1 but pulumi-language-nodejs is neither beside $cli nor on PATH"
  info "pulumi: $cli from PATH (ROLLGATE_USE_PATH_PULUMI=1), not built"
}

build_pulumi() {
  build pulumi "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi=pulumi" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
}
build_langhost() { build langhost ".=pulumi-language-nodejs" "-X main.version=$PULUMI_VERSION"; }
build_kubernetes_provider() {
  build kubernetes-provider ".=pulumi-resource-kubernetes" \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" \
    prepare_kubernetes_provider
}
build_random_provider() { build random-provider ".=pulumi-resource-random" "-X main.version=$PULUMI_RANDOM_VERSION"; }
build_kube() {
  local version="-X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION"
  version+=" -X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION%%.*}"
  version+=" -X k8s.io/component-base/version.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  version+=" -X k8s.io/component-base/version.gitTreeState=clean"
  build kube "k8s.io/kubernetes/cmd/kube-apiserver=kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager=kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler=kube-scheduler" \
    "$version"
}
build_kwok() { build kwok "sigs.k8s.io/kwok/cmd/kwok=kwok"; }
build_actionlint() { build actionlint "github.com/rhysd/actionlint/cmd/actionlint=actionlint"; }
# The supply-chain tests' OCI registry (go-containerregistry's, with the referrers API), on loopback.
build_oci_registry() { build oci-registry ".=oci-registry"; }

start=$SECONDS
# The language host and the random provider follow the CLI in one lane: they reuse the Pulumi SDK packages it compiled.
engine=(build_pulumi build_langhost build_random_provider)
if [ "${ROLLGATE_USE_PATH_PULUMI:-}" = 1 ]; then
  path_pulumi
  engine=(build_random_provider)
fi
[ "$engine_only" = 1 ] || engine+=(build_actionlint build_oci_registry)
lane "${engine[@]}"
lane build_kubernetes_provider
if [ "$engine_only" = 1 ]; then
  info "kube-apiserver, kube-controller-manager, kube-scheduler, kwok, actionlint: not built (--engine-only)"
elif [ "${ROLLGATE_EXTERNAL_CLUSTER:-}" = 1 ]; then
  info "kube-apiserver, kube-controller-manager, kube-scheduler, kwok: not built (ROLLGATE_EXTERNAL_CLUSTER=1)"
else
  lane build_kube build_kwok
fi
wait_for_lanes
info "toolchain ready in $((SECONDS - start))s"
