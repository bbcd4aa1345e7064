#!/usr/bin/env bash
# The path `make run` takes, on SQLite: migrate a fresh database file, load the demo, then
# sign in as each demo account and open every kind of page it is shown (local settings,
# DEBUG off). Any 5xx fails the run. The database lives in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT
export DJANGO_SETTINGS_MODULE=config.settings.local
export DATABASE_URL="sqlite:///$folder/db.sqlite3"
export MEDIA_ROOT="$folder/media"
export SECRET_KEY="sqlite-smoke-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DEBUG=false
export LOG_LEVEL=ERROR  # a 5xx still logs its traceback; sign-ins and 404s do not
unset CACHE_URL CELERY_BROKER_URL REDIS_URL

started=$SECONDS
.venv/bin/python manage.py migrate --noinput >"$folder/migrate.log" || { cat "$folder/migrate.log"; exit 1; }
.venv/bin/python manage.py seed_demo >"$folder/seed.log" || { cat "$folder/seed.log"; exit 1; }
echo "SQLite: migrated and seeded in $((SECONDS - started)) s."
.venv/bin/python scripts/sqlite_smoke.py
