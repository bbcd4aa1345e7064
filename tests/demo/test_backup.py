"""Backup and restore on the PostgreSQL test server: the seeded demo database of this folder
(conftest.py ``demo_db``, migrated as every test database is) is dumped with
scripts/backup.sh and restored with scripts/restore.sh into a new database, and every
table's row count and every aggregate below are the same in both; the migrations'
append-only triggers guard every history table in both."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.db import connection

from core.audit import historical_models

ROOT = Path(__file__).resolve().parents[2]
# With the other tests of the seeded demo database, on one worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

# Aggregates that must survive a backup and restore unchanged: name → SQL returning rows.
# When rollups exist, add theirs here, e.g.
#   "rollups": "SELECT kind, period, region_id, data::text FROM evaluations_rollup ORDER BY 1, 2, 3",
AGGREGATES = {
    "current members per alliance": (
        "SELECT alliance_id, count(*) FROM alliances_membership WHERE left_on IS NULL GROUP BY 1 ORDER BY 1"
    ),
    "open leaders per county": (
        "SELECT left(r.code, 6), count(*) FROM alliances_teamrole t "
        "JOIN alliances_alliance a ON a.id = t.alliance_id JOIN members_region r ON r.id = a.lead_region_id "
        "WHERE t.role = 'leader' AND t.ended_on IS NULL GROUP BY 1 ORDER BY 1"
    ),
    "changes per history table and author": (
        "SELECT 'alliance', history_user_id, history_type, count(*) FROM alliances_historicalalliance "
        "GROUP BY 2, 3 ORDER BY 2, 3"
    ),
}


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.fail("the backup test needs the PostgreSQL test server: run scripts/test.sh")
    return url


def database_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin(sql: str) -> None:
    connection = psycopg2.connect(database_url("postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def run(*command: str, url: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


def query(url: str, sql: str) -> list[tuple]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


def row_counts(url: str) -> dict[str, int]:
    tables = [t for (t,) in query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return {t: query(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}  # noqa: S608 - catalogue names


@pytest.fixture(scope="module")
def backup_and_restore(demo_db, django_db_blocker, tmp_path_factory):
    """(source URL, restored URL, dump file): the seeded demo database, backed up, and
    restored into a fresh database, dropped afterwards."""
    with django_db_blocker.unblock():
        source = connection.settings_dict["NAME"]
    restored = f"backup_restored_{os.getpid()}"
    admin(f'DROP DATABASE IF EXISTS "{restored}"')
    try:
        src = database_url(source)
        dump = tmp_path_factory.mktemp("backup") / "alliance.dump"
        out = run("/bin/bash", "scripts/backup.sh", str(dump), url=src)
        assert out.stdout.strip() == str(dump)
        run("/bin/bash", "scripts/restore.sh", str(dump), database_url(restored), url=src)
        yield src, database_url(restored), dump
    finally:
        admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def test_every_table_has_the_same_row_count_after_restore(backup_and_restore):
    source, restored, _dump = backup_and_restore
    before, after = row_counts(source), row_counts(restored)
    assert after == before
    assert before["alliances_alliance"] > 50 and before["alliances_historicalalliance"] > 50  # the demo is there


@pytest.mark.parametrize("name", sorted(AGGREGATES))
def test_aggregates_are_the_same_after_restore(backup_and_restore, name):
    source, restored, _dump = backup_and_restore
    rows = query(source, AGGREGATES[name])
    assert rows, f"{name}: the demo should give rows to compare"
    assert query(restored, AGGREGATES[name]) == rows


def test_restore_refuses_a_database_that_already_has_tables(backup_and_restore):
    source, restored, dump = backup_and_restore
    env = {**os.environ, "DATABASE_URL": source}
    result = subprocess.run(
        ["/bin/bash", "scripts/restore.sh", str(dump), restored], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "restore into a new database" in result.stderr


TRIGGERS = (
    "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'pgtrigger_append_only_%' AND NOT tgisinternal"
)


# Append-only logs that are not change histories, each refused an edit in its own tests
# (tests/tracking/test_services.py, tests/members/test_login_management.py).
APPEND_ONLY_LOGS = {"tracking_trackeditemevent", "members_accountevent"}


@pytest.mark.parametrize("which", [0, 1], ids=["migrated", "restored"])
def test_every_history_table_is_append_only_after_migrate_and_after_restore(backup_and_restore, which):
    url = backup_and_restore[which]
    protected = {name.strip('"') for (name,) in query(url, TRIGGERS)}
    history = {model._meta.db_table for model in historical_models()}
    assert protected == history | APPEND_ONLY_LOGS
    for table in sorted(history):
        # A row-level trigger fires only on rows: the demo writes history for every model.
        assert query(url, f'SELECT count(*) FROM "{table}"')[0][0] > 0, f"{table}: the demo left no history"  # noqa: S608
        for statement in (
            f'UPDATE "{table}" SET history_change_reason = \'x\' WHERE history_id = (SELECT min(history_id) FROM "{table}")',  # noqa: S608,E501
            f'DELETE FROM "{table}" WHERE history_id = (SELECT min(history_id) FROM "{table}")',  # noqa: S608
        ):
            with pytest.raises(psycopg2.Error, match="append-only"):
                query(url, statement)
