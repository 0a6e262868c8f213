#!/usr/bin/env bash
# Continuous batching on vs off on the shipped byte-level model, side by side in one run.
#
#   bench/batching.sh [seconds per run]      (default 6; each cell runs 3 times; ~4 min; needs only a JDK 17+)
#
# For concurrency 1, 4, 8, 16 and 32 it runs the same closed-loop load (each client sends 128-token requests back to
# back) against one engine with max batch 1 (batching off) and one with max batch 32 (on), and prints aggregate
# completion tokens/s and p50/p99 time to first token (median of three runs per cell). The table goes to bench/results/batching.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-6}
ls inference-service/target/classes/io/tokenfactory/inference/generation/GenerationEngine.class >/dev/null 2>&1 \
  || ./mvnw -q -B -pl inference-service -am install -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -pl inference-service dependency:build-classpath -Dmdep.outputFile="$work/classpath" > /dev/null
mkdir -p bench/results
java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "inference-service/target/classes:$(cat "$work/classpath")" bench/BatchingBenchmark.java "$seconds" \
  bench/results/batching.md
