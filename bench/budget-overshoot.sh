#!/usr/bin/env bash
# How far a hard-capped department budget is overshot when requests arrive at once: money reserved at the door
# against the budget enforced only by billing's events (the behaviour before reservations), side by side in one run.
#
#   bench/budget-overshoot.sh        (~6–8 min: builds the services, starts all five and two gateways)
#
# At 1, 16 and 64 clients sending back to back, each cell a fresh department with a budget of 0.50 EUR, it prints
# served, refused, what billing finally charged and the overshoot in cents and as a share of the budget. Needs
# PostgreSQL and RabbitMQ as the tests do (TF_POSTGRES_*, TF_RABBITMQ_*; defaults localhost). Writes
# bench/results/budget-overshoot.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B install -DskipTests
./mvnw -B -pl system-tests verify -Dit.test=BudgetOvershootBenchmark -Dtest=NONE \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  | grep -E "budget overshoot:|BUILD|ERROR" || true
cat bench/results/budget-overshoot.md
