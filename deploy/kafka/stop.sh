#!/usr/bin/env bash
# Stops the broker that start.sh started (SIGTERM, a clean shutdown; SIGKILL after 30 s).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pidfile=${KAFKA_STATE_DIR:-$root/.cache/kafka/run}/broker.pid
[ -f "$pidfile" ] || { echo "kafka: not started by this project"; exit 0; }
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  echo "kafka: stopped (pid $pid)"
fi
rm -f "$pidfile"
