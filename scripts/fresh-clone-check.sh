#!/usr/bin/env bash
# Proves the repository stands on its own: clones the committed tree into an empty temporary directory
# (nothing beside it, no `shared` folder), installs from the lockfile and runs a test command there:
# by default the unit suite on SQLite; `.ci/run` passes `npm test`, so the whole suite runs once, in the
# clone. Only committed work is in the clone: commit first. The npm cache is reused, so nothing is
# downloaded twice.
#   usage: scripts/fresh-clone-check.sh [command ...]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "fresh-clone-check: uncommitted changes in $repo are not in the clone and are not tested" >&2
fi
scratch="$(mktemp -d "${TMPDIR:-/tmp}/nanoclaw-fresh-clone.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

git clone --quiet --no-hardlinks "$repo" "$scratch/nanoclaw"
cd "$scratch/nanoclaw"
if [ "$(ls -A "$scratch")" != nanoclaw ]; then echo "fresh-clone-check: $scratch holds more than the clone" >&2; exit 1; fi
echo "fresh-clone-check: $(git log -1 --format='%h %s') in $PWD"
npm ci --no-audit --no-fund --prefer-offline --loglevel=warn
if [ "$#" -gt 0 ]; then
  "$@"
else
  NANOCLAW_TEST_ENGINES=sqlite npx vitest run --project unit
fi
