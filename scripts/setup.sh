#!/usr/bin/env bash
# Installs and starts what the test suite needs, idempotently (a second run does nothing):
#   - espeak-ng and sox (speech generated from known text for the speech-to-text tests),
#   - cmake and a C++ compiler (CTranslate2 is compiled from source for local Whisper),
#   - Chromium and its WebDriver (the web app's browser tests) and Noto CJK fonts (Korean
#     text in the pages they render and screenshot),
#   - axe-core from npm, pinned (the accessibility checks the browser tests run on every
#     page), into ~/.cache/quorum/npm,
#   - PostgreSQL, Redis and RabbitMQ: started when installed but not running, installed
#     from Debian's packages when missing (skip with QUORUM_SKIP_SERVICES=1).
# Uses apt-get (Debian/Ubuntu) and needs root or sudo for installs.
set -euo pipefail

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need espeak-ng espeak-ng
need sox sox
need cmake cmake
need g++ g++
need psql postgresql-client
need chromium chromium
need chromedriver chromium-driver
need npm npm
if ! dpkg -s libsox-fmt-all >/dev/null 2>&1; then missing+=(libsox-fmt-all); fi
if ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then missing+=(fonts-noto-cjk); fi
if [[ "${QUORUM_SKIP_SERVICES:-}" != "1" ]]; then
  need pg_ctlcluster postgresql
  need redis-server redis-server
  need rabbitmq-server rabbitmq-server
fi
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# axe-core, pinned; the browser tests read it from here (QUORUM_AXE_JS names another copy).
axe_version=4.14.1
axe_dir="$HOME/.cache/quorum/npm"
if ! grep -qs "\"version\": \"$axe_version\"" "$axe_dir/node_modules/axe-core/package.json"; then
  echo "== installing axe-core $axe_version from npm"
  mkdir -p "$axe_dir"
  npm install --prefix "$axe_dir" --no-save --no-audit --no-fund --loglevel=error \
    "axe-core@$axe_version" >/dev/null
fi

[[ "${QUORUM_SKIP_SERVICES:-}" == "1" ]] && exit 0

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  echo "$2 did not start listening on port $1" >&2
  return 1
}

if ! port_open 5432; then
  echo "== starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # The suites connect as postgres over loopback without a password: trust loopback (only
  # on a server this script starts, i.e. a development machine).
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
    "${sudo_cmd[@]}" sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  "${sudo_cmd[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port 5432 PostgreSQL
fi
if ! port_open 6379; then
  echo "== starting Redis"
  "${sudo_cmd[@]}" redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_port 6379 Redis
fi
if ! port_open 5672; then
  echo "== starting RabbitMQ"
  "${sudo_cmd[@]}" rabbitmq-server -detached
  wait_port 5672 RabbitMQ
fi
