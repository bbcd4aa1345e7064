#!/usr/bin/env bash
# Back up the platform's PostgreSQL database to one file (pg_dump custom format:
# compressed, restorable table by table, includes the history tables and their
# append-only triggers).
#
#   DATABASE_URL=postgres://user@host:5432/alliance scripts/backup.sh [FILE]
#
# FILE defaults to backups/alliance-YYYYmmdd-HHMMSS.dump. The archive is written beside
# FILE first, checked with pg_restore --list, then moved into place: an interrupted run
# never leaves a truncated file under the final name. PG_BIN may name the directory of
# the PostgreSQL client programs (it must not be older than the server).
set -euo pipefail

url=${DATABASE_URL:?set DATABASE_URL to the postgres:// URL of the database to back up}
case "$url" in
postgres://* | postgresql://*) ;;
*) echo "backup.sh: DATABASE_URL must be a postgres:// URL" >&2; exit 2 ;;
esac
bin=${PG_BIN:+$PG_BIN/}
out=${1:-backups/alliance-$(date -u +%Y%m%d-%H%M%S).dump}
mkdir -p "$(dirname "$out")"
partial="$out.partial"
trap 'rm -f "$partial"' EXIT

"${bin}pg_dump" --dbname="$url" --format=custom --compress=6 --no-owner --no-privileges --file="$partial"
"${bin}pg_restore" --list "$partial" >/dev/null
mv "$partial" "$out"
trap - EXIT
echo "$out"
