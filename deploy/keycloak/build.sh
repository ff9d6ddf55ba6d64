#!/usr/bin/env bash
# Unpacks the Keycloak distribution fetched by `make setup` and builds it once for what start.sh runs: the
# file database (H2, under var/) and local caches; `start --optimized` then skips the build at every start.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$1
cache=$root/.cache/keycloak
zip=$cache/keycloak-quarkus-dist-$version.zip
home=$cache/keycloak-$version
source "$root/deploy/keycloak/java.sh"
rm -rf "$home"
python3 -m zipfile -e "$zip" "$cache"
chmod +x "$home"/bin/*.sh
rm -f "$zip"
"$home/bin/kc.sh" build --db=dev-file --cache=local > "$cache/build.log" 2>&1 \
  || { tail -20 "$cache/build.log" >&2; exit 1; }
echo "keycloak: $version built in $home (Java $java_version)"
