#!/usr/bin/env bash
# Builds the pinned offline toolchain from the Go module proxy into the cache:
# the Pulumi CLI, Rollgate's Node.js language host, the Kubernetes provider,
# kube-apiserver/controller-manager/scheduler, KWOK, actionlint and the tests' OCI registry.
# Each binary is rebuilt only when its recipe (module files, versions, Go) changes.
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
mkdir -p "$ROLLGATE_BIN" "$ROLLGATE_TOOLCHAIN/stamps" "$ROLLGATE_TOOLCHAIN/work"

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
  step "building $name (first build downloads modules and compiles; minutes on 2 cores)"
  rm -rf "$work" && cp -r "$module" "$work"
  local start=$SECONDS
  [ -z "$prepare" ] || "$prepare" "$work"
  for target in $targets; do
    info "go build ${target%%=*}"
    (cd "$work" && go build -trimpath -ldflags "-s -w $ldflags" -o "$ROLLGATE_BIN/${target#*=}" "${target%%=*}")
  done
  echo "$hash" >"$stamp"
  info "$name built in $((SECONDS - start))s"
}

prepare_kubernetes_provider() {
  local work=$1 dir
  (cd "$work" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
  dir=$(cd "$work" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)
  cp "$dir/cmd/pulumi-resource-kubernetes/schema.json" "$work/schema-embed.json"
  cp "$dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$work/terraform-mapping-embed.json"
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

if [ "${ROLLGATE_USE_PATH_PULUMI:-}" = 1 ]; then
  path_pulumi
else
  build pulumi "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi=pulumi" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  build langhost ".=pulumi-language-nodejs" "-X main.version=$PULUMI_VERSION"
fi
build kubernetes-provider ".=pulumi-resource-kubernetes" \
  "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" \
  prepare_kubernetes_provider
if [ "$engine_only" = 1 ]; then
  info "kube-apiserver, kube-controller-manager, kube-scheduler, kwok, actionlint: not built (--engine-only)"
elif [ "${ROLLGATE_EXTERNAL_CLUSTER:-}" = 1 ]; then
  info "kube-apiserver, kube-controller-manager, kube-scheduler, kwok: not built (ROLLGATE_EXTERNAL_CLUSTER=1)"
else
  kube_version="-X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION"
  kube_version+=" -X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION%%.*}"
  kube_version+=" -X k8s.io/component-base/version.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  kube_version+=" -X k8s.io/component-base/version.gitTreeState=clean"
  build kube "k8s.io/kubernetes/cmd/kube-apiserver=kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager=kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler=kube-scheduler" \
    "$kube_version"
  build kwok "sigs.k8s.io/kwok/cmd/kwok=kwok"
fi
[ "$engine_only" = 1 ] || build actionlint "github.com/rhysd/actionlint/cmd/actionlint=actionlint"
# The supply-chain tests' OCI registry (go-containerregistry's, with the referrers API), on loopback.
[ "$engine_only" = 1 ] || build oci-registry ".=oci-registry"
build random-provider ".=pulumi-resource-random" "-X main.version=$PULUMI_RANDOM_VERSION"
