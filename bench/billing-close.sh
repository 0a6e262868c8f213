#!/usr/bin/env bash
# Closing a billing month with 10 million metered usage records in this machine's PostgreSQL, through
# billing-service's own close, beside a plain scan of the same month (the floor) and a close of a tenth of it.
#
#   bench/billing-close.sh [records]     (default 10000000; loading takes a few minutes, the close is timed)
#
# Needs PostgreSQL (TF_POSTGRES_HOST/PORT/USER; default localhost) and ~4 GB of disk. RabbitMQ is not used
# (billing-service starts with its consumers off). Writes bench/results/billing-close.md.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000000}
./mvnw -q -B -pl billing-service -am install -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -pl billing-service dependency:build-classpath -Dmdep.outputFile="$work/classpath" > /dev/null
mkdir -p bench/results
java -Xmx1g -cp "billing-service/target/classes:$(cat "$work/classpath")" bench/BillingCloseBenchmark.java \
  "$records" bench/results/billing-close.md
