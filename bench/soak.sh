#!/usr/bin/env bash
# The soak with fault injection: the five services as processes on PostgreSQL and RabbitMQ or Kafka, OpenAI clients
# and always-on agents in several departments for the given time, faults one after another (SIGKILL and SIGTERM of
# every service but agent-service — inference-service and the gateway mid-stream —, a restart and a crash of
# PostgreSQL, a read-only moment of the databases, pg_terminate_backend, dropped broker connections, a broker restart,
# replayed events, late usage), then a reconciliation of inference, metering and billing to the token and the joule,
# and of what each client received, request by request, with what was metered and billed for it.
#
#   bench/soak.sh [minutes] [seconds between faults] [rabbit|kafka]      (defaults 30, 60 and rabbit)
#
# Needs PostgreSQL and RabbitMQ (TF_POSTGRES_HOST/PORT/USER, TF_RABBITMQ_HOST/PORT; defaults localhost). kafka runs the
# services on a KRaft broker started in the test JVM. The PostgreSQL restarts need PostgreSQL's server programs
# (initdb, pg_ctl) on this machine: the soak then runs the services on a cluster of its own; the RabbitMQ faults need
# rabbitmqctl. Faults this machine cannot inject are reported as not injected. Writes bench/results/soak.md (RabbitMQ)
# or bench/results/soak-kafka.md; exits non-zero on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
interval=${2:-60}
broker=${3:-rabbit}
case "$broker" in
  rabbit) report=soak.md work=soak ;;
  kafka) report=soak-kafka.md work=soak-kafka ;;
  *) echo "broker must be rabbit or kafka, not '$broker'" >&2; exit 2 ;;
esac
export TF_POSTGRES_HOST=${TF_POSTGRES_HOST:-127.0.0.1} TF_POSTGRES_PORT=${TF_POSTGRES_PORT:-5432}
export TF_POSTGRES_USER=${TF_POSTGRES_USER:-postgres} TF_RABBITMQ_HOST=${TF_RABBITMQ_HOST:-127.0.0.1}
export TF_RABBITMQ_PORT=${TF_RABBITMQ_PORT:-5672}
./mvnw -q -B install -DskipTests
mkdir -p bench/results
status=0
./mvnw -B -pl system-tests test -Dtest=SoakSystemTests -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtokenfactory.soak.broker="$broker" -Dtokenfactory.soak.duration="PT${minutes}M" \
  -Dtokenfactory.soak.fault-interval="PT${interval}S" -Dtokenfactory.soak.settle-timeout=PT10M || status=$?
cp "system-tests/target/$work/soak-report.md" "bench/results/$report" && echo "Report: bench/results/$report"
exit $status
