#!/usr/bin/env bash
# Starts the project's own PostgreSQL cluster: start.sh [DATA_DIR [PORT]] (default var/pg, 5433). Never a
# system service. On first use initialises DATA_DIR (UTF8, locale C, trust for 127.0.0.1 and the unix socket
# in DATA_DIR) and makes the role and database `yrd`. Starting a running cluster changes nothing. Waits
# until it accepts connections on 127.0.0.1:PORT; its logs are in DATA_DIR/log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(realpath -m "${1:-$root/var/pg}")
port=${2:-5433}
source "$root/deploy/postgres/common.sh"

ready() { "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; }
psql_admin() { "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$data" -p "$port" -U postgres -d postgres "$@"; }

wait_ready() {
  local deadline=$(( $(date +%s) + ${PG_START_TIMEOUT:-60} ))
  until ready; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.1; done
}

# Running already (or still starting, or recovering after a crash): wait for it rather than start another.
if [ -f "$data/PG_VERSION" ] && pg_alive "$data"; then
  wait_ready || { echo "postgres: running from $data but not answering on 127.0.0.1:$port; see $data/log" >&2; exit 1; }
  echo "postgres: already running on 127.0.0.1:$port ($data)"
  exit 0
fi

started=$(date +%s%N)
deadline=$(( $(date +%s) + ${PG_START_TIMEOUT:-60} ))
while [ -f "$data/PG_VERSION" ] && { pg_alive "$data"; [ $? -eq 2 ]; }; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "postgres: a killed postmaster of $data is not reaped yet" >&2; exit 1; }
  sleep 0.5
done
if [ ! -f "$data/PG_VERSION" ]; then
  # An empty (or new) directory of the owner's, mode 0700, as initdb wants it.
  mkdir -p "$data"
  [ -z "$(ls -A "$data")" ] || { echo "postgres: $data is not empty and holds no cluster" >&2; exit 1; }
  [ ${#as_owner[@]} -eq 0 ] || chown "$pg_user:" "$data"
  chmod 700 "$data"
  (cd / && "${as_owner[@]}" test -w "$data") || {
    echo "postgres: $data is out of ${pg_user:-its owner}'s reach (a parent directory closed to it?)" >&2; exit 1; }
  pg initdb -D "$data" -U postgres --encoding=UTF8 --locale=C --auth=trust --no-instructions \
    > "$data.initdb.log" 2>&1 || { cat "$data.initdb.log" >&2; exit 1; }
  rm -f "$data.initdb.log"
fi
grep -q "^include_if_exists = 'yrd.conf'" "$data/postgresql.conf" \
  || echo "include_if_exists = 'yrd.conf'  # the project's settings (deploy/postgres/postgresql.conf)" \
    >> "$data/postgresql.conf"

# The project's settings, installed anew on every start (a changed file takes effect on the next one).
{
  cat "$root/deploy/postgres/postgresql.conf"
  echo "port = $port"
  echo "unix_socket_directories = '$data'"
} > "$data/yrd.conf"
cp "$root/deploy/postgres/pg_hba.conf" "$data/pg_hba.conf"
[ ${#as_owner[@]} -eq 0 ] || chown "$pg_user:" "$data/yrd.conf" "$data/pg_hba.conf"

if ! pg pg_ctl start -D "$data" -l "$data/startup.log" -w -t "${PG_START_TIMEOUT:-60}" -s; then
  echo "postgres: did not start on 127.0.0.1:$port; see $data/startup.log and $data/log" >&2
  tail -20 "$data/startup.log" >&2 || true
  exit 1
fi
# pg_ctl -w saw the postmaster ready; the TCP listener answers too.
wait_ready || { echo "postgres: started but not answering on 127.0.0.1:$port; see $data/log" >&2; exit 1; }

# The application's role and database (made once; checked on every start, which is cheap).
psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'yrd'" -tA | grep -q 1 \
  || psql_admin -c "CREATE ROLE yrd LOGIN CREATEDB REPLICATION"
psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'yrd'" -tA | grep -q 1 \
  || psql_admin -c "CREATE DATABASE yrd OWNER yrd"
echo "postgres: up on 127.0.0.1:$port in $(( ($(date +%s%N) - started) / 1000000 )) ms" \
  "(postgresql://yrd@127.0.0.1:$port/yrd; data and logs in $data)"
