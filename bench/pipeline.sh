#!/usr/bin/env bash
# Minutes-pipeline throughput and latency (all-in-one mode, this machine):
#   1. a steady run: RATE meetings ended per second for COUNT meetings — p50/p95 from `end`
#      to the meeting's last todo;
#   2. a burst: BURST meetings ended at once — meetings fully processed per second (every
#      todo and every in-app notification written; e-mail to a local SMTP sink).
# Each meeting's notes commit three people to four tasks with due dates (see
# apps/quorum/examples/bench_pipeline.rs). Timings come from the services' own databases.
#
#   bash bench/pipeline.sh
#   RATE=50 COUNT=500 BURST=1000 bash bench/pipeline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quorum/target}"
RATE="${RATE:-20}"; COUNT="${COUNT:-200}"; BURST="${BURST:-500}"

python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd
cargo build --release -q -p quorum --bin quorum --example bench_pipeline
bin="$CARGO_TARGET_DIR/release"

work=$(mktemp -d)
mkdir -p "$work/mail" "$work/data"
python3 scripts/mail_sink.py --port 0 --dir "$work/mail" < <(sleep 100000) > "$work/sink.out" &
sink=$!
for _ in $(seq 1 100); do grep -q LISTENING "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
smtp_port=$(awk '/LISTENING/ {print $2}' "$work/sink.out")

QUORUM_DATA__DIR="$work/data" QUORUM_SERVER__HOST=127.0.0.1 QUORUM_SERVER__PORT=0 \
QUORUM_LOG__LEVEL=warn,quorum=info QUORUM_LOG__JSON=true \
QUORUM_GATEWAY__RATE_LIMIT__ENABLED=false \
QUORUM_NOTIFICATION__SMTP__HOST=127.0.0.1 QUORUM_NOTIFICATION__SMTP__PORT="$smtp_port" \
QUORUM_NOTIFICATION__SMTP__SECURITY=none \
  "$bin/quorum" serve > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server $sink 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do grep -q '"quorum is listening"' "$work/server.log" && break; sleep 0.1; done
port=$(python3 -c "import json,sys
for l in open(sys.argv[1]):
    try: v=json.loads(l)
    except Exception: continue
    if v.get('message')=='quorum is listening': print(v['port'])" "$work/server.log")
base="http://127.0.0.1:$port"

steady=$("$bin/examples/bench_pipeline" "$base" "$work/data" "$RATE" "$COUNT")
burst=$("$bin/examples/bench_pipeline" "$base" "$work/data" 0 "$BURST")
mails=$(ls "$work/mail" | grep -c '\.eml$' || true)

python3 - "$steady" "$burst" "$mails" "$(nproc)" <<'PY'
import json, sys
s, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"all-in-one, {sys.argv[4]} cores, SQLite + embedded broker, e-mail to a local SMTP sink ({sys.argv[3]} messages)\n")
print("| run | meetings | offered /s | processed /s | end → last todo p50 | p95 | max |")
print("|---|---|---|---|---|---|---|")
for name, r in (("steady", s), ("burst", b)):
    t = r["endToLastTodoMs"]
    print(f"| {name} | {r['meetings']} | {r['offeredRate']:.1f} | {r['processedPerSecond']:.1f} | "
          f"{t['p50']:.0f} ms | {t['p95']:.0f} ms | {t['max']:.0f} ms |")
PY
