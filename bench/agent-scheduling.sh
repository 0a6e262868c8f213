#!/usr/bin/env bash
# One agent-service instance keeping 1,000 always-on agents (every 10 s, stub gateway) on schedule: start delay
# p50/p99/max, fires started, heap and CPU — the shipped batched scheduler beside one fire per transaction.
#
#   bench/agent-scheduling.sh [agents] [window seconds]     (defaults 1000 and 60; ~4 min)
#
# Needs PostgreSQL and RabbitMQ (TF_POSTGRES_HOST/PORT/USER, TF_RABBITMQ_HOST/PORT; defaults localhost). Writes
# bench/results/agent-scheduling.md.
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${1:-1000}
window=${2:-60}
./mvnw -q -B -pl agent-service -am install -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -pl agent-service dependency:build-classpath -Dmdep.outputFile="$work/classpath" > /dev/null
mkdir -p bench/results
java -Xmx512m -cp "agent-service/target/classes:$(cat "$work/classpath")" bench/AgentSchedulingBenchmark.java \
  "$agents" "$window" bench/results/agent-scheduling.md
