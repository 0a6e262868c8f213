#!/bin/bash
# Each Token Factory service's own RabbitMQ user: it may publish only the events it owns and read only its own
# queues (docs/security.md). Run wherever rabbitmqctl reaches the broker (inside its container or pod); every run
# sets the passwords and permissions again. The passwords come from the environment: <SERVICE>_BROKER_PASSWORD.
# The patterns are the launcher's (local-run BrokerUsers); a test in the deploy module keeps them equal.
set -euo pipefail

vhost="${RABBITMQ_VHOST:-/}"

users=$(rabbitmqctl -q list_users | cut -f1)

user() { # name password configure write read
  if grep -qx "$1" <<<"$users"; then
    rabbitmqctl -q change_password "$1" "$2"
  else
    rabbitmqctl -q add_user "$1" "$2"
  fi
  rabbitmqctl -q set_permissions -p "$vhost" "$1" "$3" "$4" "$5"
}

user tf-gateway "${GATEWAY_BROKER_PASSWORD:?}" \
  '^(DLX|tokenfactory\.(budget-status-changed|agent-state-changed)(\.gateway(\.dlq)?)?)$' \
  '^(DLX|tokenfactory\.(budget-status-changed|agent-state-changed)\.gateway(\.dlq)?)$' \
  '^(DLX|tokenfactory\.(budget-status-changed|agent-state-changed)(\.gateway(\.dlq)?)?)$'
user tf-agents "${AGENTS_BROKER_PASSWORD:?}" \
  '^(DLX|tokenfactory\.(agent-state-changed)(\..+)?|tokenfactory\.(budget-status-changed)(\.agent-service(\.dlq)?)?)$' \
  '^(DLX|tokenfactory\.(agent-state-changed)(\..+)?|tokenfactory\.(budget-status-changed)\.agent-service(\.dlq)?)$' \
  '^(DLX|tokenfactory\.(agent-state-changed)(\..+)?|tokenfactory\.(budget-status-changed)(\.agent-service(\.dlq)?)?)$'
user tf-inference "${INFERENCE_BROKER_PASSWORD:?}" \
  '^(DLX|tokenfactory\.(usage-recorded|power-sampled)(\..+)?)$' \
  '^(DLX|tokenfactory\.(usage-recorded|power-sampled)(\..+)?)$' \
  '^(DLX|tokenfactory\.(usage-recorded|power-sampled)(\..+)?)$'
user tf-metering "${METERING_BROKER_PASSWORD:?}" \
  '^(DLX|tokenfactory\.(usage-metered|idle-energy-allocated)(\..+)?|tokenfactory\.(usage-recorded|power-sampled)(\.metering-service(\.dlq)?)?)$' \
  '^(DLX|tokenfactory\.(usage-metered|idle-energy-allocated)(\..+)?|tokenfactory\.(usage-recorded|power-sampled)\.metering-service(\.dlq)?)$' \
  '^(DLX|tokenfactory\.(usage-metered|idle-energy-allocated)(\..+)?|tokenfactory\.(usage-recorded|power-sampled)(\.metering-service(\.dlq)?)?)$'
user tf-billing "${BILLING_BROKER_PASSWORD:?}" \
  '^(DLX|tokenfactory\.(budget-status-changed)(\..+)?|tokenfactory\.(usage-metered|idle-energy-allocated|agent-state-changed)(\.billing-service(\.dlq)?)?)$' \
  '^(DLX|tokenfactory\.(budget-status-changed)(\..+)?|tokenfactory\.(usage-metered|idle-energy-allocated|agent-state-changed)\.billing-service(\.dlq)?)$' \
  '^(DLX|tokenfactory\.(budget-status-changed)(\..+)?|tokenfactory\.(usage-metered|idle-energy-allocated|agent-state-changed)(\.billing-service(\.dlq)?)?)$'
