#!/usr/bin/env bash
# Secret scan: looks for common credential patterns in the files git tracks.
#
#   scripts/pipeline/secret-scan.sh [DIR]     (default: the current directory)
#
# Scans the working-tree content of every tracked text file of the repository
# that contains DIR (untracked and binary files are not scanned). Needs only
# bash and git.
#
# Known fakes: a line containing `secret-scan: allow` is skipped, and git
# pathspec globs listed one per line in `.secret-scan-ignore` at the repository
# root (`#` starts a comment) are not scanned. Tests should build fake keys at
# run time instead, so that nothing key-shaped is committed.
#
# Output: one line per finding, `path:line: rule: masked value` (the value is
# never printed in full), plus GitHub annotations and a job-summary table when
# run in GitHub Actions.
# Exit: 0 nothing found, 1 findings, 2 usage error.
set -euo pipefail

allow_marker="secret-scan: allow"

# Rule names and POSIX extended regular expressions (git grep -E and bash =~).
# Boundaries are spelled out, as ERE has no \b.
rule_names=()
rule_patterns=()
rule() {
  rule_names+=("$1")
  rule_patterns+=("$2")
}
rule aws-access-key-id '(^|[^A-Za-z0-9])(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}([^A-Za-z0-9]|$)'
rule aws-secret-access-key '[Aa][Ww][Ss]_?[Ss][Ee][Cc][Rr][Ee][Tt]_?([Aa][Cc][Cc][Ee][Ss][Ss]_?)?[Kk][Ee][Yy]["'\'']?[[:space:]]*[:=][[:space:]]*["'\'']?[A-Za-z0-9/+]{40}([^A-Za-z0-9/+]|$)'
rule private-key '-----BEGIN[ A-Z0-9]*PRIVATE KEY( BLOCK)?-----'
rule github-token '(^|[^A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}'
rule github-fine-grained-token '(^|[^A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}'
rule gitlab-token '(^|[^A-Za-z0-9_])glpat-[A-Za-z0-9_-]{20,}'
rule slack-token '(^|[^A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}'
rule slack-webhook 'https://hooks\.slack\.com/(services|workflows)/T[A-Za-z0-9_]+/[A-Za-z0-9_]+/[A-Za-z0-9_]+'
rule google-api-key '(^|[^A-Za-z0-9_])AIza[0-9A-Za-z_-]{35}'
rule stripe-secret-key '(^|[^A-Za-z0-9_])(sk|rk)_live_[0-9A-Za-z]{24,}'
rule npm-token '(^|[^A-Za-z0-9_])npm_[A-Za-z0-9]{36}([^A-Za-z0-9]|$)'
rule pulumi-access-token '(^|[^A-Za-z0-9_])pul-[a-f0-9]{40}([^a-f0-9]|$)'

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}

case "${1:-}" in
  -h | --help) usage ;;
esac
[ $# -le 1 ] || usage
dir=${1:-.}
if ! root=$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null); then
  echo "secret-scan: $dir is not inside a git work tree" >&2
  exit 2
fi

pathspec=(.)
if [ -f "$root/.secret-scan-ignore" ]; then
  while IFS= read -r glob || [ -n "$glob" ]; do
    glob=${glob%%#*}
    glob=$(printf '%s' "$glob" | sed 's/[[:space:]]*$//; s/^[[:space:]]*//')
    [ -n "$glob" ] && pathspec+=(":(exclude,glob)$glob")
  done <"$root/.secret-scan-ignore"
fi

# The value as printed: its first four characters, the rest masked.
mask() {
  local value=$1
  value=${value#"${value%%[A-Za-z0-9-]*}"}        # drop boundary characters before
  value=${value%"${value##*[A-Za-z0-9/+=_-]}"}     # and after the match
  printf '%s%s (%d characters)' "${value:0:4}" "****" "${#value}"
}

matches=$(mktemp)
trap 'rm -f "$matches"' EXIT

findings=0
report=()
for index in "${!rule_names[@]}"; do
  name=${rule_names[$index]}
  pattern=${rule_patterns[$index]}
  set +e
  git -C "$root" grep -z -n -I -E -e "$pattern" -- "${pathspec[@]}" >"$matches"
  status=$?
  set -e
  if [ "$status" -gt 1 ]; then
    echo "secret-scan: git grep failed for rule $name" >&2
    exit 2
  fi
  [ "$status" -eq 0 ] || continue
  while IFS= read -r -d '' path && IFS= read -r -d '' line && IFS= read -r content; do
    case "$content" in *"$allow_marker"*) continue ;; esac
    value=$content
    if [[ $content =~ $pattern ]]; then value=${BASH_REMATCH[0]}; fi
    findings=$((findings + 1))
    masked=$(mask "$value")
    printf '%s:%s: %s: %s\n' "$path" "$line" "$name" "$masked"
    report+=("| \`$path\` | $line | $name | \`$masked\` |")
    if [ "${GITHUB_ACTIONS:-}" = true ]; then
      printf '::error file=%s,line=%s,title=secret-scan::%s found (%s)\n' "$path" "$line" "$name" "$masked"
    fi
  done <"$matches"
done

if [ "$findings" -eq 0 ]; then
  echo "secret-scan: no secrets found in the files tracked under $root (${#rule_names[@]} rules)" >&2
  [ -z "${GITHUB_STEP_SUMMARY:-}" ] || printf '### Secret scan: passed\n\nNo credentials found in tracked files (%d rules).\n\n' "${#rule_names[@]}" >>"$GITHUB_STEP_SUMMARY"
  exit 0
fi

echo "secret-scan: $findings possible secret(s) found; revoke any real credential, then remove it from the history" >&2
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    printf '### Secret scan: failed\n\n%d possible secret(s) in tracked files:\n\n' "$findings"
    printf '| file | line | rule | value |\n| --- | --- | --- | --- |\n'
    printf '%s\n' "${report[@]}"
    # shellcheck disable=SC2016 # backticks are markdown
    printf '\nRevoke any real credential first, then remove it from the history. Fakes in tests: build them at run time, or mark the line `%s`.\n\n' "$allow_marker"
  } >>"$GITHUB_STEP_SUMMARY"
fi
exit 1
