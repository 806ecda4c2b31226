#!/usr/bin/env bash
# The release steps, run by .github/workflows/release.yml when a v* tag is pushed, and by anyone
# who wants to check a release: on a clean checkout of the tagged commit, build (validate, the
# release files, the site), test, verify the zip, check the tag against the descriptor and
# CHANGELOG.md, and write what the GitHub release gets into OUTDIR:
#   ai-chip-export-controls-<version>.zip, SHA256SUMS, RELEASE_NOTES.md
# Every byte of the zip is a function of the commit (its time is the commit's; see release.py),
# so the files written here on any machine equal the ones attached to the release.
#
# usage: scripts/release.sh vX.Y.Z [OUTDIR]      (SKIP_TESTS=1 skips `make test`)
set -euo pipefail

tag="${1:?usage: scripts/release.sh vX.Y.Z [OUTDIR]}"
out="${2:-release-assets}"
cd "$(dirname "$0")/.."

fail() { echo "release.sh: $*" >&2; exit 1; }

case "$tag" in v[0-9]*.[0-9]*.[0-9]*) ;; *) fail "'$tag' is not a release tag (vMAJOR.MINOR.PATCH)" ;; esac
commit="$(git rev-parse -q --verify "refs/tags/$tag^{commit}")" || fail "no tag $tag in this repository"
[ "$(git rev-parse HEAD)" = "$commit" ] || fail "HEAD is not $tag: check out the tagged commit ('git checkout $tag')"
[ -z "$(git status --porcelain)" ] || fail "the checkout has changes or untracked files: release from a clean checkout of $tag"

# The release's time is the commit's, never the environment's or the clock's.
unset SOURCE_DATE_EPOCH

make .venv/.installed
cli=.venv/bin/chipcontrols
rm -rf "$out"
mkdir -p "$out"
# First the checks that need no build (tag, CHANGELOG entry, content hash, citation files): a tag
# that cannot be released fails in seconds. The notes diff against the previous release's data.
"$cli" release-notes datapackage.json --tag "$tag" --output "$out/RELEASE_NOTES.md"
make build
if [ "${SKIP_TESTS:-}" != 1 ]; then
  make test
fi
version="${tag#v}"
zip="ai-chip-export-controls-$version.zip"
"$cli" verify "dist/$zip"
(cd dist && sha256sum --check --strict SHA256SUMS)
cp "dist/$zip" dist/SHA256SUMS "$out/"
(cd "$out" && sha256sum "$zip" SHA256SUMS RELEASE_NOTES.md)
