#!/bin/sh
# One-shot job of docker-compose.yml (image temporalio/admin-tools): creates Temporal's two
# PostgreSQL databases if missing and brings their schemas to the image's version.
# Safe to run again: existing databases are kept and only missing schema versions applied.
set -eu
: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS to the PostgreSQL host}"
: "${POSTGRES_USER:?set POSTGRES_USER}"
PORT="${DB_PORT:-5432}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

# the password comes from SQL_PASSWORD in the environment, not from the command line
sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" "$@"
}

for db in temporal:temporal temporal_visibility:visibility; do
  name="${db%%:*}"
  schema="${db#*:}"
  echo "database $name: create if missing, then update to $SCHEMA_DIR/$schema/versioned"
  sql_tool --db "$name" create 2>/dev/null || echo "  $name exists"
  # setup-schema -v 0.0 only records the baseline; update-schema applies every version above it
  sql_tool --db "$name" setup-schema -v 0.0 2>/dev/null || echo "  $name has a schema already"
  sql_tool --db "$name" update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo "Temporal schema is ready"
