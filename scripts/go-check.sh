#!/usr/bin/env bash
# go vet and go test of Rollgate's own Go code (the language host, the random provider and the tests' OCI registry
# that the toolchain builds); the modules under scripts/toolchain/modules only pin upstream versions.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOFLAGS=-mod=readonly CGO_ENABLED=0
for module in langhost random-provider oci-registry; do
  echo "go vet and go test: scripts/toolchain/$module"
  (cd "$here/toolchain/$module" && go vet ./... && go test ./...)
done
