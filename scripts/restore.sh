#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW, empty database.
#
#   scripts/restore.sh FILE postgres://user@host:5432/alliance_restored
#
# The target database is created when it does not exist; a target that already holds
# tables is refused (restore next to the live database, check it, then switch
# DATABASE_URL over: see docs/backup.md). The restore runs in one transaction and stops
# at the first error, so it either completes or leaves the target empty. PG_BIN may name
# the directory of the PostgreSQL client programs.
set -euo pipefail

file=${1:?usage: restore.sh FILE TARGET_DATABASE_URL}
target=${2:?usage: restore.sh FILE TARGET_DATABASE_URL}
case "$target" in
postgres://* | postgresql://*) ;;
*) echo "restore.sh: the target must be a postgres:// URL" >&2; exit 2 ;;
esac
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 2; }
bin=${PG_BIN:+$PG_BIN/}

# The same server, its maintenance database: to create the target.
base=${target%%\?*}
dbname=${base##*/}
[ -n "$dbname" ] || { echo "restore.sh: the target URL names no database" >&2; exit 2; }
maintenance="${base%/*}/postgres"
[[ "$dbname" =~ ^[A-Za-z0-9_]+$ ]] || { echo "restore.sh: database name must be letters, digits or _" >&2; exit 2; }

exists=$("${bin}psql" --dbname="$maintenance" -XtAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'")
if [ "$exists" != "1" ]; then
  "${bin}psql" --dbname="$maintenance" -Xqc "CREATE DATABASE \"$dbname\""
fi
tables=$("${bin}psql" --dbname="$target" -XtAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore.sh: $dbname already has $tables tables; restore into a new database" >&2
  exit 1
fi

"${bin}pg_restore" --dbname="$target" --no-owner --no-privileges --exit-on-error --single-transaction "$file"
echo "restored $file into $dbname"
