# Sourced by start.sh and stop.sh: PostgreSQL's server programs, and how to run them. PostgreSQL refuses
# to run as root, so a root caller runs them as an unprivileged account (PG_RUN_AS, default `postgres`, the
# account Debian's package makes; created here if missing). Anyone else runs them as themselves.

# The newest Debian PostgreSQL (/usr/lib/postgresql/N/bin), or PG_BIN, or whatever pg_ctl is on the PATH.
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)}
if [ -z "$pg_bin" ] && command -v pg_ctl >/dev/null; then pg_bin=$(dirname "$(command -v pg_ctl)"); fi
[ -n "$pg_bin" ] && [ -x "$pg_bin/pg_ctl" ] || {
  echo "postgres: no PostgreSQL server found (run 'make setup', which installs Debian's postgresql)" >&2
  exit 1
}

as_owner=()
if [ "$(id -u)" = 0 ]; then
  pg_user=${PG_RUN_AS:-postgres}
  id -u "$pg_user" >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir / \
    --shell /usr/sbin/nologin "$pg_user"
  # setpriv, not su/runuser: no PAM session or login shell, just the account's ids and groups.
  as_owner=(setpriv "--reuid=$pg_user" "--regid=$pg_user" --init-groups --)
fi

# Runs a server program as the cluster's owner, from / (the caller's directory may be closed to it).
pg() { (cd / && "${as_owner[@]}" "$pg_bin/$1" "${@:2}"); }

# Whether a postmaster runs from data directory $1: 0 when its recorded pid lives, 2 when that is a zombie
# (a postmaster killed with -9 stays one until init reaps it, and until then a new one refuses the data
# directory as taken), 1 otherwise.
pg_alive() {
  local pid state
  pid=$(head -1 "$1/postmaster.pid" 2>/dev/null) && [ -n "$pid" ] || return 1
  state=$(ps -o stat= -p "$pid") || return 1
  [[ $state != Z* ]] || return 2
}
