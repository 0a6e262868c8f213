#!/usr/bin/env bash
# The soak with fault injection: the five services as processes on PostgreSQL and RabbitMQ, OpenAI clients and
# always-on agents in several departments for the given time, faults one after another (SIGKILL and SIGTERM of
# metering and billing, pg_terminate_backend, dropped broker connections, RabbitMQ stop_app/start_app, replayed
# events), then a reconciliation of inference, metering and billing to the token and the joule.
#
#   bench/soak.sh [minutes] [seconds between faults]      (defaults 30 and 60)
#
# Needs PostgreSQL and RabbitMQ (TF_POSTGRES_HOST/PORT/USER, TF_RABBITMQ_HOST/PORT; defaults localhost) and, for the
# broker faults, rabbitmqctl on this machine. Writes bench/results/soak.md; exits non-zero on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
interval=${2:-60}
export TF_POSTGRES_HOST=${TF_POSTGRES_HOST:-127.0.0.1} TF_POSTGRES_PORT=${TF_POSTGRES_PORT:-5432}
export TF_POSTGRES_USER=${TF_POSTGRES_USER:-postgres} TF_RABBITMQ_HOST=${TF_RABBITMQ_HOST:-127.0.0.1}
export TF_RABBITMQ_PORT=${TF_RABBITMQ_PORT:-5672}
./mvnw -q -B install -DskipTests
mkdir -p bench/results
status=0
./mvnw -B -pl system-tests test -Dtest=SoakSystemTests -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtokenfactory.soak.duration="PT${minutes}M" -Dtokenfactory.soak.fault-interval="PT${interval}S" \
  -Dtokenfactory.soak.settle-timeout=PT10M || status=$?
cp system-tests/target/soak/soak-report.md bench/results/soak.md && echo "Report: bench/results/soak.md"
exit $status
