#!/usr/bin/env bash
# Energy-aware routing across the factory: one model served by two SIMULATED GPU nodes, node A making twice the tokens
# per joule of node B, and the same open-loop load (Poisson arrivals of streamed chat requests, same rate, same seed)
# sent through inference-service under each routing strategy in turn — round robin, least-outstanding and efficiency.
# Per strategy: factory-wide tokens per joule (tokens streamed over what both nodes drew in the same seconds) and the
# p50/p99 time to first token.
#
#   bench/routing.sh [seconds per cell] [requests per second]      (defaults 60 and 6; ~5 min; needs only a JDK 17+)
#
# Goal: efficiency makes ≥ 25 % more tokens per joule than round robin, with its p99 time to first token within the
# model's objective (routing.time-to-first-token-objective, 500 ms here).
#
# The nodes run inside the benchmark's JVM (simulated-gpu-node: an OpenAI-compatible engine without a model and a
# DCGM-format exporter whose counters follow its load — not a GPU, never a measurement of one); their joules are the
# simulator's own truth. inference-service runs as its own JVM on an embedded PostgreSQL and AMQP broker, metering
# both nodes through their exporters, with identity tokens minted here as the gateway would.
# Writes bench/results/routing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
rate=${2:-6}
# compiled in the same session, so the class paths name this checkout's modules rather than installed copies
./mvnw -q -B -pl inference-service,embedded-infrastructure,simulated-gpu-node -am -DskipTests compile \
  dependency:build-classpath -Dmdep.outputFile=target/bench-classpath > /dev/null
service="inference-service/target/classes:$(cat inference-service/target/bench-classpath)"
printf '%s' "$service" > inference-service/target/bench-service-classpath
mkdir -p bench/results
java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "simulated-gpu-node/target/classes:embedded-infrastructure/target/classes:$(cat embedded-infrastructure/target/bench-classpath):$service" \
  bench/RoutingBenchmark.java "$seconds" "$rate" bench/results/routing.md inference-service/target/bench-service-classpath
