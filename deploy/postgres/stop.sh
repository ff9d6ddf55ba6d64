#!/usr/bin/env bash
# Stops the cluster that start.sh runs from DATA_DIR (default var/pg): a fast shutdown (open sessions are
# ended, the cluster checkpoints); nothing to do when none runs there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(realpath -m "${1:-$root/var/pg}")
[ -f "$data/postmaster.pid" ] || exit 0
source "$root/deploy/postgres/common.sh"
pg_alive "$data" || exit 0
pg pg_ctl stop -D "$data" -m fast -w -t "${PG_STOP_TIMEOUT:-60}" -s
echo "postgres: stopped ($data)"
