#!/bin/bash
# One database per service, owned by the service's own role: no superuser, no other database to connect to
# (docs/security.md). Flyway creates the schemas at service start. Runs once, when the data volume is new; the
# passwords come from the environment: <SERVICE>_DB_PASSWORD.
set -euo pipefail

database() { # database-and-role password
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v name="$1" -v password="$2" <<'SQL'
CREATE ROLE :"name" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
}

database tf_gateway "${GATEWAY_DB_PASSWORD:?}"
database tf_agents "${AGENTS_DB_PASSWORD:?}"
database tf_inference "${INFERENCE_DB_PASSWORD:?}"
database tf_metering "${METERING_DB_PASSWORD:?}"
database tf_billing "${BILLING_DB_PASSWORD:?}"
