#!/usr/bin/env bash
# The RabbitMQ adapter (`quorum_bus::RabbitBroker`) against RabbitMQ's own limit on this
# machine: the same publish + consume work — 1 KB persistent messages, publisher confirms and
# `mandatory`, manual acks, prefetch 200 — through our layer and through raw `lapin` calls,
# in one run, with 1, 16 and 64 concurrent publishers.
#
#   bash bench/rabbit.sh          # 5000 messages per run
#   N=20000 bash bench/rabbit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quorum/target}"
bash scripts/setup.sh
export QUORUM_TEST_AMQP_URL="${QUORUM_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
echo "# $(date -u +%F) $(nproc) cores; $(rabbitmqctl version 2>/dev/null | sed 's/^/RabbitMQ /' || true)"
cargo run --release -q -p quorum-bus --example rabbit_throughput -- "${N:-5000}"
