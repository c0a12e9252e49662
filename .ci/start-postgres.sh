#!/usr/bin/env bash
# Installs (if missing) and starts a local PostgreSQL for the test suite, then prints the URL to use.
# Works as root (Debian cluster via pg_ctlcluster) and as a plain user (initdb + pg_ctl in a temp dir).
set -euo pipefail
PGPORT="${PGPORT:-5432}"
DB_USER=storeroom
DB_PASS=storeroom
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  else
    echo "PostgreSQL is not installed and this user cannot apt-get install it" >&2
    exit 1
  fi
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
VERSION=$(basename "$(dirname "$PGBIN")")
if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then
  if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -q "^$VERSION main$"; then
    pg_createcluster "$VERSION" main >&2
  fi
  pg_ctlcluster "$VERSION" main start >&2 || true
  PGPORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $3}')
  for _ in $(seq 1 30); do su postgres -c "psql -p $PGPORT -qAtc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
  su postgres -c "psql -p $PGPORT -qAt" >&2 <<SQL
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASS';
  END IF;
END\$\$;
-- the server-role tests create the runtime role the clients log in as (storeroom server setup-roles)
ALTER ROLE $DB_USER CREATEROLE;
SQL
  # The concurrency tests and benchmark open many connections; restart only if the limit must rise.
  if [ "$(su postgres -c "psql -p $PGPORT -qAtc 'show max_connections'")" -lt 200 ]; then
    su postgres -c "psql -p $PGPORT -qAtc 'ALTER SYSTEM SET max_connections = 200'" >&2
    pg_ctlcluster "$VERSION" main restart >&2
    for _ in $(seq 1 30); do su postgres -c "psql -p $PGPORT -qAtc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
  fi
else
  DATA="${TMPDIR:-/tmp}/storeroom-pg"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    echo "$DB_PASS" > "$DATA.pw"
    "$PGBIN/initdb" -D "$DATA" -U "$DB_USER" --pwfile="$DATA.pw" -A scram-sha-256 >&2
  fi
  "$PGBIN/pg_ctl" -D "$DATA" -o "-p $PGPORT -k /tmp -c max_connections=200" -l "$DATA.log" -w start >&2 || true
fi
echo "postgresql://$DB_USER:$DB_PASS@127.0.0.1:$PGPORT/postgres"
