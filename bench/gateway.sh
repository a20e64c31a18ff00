#!/usr/bin/env bash
# Baseline of the request path (issue: foundation):
#   1. GET /api/meetings/{id} through the gateway (JWT verification, revocation check,
#      routing, metrics, access log) at 1,000 concurrent connections;
#   2. the same request straight to the meeting service's router (no gateway), same run;
#   3. idle resident memory of `quorum serve`.
# Prints a Markdown table for docs/benchmarks.md. Load generator: wrk (Debian package),
# sharing the machine's cores with the server.
#
#   bash bench/gateway.sh            # 15 s per measurement
#   DURATION=30s bash bench/gateway.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quorum/target}"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-1000}"
THREADS="${THREADS:-2}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
ulimit -n 65535 || true

cargo build --release -q -p quorum --bin quorum --example bench_server
bin="$CARGO_TARGET_DIR/release"

log=$(mktemp)
"$bin/examples/bench_server" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q gatewayPort "$log" && break; sleep 0.1; done
fixture=$(grep gatewayPort "$log")
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$fixture" "$1"; }
gw=$(field gatewayPort); direct=$(field directPort); token=$(field token)
user=$(field userId); meeting=$(field meetingId)

run() { # name url header
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$3" "$2" >"$1.out" 2>&1 || true
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$1.out")
  p50=$(awk '$1=="50%" {print $2}' "$1.out")
  p99=$(awk '$1=="99%" {print $2}' "$1.out")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$1.out")
  echo "$rps|$p50|$p99|${non2xx:-0}"
}
tmp=$(mktemp -d)
# Warm up both paths (caches, connections).
wrk -t1 -c10 -d2s -H "authorization: Bearer $token" "http://127.0.0.1:$gw/api/meetings/$meeting" >/dev/null
via_gw=$(run "$tmp/gw" "http://127.0.0.1:$gw/api/meetings/$meeting" "authorization: Bearer $token")
via_direct=$(run "$tmp/direct" "http://127.0.0.1:$direct/api/meetings/$meeting" "x-quorum-user-id: $user")
kill $server; wait $server 2>/dev/null || true

# Idle RSS of the real binary.
data=$(mktemp -d)
QUORUM_DATA__DIR="$data" QUORUM_SERVER__PORT=0 QUORUM_SERVER__HOST=127.0.0.1 QUORUM_LOG__LEVEL=warn \
  "$bin/quorum" serve >/dev/null 2>&1 &
q=$!
sleep 5
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$q/status)
kill -TERM $q; wait $q 2>/dev/null || true

IFS='|' read -r g_rps g_p50 g_p99 g_err <<<"$via_gw"
IFS='|' read -r d_rps d_p50 d_p99 d_err <<<"$via_direct"
overhead=$(python3 -c "print(f'{(1-float(\"$g_rps\")/float(\"$d_rps\"))*100:.1f}')")
echo
echo "GET /api/meetings/{id}, $CONNECTIONS connections, $DURATION, wrk -t$THREADS, $(nproc) cores"
echo
echo "| path | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
echo "| through the gateway | $g_rps | $g_p50 | $g_p99 | $g_err |"
echo "| meeting router direct (baseline) | $d_rps | $d_p50 | $d_p99 | $d_err |"
echo
echo "gateway throughput overhead: ${overhead} %"
echo "idle RSS of quorum serve: $((rss_kb / 1024)) MiB"
