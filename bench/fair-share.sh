#!/usr/bin/env bash
# A fair share of the factory: department A floods inference-service at concurrency 32, department B sends one
# interactive streamed request at a time; B's p50 and p99 time to first token (a) alone, (b) while A floods with fair
# queuing on and (c) with it off (first come, first served), side by side in one run.
#
#   bench/fair-share.sh [seconds per cell] [remote|local]      (defaults 60 and remote; ~8 min; needs only a JDK 17+)
#
# remote: a stub OpenAI server behind inference-service as a remote model, its concurrency limited to 16 by
# inference-service (remote.max-concurrency) — the stub streams at a fixed pace whatever its load, so B waits for
# inference-service's admission and nothing else. local: the shipped byte model on the local engine (max batch 16),
# sharing this machine's CPU with everything else. inference-service runs as its own JVM on an embedded PostgreSQL and
# AMQP broker, with identity tokens minted here as the gateway would. Writes bench/results/fair-share[-local].md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
backend=${2:-remote}
case "$backend" in
  remote) report=bench/results/fair-share.md ;;
  local) report=bench/results/fair-share-local.md ;;
  *) echo "backend must be remote or local, not '$backend'" >&2; exit 2 ;;
esac
# compiled in the same session, so the class paths name this checkout's modules rather than installed copies
./mvnw -q -B -pl inference-service,embedded-infrastructure -am -DskipTests compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath > /dev/null
service="inference-service/target/classes:$(cat inference-service/target/bench-classpath)"
printf '%s' "$service" > inference-service/target/bench-service-classpath
mkdir -p bench/results
java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "embedded-infrastructure/target/classes:$(cat embedded-infrastructure/target/bench-classpath):$service" \
  bench/FairShareBenchmark.java "$seconds" "$report" "$backend" inference-service/target/bench-service-classpath
