#!/usr/bin/env bash
# The distributed mode against the all-in-one process, both on PostgreSQL, Redis and
# RabbitMQ, in the same run (issue: production mode):
#   1. GET /api/meetings/{id} (a cached read) through the gateway at CONNECTIONS concurrent
#      connections: the all-in-one process (baseline: gateway and services in one process)
#      and the distributed deployment (a `quorum serve gateway` process reaching two
#      `quorum serve meeting` replicas over HTTP);
#   2. the minutes pipeline (apps/quorum/examples/bench_pipeline.rs): a steady run (RATE
#      meetings/s for COUNT meetings) and a burst (BURST at once) against each.
# Distributed: one process per service (identity, meeting ×2, transcript, ai, todo,
# notification) plus the gateway — nine processes, the load generator and the three servers
# on the same 2 cores. Each process's PostgreSQL pools hold at most DB_CONNECTIONS (default 5)
# connections, so both deployments fit PostgreSQL's default 100. Prints Markdown tables for
# docs/benchmarks.md.
#
#   bash bench/distributed.sh
#   DURATION=30s RATE=20 COUNT=200 BURST=300 bash bench/distributed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quorum/target}"
DURATION="${DURATION:-15s}"; CONNECTIONS="${CONNECTIONS:-1000}"; THREADS="${THREADS:-2}"
RATE="${RATE:-20}"; COUNT="${COUNT:-200}"; BURST="${BURST:-300}"
PG="${QUORUM_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
AMQP="${QUORUM_BENCH_AMQP:-amqp://guest:guest@127.0.0.1:5672}"
REDIS="${QUORUM_BENCH_REDIS:-redis://127.0.0.1:6379}"

bash scripts/setup.sh >/dev/null
command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd
ulimit -n 65535 2>/dev/null || true
cargo build --release -q -p quorum --bin quorum --example bench_pipeline
bin="$CARGO_TARGET_DIR/release"

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/mail"
python3 scripts/mail_sink.py --port 0 --dir "$work/mail" < <(sleep 100000) > "$work/sink.out" &
pids+=($!)
for _ in $(seq 1 100); do grep -q LISTENING "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
smtp_port=$(awk '/LISTENING/ {print $2}' "$work/sink.out")

# Fresh backends for both deployments: databases bench_<mode>_<service>, a virtual host and a
# Redis prefix each.
for mode in aio dist; do
  psql "$PG/postgres" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'bench_${mode}_%'" |
    while read -r db; do psql "$PG/postgres" -qc "DROP DATABASE \"$db\"" >/dev/null; done
  rabbitmqctl -q delete_vhost "bench_$mode" >/dev/null 2>&1 || true
  rabbitmqctl -q add_vhost "bench_$mode" >/dev/null
  rabbitmqctl -q set_permissions -p "bench_$mode" guest '.*' '.*' '.*' >/dev/null
  redis-cli -u "$REDIS" --scan --pattern "bench_$mode:*" | xargs -r redis-cli -u "$REDIS" del >/dev/null
done

backend_env() { # mode
  echo "QUORUM_BACKENDS__DATABASE_URL=$PG/bench_$1_{service}"
  echo "QUORUM_BACKENDS__AMQP_URL=$AMQP/bench_$1"
  echo "QUORUM_BACKENDS__REDIS_URL=$REDIS"
  echo "QUORUM_BACKENDS__REDIS_PREFIX=bench_$1:"
}
start() { # mode name port serve-args…
  local mode=$1 name=$2 port=$3; shift 3
  mkdir -p "$work/$mode"
  env $(backend_env "$mode") QUORUM_DATA__DIR="$work/$mode" \
    QUORUM_SERVER__HOST=127.0.0.1 QUORUM_SERVER__PORT="$port" \
    QUORUM_LOG__LEVEL=warn QUORUM_GATEWAY__RATE_LIMIT__ENABLED=false \
    QUORUM_BACKENDS__DATABASE_MAX_CONNECTIONS="${DB_CONNECTIONS:-5}" \
    QUORUM_NOTIFICATION__SMTP__HOST=127.0.0.1 QUORUM_NOTIFICATION__SMTP__PORT="$smtp_port" \
    QUORUM_NOTIFICATION__SMTP__SECURITY=none \
    QUORUM_GATEWAY__UPSTREAMS__IDENTITY=http://127.0.0.1:18301 \
    QUORUM_GATEWAY__UPSTREAMS__MEETING=http://127.0.0.1:18302,http://127.0.0.1:18303 \
    QUORUM_GATEWAY__UPSTREAMS__TRANSCRIPT=http://127.0.0.1:18304 \
    QUORUM_GATEWAY__UPSTREAMS__AI=http://127.0.0.1:18305 \
    QUORUM_GATEWAY__UPSTREAMS__TODO=http://127.0.0.1:18306 \
    QUORUM_GATEWAY__UPSTREAMS__NOTIFICATION=http://127.0.0.1:18307 \
    "$bin/quorum" serve "$@" > "$work/$mode-$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null && return 0
    sleep 0.1
  done
  echo "$mode $name did not become ready:" >&2; cat "$work/$mode-$name.log" >&2; exit 1
}

