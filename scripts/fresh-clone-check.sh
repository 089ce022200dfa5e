#!/usr/bin/env bash
# Proves the repository stands on its own: clones the committed tree into an empty temporary directory
# (nothing beside it, no `shared` folder), installs from the lockfile and runs the unit suite there.
# `.ci/run` calls it; run it yourself after committing. The npm cache is reused, so nothing is downloaded
# twice.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/nanoclaw-fresh-clone.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

git clone --quiet --no-hardlinks "$repo" "$scratch/nanoclaw"
cd "$scratch/nanoclaw"
if [ "$(ls -A "$scratch")" != nanoclaw ]; then echo "fresh-clone-check: $scratch holds more than the clone" >&2; exit 1; fi
echo "fresh-clone-check: $(git log -1 --format='%h %s') in $PWD"
npm ci --no-audit --no-fund --prefer-offline --loglevel=warn
# SQLite only: the other engines were covered by the main run; this one is about what the tree contains.
NANOCLAW_TEST_ENGINES=sqlite npx vitest run --project unit
