#!/usr/bin/env bash
# Same-shape pairs in non-test code: copies the tracked Rust sources of REV (default: the
# working tree) without test files, test-support and inline `#[cfg(test)] mod` blocks into a
# scratch folder and runs the `duplicates` tool over it.
#   bash bench/duplicates.sh            # the working tree
#   bash bench/duplicates.sh a8a35de    # a commit, for a before/after
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [[ -n "$rev" ]]; then
  files=$(git ls-tree -r --name-only "$rev")
else
  files=$( (git ls-files; git ls-files --others --exclude-standard) | sort -u)
fi
grep '\.rs$' <<<"$files" | grep -v '/tests/' | grep -v 'tests\.rs$' | grep -v '^crates/test-support/' |
  while read -r f; do
    mkdir -p "$scratch/$(dirname "$f")"
    if [[ -n "$rev" ]]; then git show "$rev:$f"; else cat "$f"; fi |
      # an inline test module runs to the end of its file in this code base
      awk '/^#\[cfg\(test\)\]/ { getline next_line; if (next_line ~ /^mod /) exit; print; print next_line; next } { print }' \
        >"$scratch/$f"
  done
cd "$scratch"
git init -q && git add -A && git -c user.email=b@b -c user.name=b commit -qm tree
duplicates --most "${MOST:-200}" --seconds 300
