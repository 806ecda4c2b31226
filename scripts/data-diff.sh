#!/usr/bin/env bash
# The data diff of a pull request, run by .github/workflows/data-diff.yml (and runnable locally):
# `chipcontrols diff` between the base branch's data and this checkout's build, as Markdown for
# the job summary, and a failure when the version here is lower than the change needs.
#
# The base side is the base commit's datapackage.json, schemas and CSVs (git archive): a build
# copies exactly these files byte for byte into its release, and `diff` reads nothing else, so
# this is the diff between the two builds without building the base a second time.
#
# usage: scripts/data-diff.sh BASE_COMMIT [SUMMARY_FILE]   (run after `make build`)
set -euo pipefail

base="${1:?usage: scripts/data-diff.sh BASE_COMMIT [SUMMARY_FILE]}"
summary="${2:-/dev/stdout}"
cd "$(dirname "$0")/.."
git rev-parse -q --verify "$base^{commit}" >/dev/null || { echo "data-diff.sh: no commit $base here (fetch it first)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git archive --format=tar "$base" datapackage.json schemas datapackage | tar -x -C "$tmp"
new="$(ls dist/ai-chip-export-controls-*.zip)"

# The last release the base contains: the newest v* tag reachable from it (none before the first).
last=()
if tag="$(git describe --tags --abbrev=0 --match 'v[0-9]*' "$base" 2>/dev/null)"; then
  last=(--last-release "${tag#v}")
fi

status=0
.venv/bin/chipcontrols diff "$tmp" "$new" --check-bump "${last[@]}" > "$tmp/diff.md" 2> "$tmp/bump.txt" || status=$?
{
  cat "$tmp/diff.md"
  if [ "$status" -ne 0 ]; then
    echo
    echo "## Version check failed"
    echo
    echo '```'
    cat "$tmp/bump.txt"
    echo '```'
  fi
} >> "$summary"
cat "$tmp/bump.txt" >&2
exit "$status"
