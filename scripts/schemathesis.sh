#!/usr/bin/env bash
# Checks the API against its own OpenAPI document with Schemathesis (installed by
# scripts/setup.sh): starts a fresh all-in-one server (debug build, a temporary data
# directory, a free port, rate limits off so that the run measures the contract and not the
# quotas), and runs `schemathesis run` on /api/openapi.json over every operation with every
# check, stateful sequences included (the document's links and those Schemathesis infers),
# a bounded number of examples per operation and a fixed seed. Exits non-zero on any failure.
#
# Who the requests are sent as: scripts/schemathesis/hooks.py (a member signed in again after
# a 401; a new account for each request that may delete or lock its own). The few checks that
# do not apply to one operation are turned off for that operation alone, each with its reason,
# in scripts/schemathesis/schemathesis.toml.
#
#   bash scripts/schemathesis.sh                  # the whole run (about N minutes on 2 cores)
#   bash scripts/schemathesis.sh --include-path-regex '^/api/todos'   # extra arguments go to
#                                                 # `schemathesis run`
#   QUORUM_ST_EXAMPLES=100 bash scripts/schemathesis.sh               # more examples
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${QUORUM_VENV:-$HOME/.cache/quorum/venv}"
st="$venv/bin/schemathesis"
if [[ ! -x "$st" ]]; then
  echo "schemathesis is not installed in $venv: run scripts/setup.sh" >&2
  exit 1
fi

cargo build --quiet --features quorum/whisper,quorum-transcript/whisper -p quorum --bin quorum
target_dir="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}"
bin="$target_dir/debug/quorum"

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=""
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

env QUORUM_DATA__DIR="$work/data" QUORUM_SERVER__HOST=127.0.0.1 QUORUM_SERVER__PORT="$port" \
  QUORUM_GATEWAY__RATE_LIMIT__ENABLED=false \
  "$bin" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -sf "$base/actuator/health/readiness" >/dev/null 2>&1 && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the server did not start:" >&2
    tail -50 "$work/server.log" >&2
    exit 1
  fi
  sleep 0.5
done

# QUORUM_ST_REPORT_DIR=dir keeps a JUnit report of the run there.
report=()
if [[ -n "${QUORUM_ST_REPORT_DIR:-}" ]]; then
  report=(--report junit --report-dir "$QUORUM_ST_REPORT_DIR")
fi

status=0
QUORUM_ST_BASE="$base" SCHEMATHESIS_HOOKS=hooks PYTHONPATH=scripts/schemathesis \
  "$st" --config-file scripts/schemathesis/schemathesis.toml run "$base/api/openapi.json" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "${QUORUM_ST_EXAMPLES:-25}" \
  --seed "${QUORUM_ST_SEED:-20261203}" \
  --generation-database none \
  --workers 1 \
  --request-timeout 30 \
  --no-color "${report[@]}" "$@" || status=$?

if ((status != 0)); then
  echo "== schemathesis failed (exit $status); the server's log ends:" >&2
  tail -40 "$work/server.log" >&2
fi
exit "$status"
