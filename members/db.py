"""Small query helpers shared by the apps."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.sql.query import Query

from .prepared import Param, Slot


def subquery_count(queryset: QuerySet, outer_field: str, outer_ref: str = "pk") -> Coalesce:
    """COUNT(*) of ``queryset`` rows whose ``outer_field`` equals the outer row's
    ``outer_ref``, as a correlated subquery: no GROUP BY on the outer query, no row
    multiplication when several counts are annotated side by side."""
    inner = (
        queryset.filter(**{outer_field: OuterRef(outer_ref)})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(inner, output_field=IntegerField()), 0)


def value_of(model: type[models.Model], key: str, field: str = "name", *, match: str = "pk") -> Subquery:
    """``field`` of the ``model`` row whose ``match`` column (its key, unless told) equals the
    outer row's ``key`` column, as a correlated subquery. Where a join would stay in the
    list's ``COUNT(*)`` and be made for every row before the page is cut, the subquery is
    dropped from the count and runs for the rows a page returns only."""
    # No ordering: one row matches, and a model's default ordering may join another table.
    return Subquery(model._default_manager.filter(**{match: OuterRef(key)}).order_by().values(field)[:1])


def upsert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence],
    *,
    unique: Sequence[str],
    returning: Sequence[str] = (),
    only_changed: bool = True,
) -> list[tuple]:
    """Insert ``rows`` (tuples of plain values in ``fields`` order; a foreign key by its id),
    updating the row that already holds the same ``unique`` values, in one statement.

    On PostgreSQL: ``INSERT … SELECT FROM unnest(one array per column) ON CONFLICT DO
    UPDATE``, a handful of parameters whatever the row count; Django's ``bulk_create``
    builds and adapts every value of every row, which took seconds for a province's 100,000
    indicator scores. With ``only_changed`` a row whose values are all the same is not
    rewritten (no dead tuple, no trigger), and then not returned either. Elsewhere (the
    SQLite of ``make run``): ``bulk_create(update_conflicts=True)``.

    Returns the ``returning`` fields of the inserted and updated rows.
    """
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [model(**{f.attname: value for f, value in zip(columns, row, strict=True)}) for row in rows]
        model._default_manager.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=list(unique),
            update_fields=[f.name for f in columns if f.name not in unique],
        )
        return [tuple(getattr(obj, meta.get_field(name).attname) for name in returning) for obj in objects]
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in columns)
    rows_sql = f"SELECT * FROM unnest({arrays})"  # noqa: S608 - column types from model meta
    sql = upsert_statement(model, columns, rows_sql, unique, only_changed=only_changed)
    if returning:
        quote = connection.ops.quote_name
        sql += " RETURNING " + ", ".join(quote(meta.get_field(name).column) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_literal(column) for column in zip(*rows, strict=True)])
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def upsert_select_statement(
    model: type[models.Model], fields: Sequence[str], rows: QuerySet, *, unique: Sequence[str]
) -> tuple[str, list] | None:
    """The statement that inserts the rows a query selects (``rows``: a ``values_list`` of
    ``fields``' values, in that order), updating the row that already holds the same
    ``unique`` values: one ``INSERT … SELECT … ON CONFLICT DO UPDATE``, so the rows never
    travel to Python. On PostgreSQL a row whose values are all the same is not rewritten
    (as ``upsert``). Its SQL and parameters; None when the query cannot select anything."""
    columns = [model._meta.get_field(name) for name in fields]
    try:
        select, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    # WHERE true: SQLite reads "SELECT … ON CONFLICT" as a join's ON without it.
    sql = upsert_statement(
        model,
        columns,
        f"SELECT * FROM ({select}) AS selected WHERE true",  # noqa: S608 - ORM-built SQL
        unique,
        only_changed=connection.vendor == "postgresql",
    )
    return sql, list(params)


def upsert_statement(
    model: type[models.Model],
    columns: Sequence[models.Field],
    select: str,
    unique: Sequence[str],
    *,
    only_changed: bool,
) -> str:
    """``INSERT INTO`` the model's ``columns`` the rows of ``select``, ``ON CONFLICT`` of the
    ``unique`` fields updating the other columns; with ``only_changed``, only a row some
    value of which differs (``IS DISTINCT FROM``, so NULLs compare as values)."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    update = [field for field in columns if field.name not in unique]
    names = ", ".join(quote(f.column) for f in columns)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique)
    assignments = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in update)
    sql = f"INSERT INTO {table} ({names}) {select} ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"  # noqa: S608 - names from model meta
    if only_changed and update:
        sql += " WHERE " + " OR ".join(
            f"{table}.{quote(f.column)} IS DISTINCT FROM EXCLUDED.{quote(f.column)}" for f in update
        )
    return sql


