"""Queries built and compiled once per process, then run with new values.

Django builds a queryset (resolving its expressions and joins) and compiles it to SQL on
every call. Scoring a county sends a dozen small grouped queries of a hundred rows each, and
building and compiling them took about as long as running them: of 70 ms, 41 ran in
PostgreSQL, 10 compiled statements and most of the rest built them.

A prepared query is a function that builds a queryset from ``Param`` placeholders instead of
values, and from shape arguments (querysets or constants that change the SQL). ``rows``
builds and compiles it the first time it meets a (function, shape) pair and keeps the SQL;
each call binds the values and runs it. ``execute`` does the same for a statement that a
function writes around compiled querysets (an ``INSERT … SELECT``, an ``UPDATE … FROM``).

The function never sees the values, so none can stay in the kept SQL by mistake: whatever
else it reads must be a shape argument (a setting too, such as the time zone), and each
distinct shape compiles once. A ``Param`` left unbound is a ``KeyError``, and a queryset
holding a ``Param`` run as an ordinary one fails in the driver (a ``Slot`` is no value).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Field, QuerySet


@dataclass(frozen=True, slots=True)
class Slot:
    """A parameter of compiled SQL bound by name when it runs: ``prepare(value,
    connection)`` turns the value into what the driver binds."""

    name: str
    prepare: Callable[[Any, Any], Any]


class Param(Expression):
    """A named value of a prepared query, prepared by ``output_field`` as ``Value`` would be."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [Slot(self.name, self.output_field.get_db_prep_value)]


class Compiled(NamedTuple):
    sql: str
    params: list
    names: list[str]  # the columns of a row, as ``values()`` names them
    converters: list[tuple[int, tuple[list, Any]]]  # by column: the backend's and fields' converters


_queries: dict[Hashable, Compiled] = {}
_statements: dict[Hashable, tuple[str, list] | None] = {}


def compile_values(queryset: QuerySet, using: str) -> Compiled:
    """A ``values()`` queryset's SQL, column names and converters (as iterating it uses them)."""
    query = queryset.query
    compiler = query.get_compiler(using)
    sql, params = compiler.as_sql()
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return Compiled(sql, list(params), names, list(converters.items()))


def rows(
    build: Callable[..., QuerySet],
    *shape: Any,
    cache: bool = True,
    using: str = DEFAULT_DB_ALIAS,
    **values: Any,
) -> list[dict[str, Any]]:
    """The rows, as ``values()`` gives them, of the ``values()`` queryset ``build(*shape)``
    with its ``Param`` placeholders bound to ``values``. The SQL is kept per ``build`` and
    ``shape`` (hashable), unless ``cache`` is false (a shape that changes from call to call,
    such as a queryset of many regions)."""
    connection = connections[using]
    compiled = _kept(_queries, build, shape, cache, using, lambda queryset: compile_values(queryset, using))
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, bind(compiled.params, values, connection))
        fetched = cursor.fetchall()
    if compiled.converters:
        fetched = [convert(row, compiled.converters, connection) for row in fetched]
    return [dict(zip(compiled.names, row, strict=True)) for row in fetched]


def convert(row: tuple, converters: list, connection) -> list:
    """A fetched row through its columns' converters (``SQLCompiler.apply_converters``)."""
    values = list(row)
    for position, (functions, expression) in converters:
        for function in functions:
            values[position] = function(values[position], expression, connection)
    return values


def execute(
    build: Callable[..., tuple[str, list] | None],
    *shape: Any,
    cache: bool = True,
    using: str = DEFAULT_DB_ALIAS,
    **values: Any,
) -> None:
    """Run the statement ``build(*shape)`` writes as ``(sql, params)``, its ``Param``
    placeholders bound to ``values``; ``None`` from ``build``: nothing to run. Kept per
    ``build`` and ``shape``, as ``rows`` keeps a query."""
    connection = connections[using]
    statement = _kept(_statements, build, shape, cache, using, lambda written: written)
    if statement is not None:
        sql, params = statement
        with connection.cursor() as cursor:
            cursor.execute(sql, bind(params, values, connection))


def _kept(store: dict, build: Callable, shape: tuple, cache: bool, using: str, make: Callable) -> Any:
    """``make(build(*shape))``, kept in ``store`` per function, shape and database unless
    ``cache`` is false."""
    key = (build, shape, using, connections[using].vendor)
    if cache and key in store:
        return store[key]
    made = make(build(*shape))
    if cache:
        store[key] = made
    return made


def bind(params: list, values: dict[str, Any], connection) -> list:
    """The parameters of compiled SQL, each ``Slot`` replaced by its prepared value."""
    return [param.prepare(values[param.name], connection) if isinstance(param, Slot) else param for param in params]
