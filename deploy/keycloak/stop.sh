#!/usr/bin/env bash
# Stops the identity provider that start.sh started from this state directory (its recorded pid only).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=${KC_STATE_DIR:-$root/var/keycloak}
pidfile=$state/keycloak.pid
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { echo "keycloak: pid $pid did not stop; killing it" >&2; kill -KILL "$pid"; }
  echo "keycloak: stopped (pid $pid)"
fi
rm -f "$pidfile"
