# Environment for the project's toolchain: source it (`. scripts/env.sh`) to run
# `pulumi` and the tests against the local toolchain, backend and cluster.
# Values already set by the user win: an existing Pulumi CLI, backend or cluster.
# shellcheck shell=bash

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

if [ -z "${ROLLGATE_USE_PATH_PULUMI:-}" ]; then
  export PATH="$ROLLGATE_BIN:$PATH"
fi
export PULUMI_HOME=${PULUMI_HOME:-$ROLLGATE_TOOLCHAIN/pulumi-home}
export PULUMI_SKIP_UPDATE_CHECK=true
# Nothing may be downloaded: a missing plugin is an error that names `npm run setup`.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$ROLLGATE_STATE_DIR/state}
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE_FILE=$ROLLGATE_STATE_DIR/passphrase
fi
export KUBECONFIG=${KUBECONFIG:-$ROLLGATE_STATE_DIR/kubeconfig}
