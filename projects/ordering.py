"""The alliance code each project carries for the list's order.

Project lists are ordered by year (newest first), alliance code and title. The alliance
code lives on another table, and no index can serve a sort on another table's column: a
deep page of the province's 100,000 projects sorted them all. So each project keeps a copy
of its alliance's code (``Project.alliance_code``), indexed with the year and title, and
the database itself keeps the copy equal to the original:

- a project's copy is set from its alliance whenever a project is written, whatever the
  copy the write carried (an ORM save, a bulk load, a raw UPDATE);
- renaming an alliance's code rewrites the copy of each of its projects.

The triggers are (re)installed after every ``migrate`` (``install``, connected to
``post_migrate``), which also mends any copy that drifted while they were missing: SQLite
drops a table's triggers when a migration rebuilds the table.
"""

from __future__ import annotations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION projects_project_alliance_code() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.alliance_code := (SELECT code FROM alliances_alliance WHERE id = NEW.alliance_id);
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER projects_project_alliance_code
    BEFORE INSERT OR UPDATE OF alliance_id, alliance_code ON projects_project
    FOR EACH ROW EXECUTE FUNCTION projects_project_alliance_code()
    """,
    """
    CREATE OR REPLACE FUNCTION alliances_alliance_code_to_projects() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE projects_project SET alliance_code = NEW.code WHERE alliance_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER alliances_alliance_code_to_projects
    AFTER UPDATE OF code ON alliances_alliance
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION alliances_alliance_code_to_projects()
    """,
]

# SQLite cannot change NEW in a trigger: the row is corrected just after it is written.
_SQLITE_COPY = (
    "UPDATE projects_project SET alliance_code = "
    "(SELECT code FROM alliances_alliance WHERE id = NEW.alliance_id) WHERE id = NEW.id"
)
SQLITE = [
    f"""
    CREATE TRIGGER projects_project_alliance_code_insert
    AFTER INSERT ON projects_project BEGIN {_SQLITE_COPY}; END
    """,
    f"""
    CREATE TRIGGER projects_project_alliance_code_update
    AFTER UPDATE OF alliance_id, alliance_code ON projects_project BEGIN {_SQLITE_COPY}; END
    """,
    """
    CREATE TRIGGER alliances_alliance_code_to_projects
    AFTER UPDATE OF code ON alliances_alliance
    BEGIN UPDATE projects_project SET alliance_code = NEW.code WHERE alliance_id = NEW.id; END
    """,
]

CREATE = {"postgresql": POSTGRESQL, "sqlite": SQLITE}

MEND = """
UPDATE projects_project SET alliance_code = (
    SELECT code FROM alliances_alliance WHERE alliances_alliance.id = projects_project.alliance_id
)
WHERE alliance_code <> (
    SELECT code FROM alliances_alliance WHERE alliances_alliance.id = projects_project.alliance_id
)
"""


DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS projects_project_alliance_code ON projects_project",
        "DROP TRIGGER IF EXISTS alliances_alliance_code_to_projects ON alliances_alliance",
        "DROP FUNCTION IF EXISTS projects_project_alliance_code()",
        "DROP FUNCTION IF EXISTS alliances_alliance_code_to_projects()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS projects_project_alliance_code_insert",
        "DROP TRIGGER IF EXISTS projects_project_alliance_code_update",
        "DROP TRIGGER IF EXISTS alliances_alliance_code_to_projects",
    ],
}


def install(connection) -> None:
    """(Re)create the triggers on ``connection``, replacing any older definition, and mend
    any drifted copy."""
    uninstall(connection)
    with connection.cursor() as cursor:
        for statement in CREATE[connection.vendor]:
            cursor.execute(statement)
    mend(connection)


def uninstall(connection) -> None:
    """Drop the triggers (and PostgreSQL's functions), if there."""
    if connection.vendor not in DROP:
        raise NotImplementedError(f"No alliance-code triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in DROP[connection.vendor]:
            cursor.execute(statement)


def mend(connection) -> None:
    """Give every project whose copy differs its alliance's code."""
    with connection.cursor() as cursor:
        cursor.execute(MEND)


def install_after_migrate(sender, using, plan=None, **kwargs) -> None:
    """``post_migrate`` receiver: installs the triggers where projects have the copy, and
    drops them where a migration back to before the copy removed it."""
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        if "projects_project" not in connection.introspection.table_names(cursor):
            return
        columns = {column.name for column in connection.introspection.get_table_description(cursor, "projects_project")}
    if "alliance_code" in columns:
        install(connection)
    else:
        uninstall(connection)
