#!/bin/sh
# One-shot schema job for the docker-compose cluster (runs in temporalio/admin-tools).
# Safe to re-run on a kept volume: setup-schema leaves a stamped database alone and
# update-schema applies only the migrations newer than the stored version.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
PORT="${DB_PORT:-5432}"
SCHEMA=/etc/temporal/schema/postgresql/v12

echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${PORT}"
until nc -z "${POSTGRES_SEEDS}" "${PORT}"; do sleep 1; done

sql() {
  temporal-sql-tool --plugin postgres12 --ep "${POSTGRES_SEEDS}" -p "${PORT}" -u "${POSTGRES_USER}" "$@"
}

for db in temporal temporal_visibility; do
  # `create` fails when the database exists (a kept volume); a real failure such as a wrong
  # password shows up again, and stops the script, in setup-schema right after.
  sql --db "${db}" create || echo "database ${db} not created (it may exist already)"
  sql --db "${db}" setup-schema -v 0.0
done
sql --db temporal update-schema -d "${SCHEMA}/temporal/versioned"
sql --db temporal_visibility update-schema -d "${SCHEMA}/visibility/versioned"
echo "PostgreSQL schema is up to date"
