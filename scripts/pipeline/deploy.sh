#!/usr/bin/env bash
# Deploys a stack with `pulumi up`, enforcing the environment's policies.
#
#   scripts/pipeline/deploy.sh ENV      (e.g. staging)
#
# Runs `pulumi up --yes --policy-pack policies --policy-pack-config
# policies/config/ENV.json` on an existing stack. `pulumi up` previews first,
# so a mandatory policy violation (or bad config) fails before any resource
# changes. Production changes go through `rollgate release` instead
# (release.sh); its policy config refuses stable images without a release id.
#
# Environment:
#   ROLLGATE_STACK            stack to update (default: ENV); it must exist in the backend
#   ROLLGATE_IMAGE            new stable image (rollgate:stableImage); default: as configured
#   ROLLGATE_KUBECONFIG_DATA  kubeconfig of the target cluster (from a secret); default: KUBECONFIG
#   ROLLGATE_TRUST_POLICY_DIR with ROLLGATE_IMAGE: verify the image first (verify-image.ts) against ENV.trust.json there
#   PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, PULUMI_ACCESS_TOKEN  as for `pulumi`
#
# Exit: 0 deployed, 1 refused or failed, 2 usage error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

[ $# -eq 1 ] || die "usage: deploy.sh ENV" 2
env=$1
stack=${ROLLGATE_STACK:-$env}
[ -f "policies/config/$env.json" ] || die "no policy config policies/config/$env.json for environment \"$env\"" 2

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rollgate-deploy.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -n "${ROLLGATE_KUBECONFIG_DATA:-}" ]; then
  (umask 077 && printf '%s\n' "$ROLLGATE_KUBECONFIG_DATA" >"$work/kubeconfig")
  export KUBECONFIG=$work/kubeconfig
fi

config=()
[ -z "${ROLLGATE_IMAGE:-}" ] || config+=(--config "rollgate:stableImage=$ROLLGATE_IMAGE")

# The supply-chain gate, as a release start applies it: refused or unverifiable, nothing is updated.
if [ -n "${ROLLGATE_IMAGE:-}" ] && [ -n "${ROLLGATE_TRUST_POLICY_DIR:-}" ]; then
  log "== deploy: verifying $ROLLGATE_IMAGE against $ROLLGATE_TRUST_POLICY_DIR/$env.trust.json"
  tsx "$PIPELINE_DIR/verify-image.ts" "$env" "$ROLLGATE_IMAGE" "$ROLLGATE_TRUST_POLICY_DIR" >"$work/verdict.json" ||
    die "image $ROLLGATE_IMAGE did not pass the supply-chain gate for $env; nothing was changed"
fi
# What workload-image-verified checks: the digest verified just now, or none (a new image nobody verified clears it).
if [ -n "${ROLLGATE_IMAGE:-}" ]; then
  verified=""
  [ ! -s "$work/verdict.json" ] || verified=$(node -e '
    const verdict = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    process.stdout.write(verdict && verdict.verified && !verdict.unsignedAllowed ? verdict.digest : "");' "$work/verdict.json")
  config+=(--config "rollgate:stableVerifiedDigest=$verified")
fi

log "== deploy: pulumi up --stack $stack with policies/config/$env.json"
set +e
pulumi up --yes --stack "$stack" --non-interactive --color never \
  --policy-pack policies --policy-pack-config "policies/config/$env.json" "${config[@]}" 2>&1 | tee "$work/up.log" >&2
status=${PIPESTATUS[0]}
set -e

if [ "$status" -ne 0 ]; then
  # The same report as the policy gate: which policy refused which resource.
  report policy "$env" "$status" "$work/up.log" || true
  die "pulumi up of stack $stack failed (exit $status); nothing was changed if the preview refused it"
fi

url=$(pulumi stack output url --stack "$stack" --non-interactive 2>/dev/null || true)
image=$(pulumi stack output stableImage --stack "$stack" --non-interactive 2>/dev/null || true)
log "deployed $stack: ${url:-no url output} (${image:-?})"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  # shellcheck disable=SC2016 # backticks are markdown
  printf '### Deployed %s\n\n| | |\n| --- | --- |\n| stack | `%s` |\n| URL | %s |\n| stable image | `%s` |\n\n' \
    "$env" "$stack" "${url:--}" "${image:--}" >>"$GITHUB_STEP_SUMMARY"
fi
