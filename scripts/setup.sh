#!/usr/bin/env bash
# Installs everything Rollgate needs, idempotently: Node.js 24 where the machine's
# node is older than 22 (scripts/node.sh), Debian packages, npm dependencies, the
# offline toolchain (built from the Go module proxy), the provider plugins and a
# local secrets passphrase. A no-op when all is in place.
# ROLLGATE_USE_PATH_PULUMI=1 uses the Pulumi CLI on PATH; ROLLGATE_EXTERNAL_CLUSTER=1 skips the local
# cluster's parts (etcd, kube-apiserver, KWOK): see scripts/toolchain/build.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "$here/env.sh"
# shellcheck source=toolchain/versions.env
source "$here/toolchain/versions.env"
started=$SECONDS

step "checking prerequisites"
bash "$here/node.sh"
command -v go >/dev/null || fail "Go is required to build the toolchain"
info "node $(node --version) ($(command -v node)), $(go version | cut -d' ' -f3)"

# stop_package_services PACKAGE...: Debian's postinst starts a package's service where an init system runs (Prometheus
# on :9090, a PostgreSQL "main" cluster on :5432, nginx on :80). Rollgate runs its own instances on other ports, so the services of
# the packages this run installed are stopped through their own init scripts, never by process name: a Prometheus
# or PostgreSQL of the user's own keeps running.
stop_package_services() {
  local package
  for package in "$@"; do
    case $package in
      prometheus | postgresql) service "$package" stop >/dev/null 2>&1 || true ;;
      nginx-light) service nginx stop >/dev/null 2>&1 || true ;;
    esac
  done
}

# The toolchain builds (CPU) run beside the Debian and npm installs (network and disk). It is its own process
# group, stopped with setup when setup fails, so a rerun never meets a build still writing the cache.
step "toolchain in $ROLLGATE_TOOLCHAIN (built beside the installs below)"
setsid bash "$here/toolchain/build.sh" &
toolchain_build=$!
trap 'kill -- "-$toolchain_build" 2>/dev/null || true' EXIT

apt_packages=()
[ "${ROLLGATE_EXTERNAL_CLUSTER:-}" = 1 ] || command -v etcd >/dev/null || apt_packages+=(etcd-server)
# Debian's server binaries for scripts/postgres.sh (the distribution's default version: 15 on bookworm).
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || apt_packages+=(postgresql)
command -v prometheus >/dev/null || apt_packages+=(prometheus)
# The local data plane's gateway (automation/dataplane): routes requests by the live HTTPRoutes.
command -v nginx >/dev/null || apt_packages+=(nginx-light)
command -v openssl >/dev/null || apt_packages+=(openssl)
command -v curl >/dev/null || apt_packages+=(curl)
command -v shellcheck >/dev/null || apt_packages+=(shellcheck)
# The dashboard's browser test (test/e2e/dashboard) drives it with playwright-core.
command -v chromium >/dev/null || apt_packages+=(chromium)
if [ ${#apt_packages[@]} -gt 0 ]; then
  step "installing Debian packages: ${apt_packages[*]}"
  [ "$(id -u)" = 0 ] || fail "run as root, or: sudo apt-get install ${apt_packages[*]}"
  timed "apt-get" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${apt_packages[*]} >/dev/null"
  stop_package_services "${apt_packages[@]}"
fi

cd "$ROLLGATE_ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm dependencies (npm ci)"
  # npm 11 writes lock files without other platforms' optional packages (e.g.
  # rollup's native builds) and its own `npm ci` then rejects them; `npm install`
  # installs the same locked versions.
  if ! timed "npm ci" npm ci --no-audit --no-fund; then
    info "npm ci rejected the lock file; installing the locked versions with npm install"
    timed "npm install" npm install --no-audit --no-fund
  fi
fi

wait "$toolchain_build" || fail "the toolchain could not be built (see above)"
trap - EXIT

step "registering provider plugins in $PULUMI_HOME"
install_plugin() { # NAME VERSION BINARY
  if ! pulumi plugin ls 2>/dev/null | grep -qE "^$1 +resource +$2 "; then
    pulumi plugin install resource "$1" "$2" --file "$ROLLGATE_BIN/$3" >/dev/null
  fi
  info "$1 $2"
}
install_plugin kubernetes "$PULUMI_KUBERNETES_VERSION" pulumi-resource-kubernetes
install_plugin random "$PULUMI_RANDOM_VERSION" pulumi-resource-random

mkdir -p "$ROLLGATE_STATE_DIR"
if [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] && [ ! -s "$PULUMI_CONFIG_PASSPHRASE_FILE" ]; then
  (umask 077 && openssl rand -hex 24 >"$PULUMI_CONFIG_PASSPHRASE_FILE")
  info "generated a secrets passphrase in $PULUMI_CONFIG_PASSPHRASE_FILE"
fi
info "setup complete in $((SECONDS - started))s"
