#!/usr/bin/env bash
# The minutes evaluation (issue: minutes that are right on real, messy meetings): the built-in
# engine on every meeting of bench/minutes/data, through Quorum's own notes → sections →
# engine path, scored against the hand-written minutes (rules in bench/minutes/README.md).
# Prints one Markdown table row per language and part (tune / heldout) for docs/benchmarks.md.
#
#   bash bench/minutes.sh              # the table
#   bash bench/minutes.sh --details    # and what was missed or wrong, tune part only
#   bash bench/minutes.sh --json       # the scores as bench/minutes/floor.json holds them
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quorum/target}"
cargo build -q --workspace --features quorum/whisper,quorum-transcript/whisper --bin quorum-minutes-eval
"$CARGO_TARGET_DIR/debug/quorum-minutes-eval" "$@"
