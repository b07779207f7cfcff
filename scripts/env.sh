# Environment for the project's toolchain: source it (`. scripts/env.sh`) to run
# `pulumi` and the tests against the local toolchain, backend and cluster.
# Values already set by the user win: an existing Pulumi CLI, backend, database or cluster. Node.js comes from
# lib/common.sh: the machine's when it is 22 or newer, else the Node 24 that setup provides (scripts/node.sh).
# shellcheck shell=bash

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# ROLLGATE_USE_PATH_PULUMI=1: the user's Pulumi CLI (on PATH) instead of the toolchain's.
if [ "${ROLLGATE_USE_PATH_PULUMI:-}" != 1 ]; then
  export PATH="$ROLLGATE_BIN:$PATH"
fi
export PULUMI_HOME=${PULUMI_HOME:-$ROLLGATE_TOOLCHAIN/pulumi-home}
export PULUMI_SKIP_UPDATE_CHECK=true
# Nothing may be downloaded: a missing plugin is an error that names `npm run setup`.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# The one store: the user's ROLLGATE_DATABASE_URL, or the local PostgreSQL that scripts/postgres.sh runs
# (`npm run cluster -- up` starts it).
if [ -z "${ROLLGATE_DATABASE_URL:-}" ] && ROLLGATE_DATABASE_URL=$(local_database_url); then
  export ROLLGATE_DATABASE_URL ROLLGATE_LOCAL_DATABASE=1
fi
# Pulumi's state goes to the same database through the CLI's own postgres:// backend (a `pulumi_state` table).
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-$ROLLGATE_DATABASE_URL}
# That backend (v3.259) can hang listing stacks with its default of 10 parallel listings: its connection pool
# (2 x GOMAXPROCS) fills with open cursors (see pulumiBackendEnv in automation/index.ts).
export PULUMI_DIY_BACKEND_PARALLEL=${PULUMI_DIY_BACKEND_PARALLEL:-2}
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE_FILE=$ROLLGATE_STATE_DIR/passphrase
fi
export KUBECONFIG=${KUBECONFIG:-$ROLLGATE_STATE_DIR/kubeconfig}
