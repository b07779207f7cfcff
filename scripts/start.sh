#!/usr/bin/env bash
# `npm start`: the Rollgate service on 127.0.0.1:7070 with the local file backend
# and, unless KUBECONFIG points at a cluster already, the local cluster.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
user_kubeconfig=${KUBECONFIG:-}
# shellcheck source=env.sh
source "$here/env.sh"
bash "$here/setup.sh"
if [ -z "$user_kubeconfig" ]; then
  bash "$here/cluster.sh" up
fi
cd "$ROLLGATE_ROOT"
exec npx tsx automation/index.ts
