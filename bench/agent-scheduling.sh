#!/usr/bin/env bash
# One agent-service instance keeping always-on agents (every 10 s, stub gateway) on schedule: start delay
# p50/p99/max, fires started, heap and CPU — the shipped batched scheduler beside one fire per transaction, for
# 1,000 agents (the target: p99 ≤ 1 s) and 4,000 (where one per transaction falls behind).
#
#   bench/agent-scheduling.sh [window seconds] [agents...]     (defaults 60, 1000 4000; ~12 min)
#
# Needs PostgreSQL and RabbitMQ (TF_POSTGRES_HOST/PORT/USER, TF_RABBITMQ_HOST/PORT; defaults localhost). Writes
# bench/results/agent-scheduling.md.
set -euo pipefail
cd "$(dirname "$0")/.."
window=${1:-60}
shift || true
agents=${*:-1000 4000}
./mvnw -q -B -pl agent-service -am install -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -pl agent-service dependency:build-classpath -Dmdep.outputFile="$work/classpath" > /dev/null
mkdir -p bench/results
java -Xmx512m -cp "agent-service/target/classes:$(cat "$work/classpath")" bench/AgentSchedulingBenchmark.java \
  "$window" bench/results/agent-scheduling.md $agents
