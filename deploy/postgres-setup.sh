#!/bin/sh
# PostgreSQL for the till on this box (Debian's postgresql package), run as root:
#   deploy/postgres-setup.sh [ROLE] [DATABASE]        (both `bakery` unless given)
# Makes a login role with no password and a database it owns. The app connects over the local
# Unix socket, where Debian's default pg_hba.conf line `local all all peer` lets the system user
# `bakery` in as the role `bakery` and nobody else: no password exists to leak or to rotate.
# Safe to run again. Another box (a second app box, a replica) needs a password and a pg_hba line:
# see deploy/SCALING.md.
set -eu
role=${1:-bakery}
database=${2:-bakery}
as_postgres() { runuser -u postgres -- "$@"; }

if ! as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'" | grep -q 1; then
    as_postgres createuser --no-superuser --no-createdb --no-createrole "$role"
    echo "PostgreSQL role $role made."
fi
if ! as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
    as_postgres createdb --owner="$role" --encoding=UTF8 --template=template0 "$database"
    echo "PostgreSQL database $database made, owned by $role."
fi
# Nobody but its owner may connect to it or create objects in it.
as_postgres psql -q -d "$database" -c "REVOKE ALL ON DATABASE \"$database\" FROM PUBLIC" \
    -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC"
# The restore drill restores each backup into a scratch database it makes and drops again.
as_postgres psql -q -c "ALTER ROLE \"$role\" CREATEDB"
echo "PostgreSQL ready: BAKERY_DATABASE_URL=postgresql://$role@/$database?host=/var/run/postgresql"
