#!/bin/sh
# Runs once, when the PostgreSQL container initialises its data folder: plan33's own database
# and user beside Temporal's (docker-compose.yml mounts it into /docker-entrypoint-initdb.d).
# plan33 applies its migrations itself at start-up.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<EOSQL
CREATE USER plan33 WITH PASSWORD '${PLAN33_DB_PASSWORD}';
CREATE DATABASE plan33 OWNER plan33;
EOSQL
