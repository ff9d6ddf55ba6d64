#!/usr/bin/env bash
# Starts the development identity provider (Keycloak, one realm per region) in the background, unless one
# already answers on the port; waits until it serves OpenID metadata, then imports or completes the realms
# from deploy/keycloak/realms/ with the secrets in .cache/idp/. Says where its log is.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${KC_PORT:-8080}
state=${KC_STATE_DIR:-$root/var/keycloak}
py=$root/.venv/bin/python
home=$(ls -d "$root"/.cache/keycloak/keycloak-[0-9]* 2>/dev/null | sort -V | tail -1 || true)
url=http://127.0.0.1:$port
pidfile=$state/keycloak.pid

answers() { "$py" -m shared.adapters.idp.provider answers --url "$url"; }
provision() { "$py" -m shared.adapters.idp.provider provision --url "$url"; }

if answers; then
  echo "keycloak: already answering on $url"
  provision
  exit 0
fi
[ -n "$home" ] && [ -x "$home/bin/kc.sh" ] || { echo "keycloak: distribution missing in .cache/keycloak (run 'make setup')" >&2; exit 1; }
source "$root/deploy/keycloak/java.sh"
mkdir -p "$state/tmp" "$state/logs"
password=$("$py" -m shared.adapters.idp.provider admin-password)
started=$(date +%s%N)
# The bootstrap administrator is made only with a new database (the first start). Niced: on a busy
# machine the services' instances, which start beside it, come first.
KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=$password \
  JAVA_OPTS_KC_HEAP="-Xms64m -Xmx${KC_HEAP:-320m}" \
  nohup nice -n "${KC_NICE:-10}" "$home/bin/kc.sh" start --optimized \
  --http-enabled=true --http-host=127.0.0.1 --http-port="$port" --hostname="$url" \
  --cache=local --db-url="jdbc:h2:file:$state/h2/keycloakdb;NON_KEYWORDS=VALUE" \
  --log=file --log-file="$state/logs/keycloak.log" \
  "-Djava.io.tmpdir=$state/tmp" > "$state/logs/stdout.log" 2>&1 < /dev/null &
echo $! > "$pidfile"
deadline=$(( $(date +%s) + ${KC_START_TIMEOUT:-300} ))
until answers; do
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
    echo "keycloak: did not answer on $url; see $state/logs/keycloak.log" >&2
    tail -20 "$state/logs/stdout.log" >&2 || true
    exit 1
  fi
  sleep 1
done
echo "keycloak: up on $url in $(( ($(date +%s%N) - started) / 1000000 )) ms (pid $(cat "$pidfile"), log $state/logs/keycloak.log)"
provision