def array_literal(values: Iterable) -> str:
    """``values`` as the text of a PostgreSQL array (``{1,"a b",NULL}``), to be bound as one
    string parameter and cast (``%s::integer[]``). psycopg2 adapts a Python list element by
    element into ``ARRAY[…]``, which the server then parses as one expression per element:
    for a 10,000-row upsert that was most of its time, against one constant parsed here."""
    values = tuple(values)
    kinds = set(map(type, values))
    if kinds <= {int, Decimal}:  # the common column of numbers (bool is a type of its own)
        return "{" + ",".join(map(str, values)) + "}"
    if kinds == {datetime.date}:
        return "{" + ",".join(map(datetime.date.isoformat, values)) + "}"
    return "{" + ",".join(map(_array_element, values)) + "}"


class AnyOf(models.Lookup):
    """``field__any=[1, 2, …]``: the rows whose ``field`` is one of a list of ids (or other
    plain numbers or text), as ``__in`` selects them. On PostgreSQL the list is bound as one
    array literal, ``field = ANY(%s::bigint[])``. ``__in`` binds a parameter per value, and
    for a county's 560 projects under way the query took three times as long, spent
    adapting each value and planning a list of 560 constants. Elsewhere it is ``IN``.

    ``field__any=queryset`` (of one column): on PostgreSQL ``field = ANY(ARRAY(SELECT …))``,
    whose subquery runs once, before the query, so that the planner looks ``field`` up by
    its index; elsewhere ``field IN (SELECT …)``. Only for a subquery of a few hundred rows:
    each row of the outer query is compared with the array one element after another.

    ``field__any=Param(name, …)`` (``members.prepared``, scoring only): the list bound when
    the prepared query runs, whatever its length; elsewhere than PostgreSQL as a JSON array.
    """

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        if isinstance(self.rhs, Param):
            return self.rhs
        if isinstance(self.rhs, Query):  # a queryset, resolved: its order is of no use here
            self.rhs.clear_ordering(clear_default=True)
            return self.rhs
        return tuple(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, Query):
            rhs, rhs_params = self.process_rhs(compiler, connection)
            sql = f"{lhs} = ANY(ARRAY{rhs})" if connection.vendor == "postgresql" else f"{lhs} IN {rhs}"
            return sql, [*lhs_params, *rhs_params]
        prepared = isinstance(self.rhs, Param)
        if not prepared and not self.rhs:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            sql = f"{lhs} = ANY(%s::{self.lhs.output_field.db_type(connection)}[])"
            return sql, [*lhs_params, self.bound(array_literal)]
        if prepared:
            sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - a compiled column
            return sql, [*lhs_params, self.bound(lambda values: json.dumps(list(values)))]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]

    def bound(self, prepare):
        """The list as one parameter, made by ``prepare``: now, or when a ``Param`` is bound."""
        if isinstance(self.rhs, Param):
            return Slot(self.rhs.name, lambda values, connection: prepare(values))
        return prepare(self.rhs)


def register_lookups() -> None:
    """Called by ``MembersConfig.ready``, before any query is built."""
    models.Field.register_lookup(AnyOf)
    models.ForeignObject.register_lookup(AnyOf)  # a foreign key answers only its own lookups


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # and datetime: ISO text, with its offset when aware
        return value.isoformat()
    text = str(value)  # quoted, so that commas, braces, spaces and the word NULL stay text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
