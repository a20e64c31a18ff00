#!/usr/bin/env bash
# The web app's cost (issue: the web app), measured in one run against one release binary
# with the embedded defaults:
#   1. each page (dashboard, to-dos, notifications, a meeting's minutes) at CONNECTIONS
#      concurrent users for DURATION: requests/s, p50 and p95;
#   2. the API calls the same page makes, as one sequence per "page" (a wrk script that
#      sends them one after another, with the user's bearer token) — the baseline;
#   3. the ratio: the page's time per request over its API calls' time per sequence
#      (target < 1.5×);
#   4. the bytes a page ships: its HTML, and the stylesheet and scripts (target < 150 KB of
#      JS + CSS in all).
# Prints Markdown tables for docs/benchmarks.md.
#
#   bash bench/web.sh
#   DURATION=20s CONNECTIONS=50 bash bench/web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quorum/target}"
DURATION="${DURATION:-10s}"; CONNECTIONS="${CONNECTIONS:-50}"; THREADS="${THREADS:-2}"
PORT="${PORT:-18480}"

command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
command -v jq >/dev/null || (apt-get update -qq && apt-get install -y -qq jq) >/dev/null
cargo build --release -q -p quorum --bin quorum
bin="$CARGO_TARGET_DIR/release/quorum"

work=$(mktemp -d)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$PORT"

# Rate limits off: the load generator is one client.
QUORUM_SERVER__PORT="$PORT" QUORUM_DATA__DIR="$work/data" QUORUM_GATEWAY__RATE_LIMIT__ENABLED=false \
  QUORUM_LOG__LEVEL=warn "$bin" > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "$base/actuator/health" >/dev/null 2>&1 && break; sleep 0.2; done

json() { curl -fs -H 'content-type: application/json' "$@"; }
email="bench-$RANDOM@example.com"
json -X POST "$base/api/users/register" \
  -d "{\"email\":\"$email\",\"password\":\"correct horse battery\",\"name\":\"Dana Park\"}" >/dev/null
token=$(json -X POST "$base/api/users/login" \
  -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}" | jq -r .accessToken)
me=$(curl -fs -H "authorization: Bearer $token" "$base/api/users/me" | jq -r .id)
auth=(-H "authorization: Bearer $token")

# Data: six meetings, the last one held with notes (minutes, action items, notifications).
for i in 1 2 3 4 5 6; do
  meeting=$(json "${auth[@]}" -X POST "$base/api/meetings" \
    -d "{\"title\":\"Weekly sync $i\",\"scheduledAt\":\"2026-12-0${i}T01:00:00Z\",\"participantIds\":[]}" | jq -r .id)
done
json "${auth[@]}" -X POST "$base/api/meetings/$meeting/start" >/dev/null
json "${auth[@]}" -X POST "$base/api/meetings/$meeting/end" -d '{"notes":"Dana Park: We decided to ship on Monday.\nDana Park: I will send the release notes by Friday.\nDana Park: I will book the room for the retro by Thursday."}' >/dev/null
for _ in $(seq 1 100); do
  curl -fs "${auth[@]}" "$base/api/ai/meetings/$meeting/analysis" >/dev/null 2>&1 && break; sleep 0.2
done
transcript=$(curl -fs "${auth[@]}" "$base/api/transcripts?meetingId=$meeting" | jq -r .id)

# A browser's session: the CSRF cookie from the sign-in page, then the form.
jar="$work/jar"
curl -fs -c "$jar" "$base/login" -o "$work/login.html"
csrf=$(awk '$6 == "quorum_csrf" { print $7 }' "$jar")
curl -fs -b "$jar" -c "$jar" -o /dev/null -H "origin: $base" \
  --data-urlencode "email=$email" --data-urlencode "password=correct horse battery" \
  --data-urlencode "_csrf=$csrf" "$base/login"
session=$(awk '$6 == "quorum_session" { print $7 }' "$jar")
cookie="quorum_session=$session; quorum_csrf=$csrf"

# wrk's report: requests/s, p50 and p95 in ms, non-2xx/3xx answers.
cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, errors))
end
LUA
# One "page" of API calls: the paths in order, each answer before the next request.
sequence() {
  local paths="$1"
  cat "$work/report.lua"
  cat <<LUA
local paths = { $paths }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["authorization"] = "Bearer $token" })
end
LUA
}
run() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" | awk '/^RESULT/ { print $2, $3, $4, $5 }'; }

declare -A calls=(
  ["/"]="\"/api/todos?size=100&assigneeId=$me\", \"/api/meetings?size=100\", \"/api/notifications?unread=true&size=1\""
  ["/todos"]="\"/api/todos?size=100&assigneeId=$me&status=OPEN%2CIN_PROGRESS\""
  ["/notifications"]="\"/api/notifications?size=50\", \"/api/notifications?size=1&unread=true\""
  ["/meetings/$meeting"]="\"/api/meetings/$meeting\", \"/api/ai/meetings/$meeting/analysis\", \"/api/transcripts?meetingId=$meeting\", \"/api/meetings/$meeting/recordings?size=100\""
)
names=("/" "/todos" "/notifications" "/meetings/$meeting")
labels=("dashboard" "to-dos" "notifications" "a meeting's minutes")

echo "| page | page req/s | page p50 / p95 (ms) | its API calls | API sequences/s | API p50 / p95 (ms, per call) | page ÷ its calls |"
echo "|---|---|---|---|---|---|---|"
for k in "${!names[@]}"; do
  page="${names[$k]}"
  read -r prps pp50 pp95 perr < <(run -H "Cookie: $cookie" -s "$work/report.lua" "$base$page")
  sequence "${calls[$page]}" > "$work/seq.lua"
  n=$(grep -o '"/api' <<< "${calls[$page]}" | wc -l)
  read -r arps ap50 ap95 aerr < <(run -s "$work/seq.lua" "$base/")
  # Time per page against time per sequence of its n calls (each wrk request is one call).
  ratio=$(awk -v p="$prps" -v a="$arps" -v n="$n" 'BEGIN { printf "%.2f", a / (n * p) }')
  [[ "$perr$aerr" == "00" ]] || echo "(errors: page $perr, API $aerr)" >&2
  echo "| ${labels[$k]} | $prps | $pp50 / $pp95 | $n | $(awk -v a="$arps" -v n="$n" 'BEGIN { printf "%.1f", a / n }') | $ap50 / $ap95 | ${ratio}× |"
done

echo
echo "| page | HTML (bytes) | CSS + JS (bytes, each fetched once, then cached for a year) |"
echo "|---|---|---|"
assets=$(curl -fs -b "$jar" "$base/" | grep -o '/static/[^"]*' | sort -u)
asset_bytes=0
for a in $assets; do asset_bytes=$((asset_bytes + $(curl -fs "$base$a" | wc -c))); done
for k in "${!names[@]}"; do
  html=$(curl -fs -b "$jar" "$base${names[$k]}" | wc -c)
  echo "| ${labels[$k]} | $html | $asset_bytes |"
done
echo
echo "Assets: $(echo $assets | tr ' ' '\n' | sed 's|/static/||' | tr '\n' ' ')"
