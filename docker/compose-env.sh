#!/bin/bash
# Writes .env beside docker-compose.yml with a random value for every secret the compose file asks for, keeping the
# values already there (so running it again rotates nothing), readable by its owner only. Never commit .env.
set -euo pipefail
cd "$(dirname "$0")/.."
touch .env && chmod 600 .env
for name in POSTGRES_PASSWORD RABBITMQ_PASSWORD API_KEY_PEPPER AGENT_CREDENTIALS_KEY \
    GATEWAY_DB_PASSWORD AGENTS_DB_PASSWORD INFERENCE_DB_PASSWORD METERING_DB_PASSWORD BILLING_DB_PASSWORD \
    GATEWAY_BROKER_PASSWORD AGENTS_BROKER_PASSWORD INFERENCE_BROKER_PASSWORD METERING_BROKER_PASSWORD \
    BILLING_BROKER_PASSWORD; do
  if ! grep -q "^$name=" .env; then
    # 32 random bytes: hex for the passwords (nothing a shell or a command line could misread), Base64 for the keys
    case "$name" in
      *_PASSWORD) value=$(openssl rand -hex 32) ;;
      *) value=$(openssl rand -base64 32) ;;
    esac
    echo "$name=$value" >> .env
    echo "set $name"
  fi
done
