#!/usr/bin/env bash
# metering-service ingestion end to end on this machine's RabbitMQ and PostgreSQL against the broker's own ceiling (the same
# publisher and a plain consumer on the same queue, no database), batches vs one event per
# transaction vs every event delivered twice (and the consumer alone on a filled queue), side by side in one run,
# each checked for exactly-once counting; then the same against Kafka's own ceiling (MeteringIngestionBenchmark.Kafka,
# bench/results/metering-ingestion-kafka.md).
#
#   bench/metering-ingestion.sh [events] [baseline events]     (defaults 100000 and 3000; ~8 min)
#
# Needs PostgreSQL and RabbitMQ (TF_POSTGRES_HOST/PORT/USER, TF_RABBITMQ_HOST/PORT; defaults localhost). Writes
# bench/results/metering-ingestion.md and bench/results/metering-ingestion-kafka.md.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-100000}
baseline=${2:-3000}
./mvnw -q -B -pl metering-service -am install -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -pl metering-service dependency:build-classpath -Dmdep.outputFile="$work/classpath" > /dev/null
mkdir -p bench/results
java -Xmx1g -cp "metering-service/target/classes:$(cat "$work/classpath")" bench/MeteringIngestionBenchmark.java \
  "$events" "$baseline" bench/results/metering-ingestion.md
# the same on Kafka (one KRaft broker in the benchmark's JVM, the tests' own): BENCH_KAFKA=false skips it
if [ "${BENCH_KAFKA:-true}" != false ]; then
  ./mvnw -q -B -pl metering-service dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$work/test-classpath" > /dev/null
  java -Xmx1g -cp "metering-service/target/classes:$(cat "$work/test-classpath")" \
    bench/MeteringIngestionBenchmark.java kafka "$events" bench/results/metering-ingestion-kafka.md
fi
