#!/usr/bin/env bash
# Starts the single-node KRaft broker in the background, unless one already answers on the port.
# Formats storage once, waits until the broker really answers metadata requests, says where its log is.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
state=${KAFKA_STATE_DIR:-$root/.cache/kafka/run}
libs=$root/.cache/kafka/libs
# Development credentials of every principal (made on first use, mode 0600, never in git).
credentials=${KAFKA_CREDENTIALS_DIR:-$root/.cache/kafka/credentials}
py=$root/.venv/bin/python
data=$state/data
logs=$state/logs
pidfile=$state/broker.pid

probe() { "$py" -m shared.adapters.kafka.probe "127.0.0.1:$port" --credentials "$credentials" "$@"; }

if probe --timeout 2 >/dev/null 2>&1; then
  echo "kafka: already answering on 127.0.0.1:$port"
  exit 0
fi
[ -d "$libs" ] || { echo "kafka: jars missing in $libs (run 'make setup')" >&2; exit 1; }
mkdir -p "$data" "$logs"
sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA_DIR@#$data#g" \
  "$root/deploy/kafka/server.properties.in" > "$state/server.properties"
chmod 600 "$state/server.properties"  # it holds the broker's own SASL secrets
"$py" -m shared.adapters.kafka.access broker-config "$credentials" >> "$state/server.properties"
# KAFKA_EXTRA_CONFIG: a file appended to the configuration; a key given there wins (the zone's listeners).
if [ -n "${KAFKA_EXTRA_CONFIG:-}" ]; then cat "$KAFKA_EXTRA_CONFIG" >> "$state/server.properties"; fi

java_opts=(-Xms256m "-Xmx${KAFKA_HEAP:-1g}" -XX:+UseG1GC -Djava.awt.headless=true
  "-Dkafka.logs.dir=$logs" "-Dlog4j2.configurationFile=$root/deploy/kafka/log4j2.properties")
cp="$libs/*"
# Broker metrics for Prometheus: the JMX exporter agent (set KAFKA_METRICS_PORT= to run without it).
metrics_port=${KAFKA_METRICS_PORT-9404}
agent=$(ls "$root"/.cache/kafka/agent/jmx_prometheus_javaagent-*.jar 2>/dev/null | head -1 || true)
run_opts=("${java_opts[@]}")
if [ -n "$metrics_port" ] && [ -n "$agent" ]; then
  run_opts+=("-javaagent:$agent=127.0.0.1:$metrics_port:$root/deploy/kafka/jmx-exporter.yml")
fi

# Storage formatted before the broker authenticated has no SCRAM credentials, and no way to add the
# first: it is set aside (development data only) and formatted again.
if [ -f "$data/meta.properties" ] && [ ! -f "$state/.scram" ]; then
  aside="$state/data.before-sasl.$(date +%s)"
  mv "$data" "$aside" && mkdir -p "$data"
  echo "kafka: storage from before SASL moved to $aside; formatting anew with the principals' credentials"
fi
if [ ! -f "$data/meta.properties" ]; then
  cluster_id=$(java -cp "$cp" "${java_opts[@]}" kafka.tools.StorageTool random-uuid)
  mapfile -t scram < <("$py" -m shared.adapters.kafka.access scram-args "$credentials")
  [ "${#scram[@]}" -gt 0 ] || { echo "kafka: no SCRAM credentials to format with (see $credentials)" >&2; exit 1; }
  java -cp "$cp" "${java_opts[@]}" kafka.tools.StorageTool format --standalone \
    -t "$cluster_id" -c "$state/server.properties" "${scram[@]}" > "$logs/format.log" 2>&1 \
    || { echo "kafka: storage format failed, see $logs/format.log" >&2; exit 1; }
  touch "$state/.scram"
fi

nohup java -cp "$cp" "${run_opts[@]}" kafka.Kafka "$state/server.properties" \
  > "$logs/stdout.log" 2>&1 < /dev/null &
echo $! > "$pidfile"
if probe --timeout "${KAFKA_START_TIMEOUT:-90}"; then
  echo "kafka: up on 127.0.0.1:$port (pid $(cat "$pidfile"), log $logs/server.log)"
else
  echo "kafka: did not answer within ${KAFKA_START_TIMEOUT:-90}s; see $logs/server.log and $logs/stdout.log" >&2
  tail -20 "$logs/stdout.log" >&2 || true
  exit 1
fi
