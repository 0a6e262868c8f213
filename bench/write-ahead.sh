#!/usr/bin/env bash
# The cost of write-ahead usage (streamed tokens sent only once durable) against streams without it, side by side
# in one run on this machine's PostgreSQL.
#
#   bench/write-ahead.sh [seconds measured per cell]     (default 8; 12 cells; ~3–4 min)
#
# At 1, 16 and 64 concurrent streams (each: 128-token requests back to back, one token every 20 ms from a simulated
# batching engine) it serves through the production WriteAheadUsage, InFlightLog and UsageRecording, without
# write-ahead (baseline) and with progress-interval 5, 20 (the default) and 100 ms, and prints tokens/s, the latency
# added per token and to the first token, progress writes/s, rows per write and CPU per 1,000 tokens. Needs
# PostgreSQL (TF_POSTGRES_HOST/PORT/USER/PASSWORD; defaults localhost:5432, postgres); creates and drops its own
# database. Writes bench/results/write-ahead.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# compiled in the same session, so the classpath names this checkout's modules rather than installed copies
./mvnw -q -B -pl inference-service -am -DskipTests compile dependency:build-classpath \
  -Dmdep.outputFile="$work/classpath" > /dev/null
mkdir -p bench/results
java -Xmx1g -cp "inference-service/target/classes:$(cat "$work/classpath")" bench/WriteAheadBenchmark.java \
  "$seconds" bench/results/write-ahead.md
