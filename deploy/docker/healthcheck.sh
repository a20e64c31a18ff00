#!/bin/bash
# Container health check: GET /actuator/health/liveness on the local port, without curl.
# Exit 0 on HTTP 200, 1 otherwise (Docker's HEALTHCHECK and compose healthchecks use it).
set -u
port="${QUORUM_SERVER__PORT:-8080}"
{ exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null || exit 1
printf 'GET /actuator/health/liveness HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 4 status <&3 || exit 1
[[ "$status" == HTTP/1.[01]\ 200* ]]
