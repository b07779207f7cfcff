#!/usr/bin/env bash
# Builds the Argo Rollouts controller (github.com/argoproj/argo-rollouts, cmd/rollouts-controller) from the Go module
# proxy for the benchmark's side-by-side scenario (bench/scenarios/argoRollouts.ts); `npm run setup` does not run it.
# Cached in $ROLLGATE_CACHE/argo-rollouts/<version>/: the binary, and the module's CRDs (manifests/crds) in crds/.
# Rebuilt only when the version or Go changes. Prints the cache directory on stdout.
# On a shared machine: GOMAXPROCS=1 nice -n 19 bash scripts/toolchain/argo-rollouts.sh (go build's -p follows GOMAXPROCS).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
# shellcheck source=versions.env
source "$here/versions.env"

command -v go >/dev/null || fail "Go is required to build the Argo Rollouts controller (https://go.dev/doc/install)"
# GOTOOLCHAIN=local: a module that declares a newer Go fails here, saying which, instead of downloading a toolchain.
export GOFLAGS=-mod=readonly GOTOOLCHAIN=local CGO_ENABLED=0
module=github.com/argoproj/argo-rollouts
version=v$ARGO_ROLLOUTS_VERSION
dir=$ROLLGATE_CACHE/argo-rollouts/$ARGO_ROLLOUTS_VERSION
hash=$({ echo "$module@$version"; go version; go env GOOS GOARCH; } | sha256sum | cut -d' ' -f1)
if [ -x "$dir/rollouts-controller" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$hash" ]; then
  info "argo-rollouts $version: cached in $dir"
  echo "$dir"
  exit 0
fi

step "building argo-rollouts $version rollouts-controller (first build downloads modules and compiles; minutes on 2 cores)"
start=$SECONDS
# Outside any module, so the download is the module alone; its own go.mod (with its replace lines) drives the build.
(cd / && GOFLAGS=-mod=mod go mod download "$module@$version")
# The module path has no capital letters, so its cache directory is spelled as the path.
source_dir=$(go env GOMODCACHE)/$module@$version
mkdir -p "$dir/crds"
(cd "$source_dir" && go build -trimpath -ldflags "-s -w -X $module/utils/version.version=$version" \
  -o "$dir/rollouts-controller.new" ./cmd/rollouts-controller)
mv -f "$dir/rollouts-controller.new" "$dir/rollouts-controller"
rm -f "$dir"/crds/*.yaml
cp "$source_dir"/manifests/crds/*-crd.yaml "$dir/crds/"
chmod u+w "$dir"/crds/*.yaml
echo "$hash" >"$dir/stamp"
info "argo-rollouts $version built in $((SECONDS - start))s"
echo "$dir"
