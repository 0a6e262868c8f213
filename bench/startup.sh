#!/usr/bin/env bash
# Start-up: `./factory up --detach` from a built tree until five services are ready (and the demo seeded), and each
# service alone on an otherwise idle machine — as built (the executable jar, TF_CLASS_DATA_SHARING=false) against
# the unpacked jar with its class-data archive (the default) — side by side in one run, on the external PostgreSQL
# and RabbitMQ and on the embedded ones.
#
#   bench/startup.sh [rounds]     (default 1; about 8 minutes; needs PostgreSQL and RabbitMQ for the external runs:
#                                  TF_POSTGRES_HOST / TF_RABBITMQ_HOST, default 127.0.0.1)
#
# Per infrastructure: one untimed warm-up start (databases created and migrated), `rounds` starts as built, then the
# class-data archives are deleted and the first start with class-data sharing (it unpacks the jars, and the services
# write their archives when they stop), then `rounds` starts that map the archives. The archives of .factory/ are
# rebuilt on the way. Results go to bench/results/startup.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-1}
EXTERNAL_POSTGRES=${TF_POSTGRES_HOST:-127.0.0.1}
EXTERNAL_RABBITMQ=${TF_RABBITMQ_HOST:-127.0.0.1}
unset TF_POSTGRES_HOST TF_RABBITMQ_HOST TF_CLASS_DATA_SHARING
ls local-run/target/local-run.jar gateway/target/gateway-*-exec.jar >/dev/null 2>&1 || ./mvnw -q -B -DskipTests install
if ./factory status > /dev/null 2>&1; then echo "Token Factory is running; ./factory down first"; exit 2; fi

SERVICES="billing-service:8084 metering-service:8083 inference-service:8082 agent-service:8081 gateway:8080"
mkdir -p bench/results
out=bench/results/startup.md
rows=()

# one `./factory up --detach` and `down`, with the extra environment given; appends a table row
measure() {
  local label=$1; shift
  local started ended up down services=""
  started=$(date +%s.%N)
  env "$@" ./factory up --detach > /dev/null
  ended=$(date +%s.%N)
  up=$(awk "BEGIN {print $ended - $started}")
  for service in $SERVICES; do
    services="$services $(grep -ho 'process running for [0-9.]*' ".factory/logs/${service%%:*}.log" | tail -1 \
      | awk '{printf "%.1f", $4}') |"
  done
  started=$(date +%s.%N)
  ./factory down > /dev/null
  down=$(awk "BEGIN {print $(date +%s.%N) - $started}")
  rows+=("| $label | $(printf %.1f "$up") |$services $(printf %.1f "$down") |")
  echo "${rows[-1]}"
}

# each service alone, the rest of the suite down: JVM start to "Started", from its log
alone() {
  local label=$1 sharing=$2 service name port jar options line
  for service in $SERVICES; do
    name=${service%%:*}
    port=${service##*:}
    if [ "$sharing" = true ]; then
      jar=$(ls .factory/class-data/"$name"/app/*-exec.jar)
      options="-XX:SharedArchiveFile=.factory/class-data/$name/classes.jsa"
    else
      jar=$(ls "$name"/target/*-exec.jar)
      options=""
    fi
    # the suite's settings, with the benchmark's own PostgreSQL and RabbitMQ logins
    # shellcheck disable=SC2046
    env $(grep -v -e '^TF_POSTGRES_USER=' -e '^TF_POSTGRES_PASSWORD=' -e '^TF_RABBITMQ_USER=' \
        -e '^TF_RABBITMQ_PASSWORD=' .factory/secrets/service-environment) \
      TF_POSTGRES_USER="${TF_POSTGRES_USER:-postgres}" TF_POSTGRES_PASSWORD="${TF_POSTGRES_PASSWORD:-}" \
      java -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC $options -jar "$jar" --server.port="$port" \
      > "/tmp/startup-$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 240); do grep -q 'Started .* in' "/tmp/startup-$name.log" && break; sleep 0.5; done
    line=$(grep -ho 'process running for [0-9.]*' "/tmp/startup-$name.log" | awk '{printf "%.1f", $4}')
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -f "/tmp/startup-$name.log"
    printf -v line '%s' "${line:-failed}"
    echo "  alone, $label: $name $line s"
    alone_rows+=("| $name | $label | $line |")
  done
}

alone_rows=()
for infrastructure in external embedded; do
  if [ $infrastructure = external ]; then
    infra=(TF_POSTGRES_HOST="$EXTERNAL_POSTGRES" TF_RABBITMQ_HOST="$EXTERNAL_RABBITMQ")
  else
    infra=(TF_POSTGRES_HOST= TF_RABBITMQ_HOST=)
  fi
  echo "== $infrastructure PostgreSQL and RabbitMQ"
  env "${infra[@]}" TF_CLASS_DATA_SHARING=false ./factory up --detach > /dev/null && ./factory down > /dev/null
  for _ in $(seq 1 "$ROUNDS"); do measure "$infrastructure, as built" "${infra[@]}" TF_CLASS_DATA_SHARING=false; done
  rm -rf .factory/class-data
  measure "$infrastructure, first start with class-data sharing (unpacks; archives written at stop)" "${infra[@]}"
  for _ in $(seq 1 "$ROUNDS"); do measure "$infrastructure, class-data archive" "${infra[@]}"; done
  if [ $infrastructure = external ]; then
    export TF_POSTGRES_HOST="$EXTERNAL_POSTGRES" TF_RABBITMQ_HOST="$EXTERNAL_RABBITMQ"
    alone "as built" false
    alone "class-data archive" true
    unset TF_POSTGRES_HOST TF_RABBITMQ_HOST
  fi
done

{
  echo "# Start-up, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo
  echo "\`./factory up --detach\` until five services are ready and the demo is seeded (s); each service's JVM start"
  echo "to \"Started\" within it (s); \`./factory down\` (s)."
  echo
  echo "| run | up | billing | metering | inference | agent | gateway | down |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Each service alone, the rest of the suite down, external PostgreSQL and RabbitMQ: JVM start to \"Started\" (s)."
  echo
  echo "| service | run | started |"
  echo "|---|---|---:|"
  printf '%s\n' "${alone_rows[@]}"
} > "$out"
cat "$out"
