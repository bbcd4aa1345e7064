#!/usr/bin/env bash
# The whole suite on real servers: PostgreSQL 15 and Redis on loopback, Chromium for the
# browser tests. A server that cannot start fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh
env_lines=$(bash scripts/test-servers.sh start)
eval "$env_lines"
trap 'bash scripts/test-servers.sh stop' EXIT

export DJANGO_SETTINGS_MODULE=config.settings.test
export REQUIRE_TEST_SERVERS=1
# Models against migration files only: an in-memory database, as the test database does
# not exist yet (checking the migration history against it would only warn).
DATABASE_URL=sqlite:///:memory: .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Models and migrations disagree: run manage.py makemigrations" >&2; exit 1; }
.venv/bin/ruff check .
# The direction of imports between the apps: core ← members ← alliances ← projects | workshops ← evaluations.
.venv/bin/lint-imports
# Known vulnerabilities in the pinned requirements fail the run; an unreachable
# vulnerability service is reported as NOT AUDITED (see scripts/audit_dependencies.py).
.venv/bin/python scripts/audit_dependencies.py
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadgroup "$@"
fi
# make run's path on SQLite (migrate, seed_demo, every kind of page of each demo account,
# DEBUG off; no 5xx), in the background beside the suite, on the time its workers wait for
# the database and the browser. Its output is shown when it ends.
smoke_log=$(mktemp)
bash scripts/sqlite-smoke.sh >"$smoke_log" 2>&1 &
smoke=$!
suite_status=0
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadgroup || suite_status=$?
smoke_status=0
wait "$smoke" || smoke_status=$?
cat "$smoke_log"
rm -f "$smoke_log"
[ "$smoke_status" -eq 0 ] || echo "The SQLite smoke step failed (exit $smoke_status)." >&2
[ "$suite_status" -eq 0 ] && [ "$smoke_status" -eq 0 ]
