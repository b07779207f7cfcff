#!/usr/bin/env bash
# Policy gate: `pulumi preview` with the policy pack and each environment's
# policy config (policies/config/<env>.json), before anything is deployed.
#
#   scripts/pipeline/policy-gate.sh [ENV...]     (default: preview staging production)
#
# Each environment is previewed on a throwaway stack in a private, temporary
# file backend, with the config of stacks/Pulumi.<env>.yaml (for `preview`,
# stacks/preview.template.yaml with its placeholders filled in). So the gate
# needs no backend credentials and takes no lock on a real stack; without a
# reachable cluster the Kubernetes provider previews offline. Nothing is
# deployed. Config holding `secure:` values needs the real stack's passphrase
# in PULUMI_CONFIG_PASSPHRASE.
#
# Environment:
#   ROLLGATE_GATE_IMAGE      candidate image checked in every environment: the
#                            preview's rollgate:image, the canaryImage of the others
#   ROLLGATE_GATE_RELEASE_ENVIRONMENTS
#                            environments changed only through `rollgate release`
#                            (default: production); the gate stamps the release id
#                            a release would set, when the stack config has none
#   ROLLGATE_GATE_RELEASE_ID that id (default: ci-<commit>)
#   ROLLGATE_GATE_PR / _BRANCH / _SHA
#                            pull request, branch and commit for the preview template
#                            (default: GitHub's, else 1, the current branch and HEAD)
#   ROLLGATE_STACKS_DIR      where the stack config files are (default: stacks)
#
# Exit: 0 every environment passed, 1 one failed (a mandatory policy violation,
# or bad config), 2 usage error. The job summary names the environment, the
# policy, the resource and the violation.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

[ $# -gt 0 ] || set -- preview staging production
stacks_dir=${ROLLGATE_STACKS_DIR:-stacks}
release_environments=" ${ROLLGATE_GATE_RELEASE_ENVIRONMENTS-production} "
commit=${ROLLGATE_GATE_SHA:-${GITHUB_SHA:-$(git rev-parse HEAD 2>/dev/null || echo 0000000)}}
release_id=${ROLLGATE_GATE_RELEASE_ID:-ci-${commit:0:12}}

config_source() {
  if [ "$1" = preview ]; then echo "$stacks_dir/preview.template.yaml"; else echo "$stacks_dir/Pulumi.$1.yaml"; fi
}
for env in "$@"; do
  [[ $env =~ ^[a-z][a-z0-9-]*$ ]] || die "environment \"$env\" is not a valid name" 2
  [ -f "policies/config/$env.json" ] || die "no policy config policies/config/$env.json for environment \"$env\"" 2
  [ -f "$(config_source "$env")" ] || die "no stack config $(config_source "$env") for environment \"$env\"" 2
done

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rollgate-gate.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A private backend: the gate's stacks never touch the real ones.
export PULUMI_BACKEND_URL="file://$work/state"
mkdir -p "$work/state" "$work/project"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && { [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] || [ ! -s "$PULUMI_CONFIG_PASSPHRASE_FILE" ]; }; then
  # Only encrypts the throwaway stacks; config with secrets needs the real passphrase.
  unset PULUMI_CONFIG_PASSPHRASE_FILE
  export PULUMI_CONFIG_PASSPHRASE=rollgate-policy-gate
fi
project=$(sed -n 's/^name:[[:space:]]*//p' Pulumi.yaml | head -n 1)
# `stack init` writes the new stack's config file next to a project file: a
# copy in the work directory, so nothing is written under stacks/.
printf 'name: %s\nruntime: nodejs\n' "$project" >"$work/project/Pulumi.yaml"

# fill_template FILE: the preview template's ${NAME} placeholders, as the service fills them.
fill_template() {
  local file=$1 pr branch created value name
  pr=${ROLLGATE_GATE_PR:-${PR_NUMBER:-1}}
  [[ $pr =~ ^[1-9][0-9]{0,8}$ ]] || die "ROLLGATE_GATE_PR must be a pull request number (got \"$pr\")" 2
  branch=${ROLLGATE_GATE_BRANCH:-${GITHUB_HEAD_REF:-${GITHUB_REF_NAME:-$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo local)}}}
  branch=$(printf '%s' "$branch" | tr -c 'A-Za-z0-9._/-' '-')
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  declare -A values=(
    [IMAGE_TAG]="sha-${commit:0:12}"
    [PR_NUMBER]=$pr
    [BRANCH]=$branch
    [COMMIT_SHA]=$commit
    [CREATED_AT]=$created
    [DEPLOYED_BY]=rollgate-ci
  )
  for name in "${!values[@]}"; do
    value=${values[$name]}
    sed -i "s|\${$name}|$value|g" "$file"
  done
  # shellcheck disable=SC2016 # a literal ${
  if grep -n '^[^#]*\${' "$file" >&2; then
    die "unknown placeholder in $(config_source preview) (the gate fills ${!values[*]})" 2
  fi
}

# gate ENV: previews ENV on a throwaway stack; returns pulumi's exit code.
gate() {
  local env=$1 stack="gate-$1" config="$work/$1.yaml" output="$work/$1.log" status
  cp "$(config_source "$env")" "$config"
  [ "$env" != preview ] || fill_template "$config"
  pulumi stack init "$stack" --cwd "$work/project" --non-interactive --no-select >/dev/null
  local overrides=()
  if [ -n "${ROLLGATE_GATE_IMAGE:-}" ]; then
    if [ "$env" = preview ]; then overrides+=(rollgate:image "$ROLLGATE_GATE_IMAGE"); else overrides+=(rollgate:canaryImage "$ROLLGATE_GATE_IMAGE"); fi
  fi
  if [[ $release_environments == *" $env "* ]] && ! grep -q '^[[:space:]]*rollgate:releaseId:' "$config"; then
    overrides+=(rollgate:releaseId "$release_id")
  fi
  while [ ${#overrides[@]} -gt 0 ]; do
    pulumi config set --stack "$stack" --config-file "$config" --non-interactive -- "${overrides[0]}" "${overrides[1]}"
    overrides=("${overrides[@]:2}")
  done

  log "== policy gate: $env (policies/config/$env.json)"
  set +e
  pulumi preview --stack "$stack" --config-file "$config" --non-interactive --color never \
    --policy-pack policies --policy-pack-config "policies/config/$env.json" 2>&1 | tee "$output" >&2
  status=${PIPESTATUS[0]}
  set -e
  report policy "$env" "$status" "$output" || true
  return "$status"
}

failed=()
for env in "$@"; do
  gate "$env" || failed+=("$env")
done
if [ ${#failed[@]} -gt 0 ]; then
  die "policy gate failed for: ${failed[*]} (see the Policies section of the preview output above, or the job summary)"
fi
log "policy gate passed for: $*"