start aio all 18300
port=18301
for s in identity meeting meeting transcript ai todo notification; do
  start dist "$s-$port" "$port" "$s"; port=$((port + 1))
done
start dist gateway 18310 gateway

fixture() { # base → "token meeting-id"
  python3 - "$1" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def call(path, body, token=None):
    req = urllib.request.Request(base + path, json.dumps(body).encode(),
                                 {"content-type": "application/json"})
    if token: req.add_header("authorization", "Bearer " + token)
    return json.load(urllib.request.urlopen(req))
call("/api/users/register", {"email": "bench@example.com", "password": "correct horse battery", "name": "Bench"})
token = call("/api/users/login", {"email": "bench@example.com", "password": "correct horse battery"})["accessToken"]
m = call("/api/meetings", {"title": "Bench", "scheduledAt": "2027-01-13T01:00:00Z"}, token)
print(token, m["id"])
PY
}
run_wrk() { # out url token
  local url=$2 token=$3
  wrk -t1 -c10 -d2s -H "authorization: Bearer $token" "$url" >/dev/null   # warm-up
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "authorization: Bearer $token" "$url" >"$1" 2>&1 || true
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$1"); p50=$(awk '$1=="50%" {print $2}' "$1")
  p99=$(awk '$1=="99%" {print $2}' "$1"); non2xx=$(awk '/Non-2xx/ {print $5}' "$1")
  echo "$rps|$p50|$p99|${non2xx:-0}"
}
read -r aio_token aio_meeting < <(fixture http://127.0.0.1:18300)
read -r dist_token dist_meeting < <(fixture http://127.0.0.1:18310)
aio_read=$(run_wrk "$work/aio.wrk" "http://127.0.0.1:18300/api/meetings/$aio_meeting" "$aio_token")
dist_read=$(run_wrk "$work/dist.wrk" "http://127.0.0.1:18310/api/meetings/$dist_meeting" "$dist_token")

pipeline() { # mode base rate count
  env QUORUM_BACKENDS__DATABASE_URL="$PG/bench_$1_{service}" \
    "$bin/examples/bench_pipeline" "$2" "$work/$1" "$3" "$4"
}
aio_steady=$(pipeline aio http://127.0.0.1:18300 "$RATE" "$COUNT")
dist_steady=$(pipeline dist http://127.0.0.1:18310 "$RATE" "$COUNT")
aio_burst=$(pipeline aio http://127.0.0.1:18300 0 "$BURST")
dist_burst=$(pipeline dist http://127.0.0.1:18310 0 "$BURST")

python3 - "$aio_read" "$dist_read" "$aio_steady" "$dist_steady" "$aio_burst" "$dist_burst" \
  "$CONNECTIONS" "$DURATION" "$(nproc)" <<'PY'
import json, sys
a, d = (x.split("|") for x in sys.argv[1:3])
conns, dur, cores = sys.argv[7:10]
print(f"GET /api/meetings/{{id}}, {conns} connections, {dur}, {cores} cores; PostgreSQL, Redis, RabbitMQ\n")
print("| deployment | requests/s | p50 | p99 | non-2xx |")
print("|---|---|---|---|---|")
print(f"| all-in-one process (baseline) | {a[0]} | {a[1]} | {a[2]} | {a[3]} |")
print(f"| distributed: gateway → 2 meeting replicas over HTTP | {d[0]} | {d[1]} | {d[2]} | {d[3]} |")
print(f"\ndistributed / all-in-one: {float(d[0]) / float(a[0]):.2f}×\n")
print("| deployment | run | meetings | offered /s | processed /s | end → last todo p50 | p95 | max |")
print("|---|---|---|---|---|---|---|---|")
for name, run, raw in (("all-in-one", "steady", sys.argv[3]), ("distributed", "steady", sys.argv[4]),
                       ("all-in-one", "burst", sys.argv[5]), ("distributed", "burst", sys.argv[6])):
    r = json.loads(raw); t = r["endToLastTodoMs"]
    print(f"| {name} | {run} | {r['meetings']} | {r['offeredRate']:.1f} | {r['processedPerSecond']:.1f} | "
          f"{t['p50']:.0f} ms | {t['p95']:.0f} ms | {t['max']:.0f} ms |")
PY
