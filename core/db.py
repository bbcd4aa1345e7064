"""Small query helpers shared by the apps."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.sql.query import Query


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
    """

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
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
        if not self.rhs:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            sql = f"{lhs} = ANY(%s::{self.lhs.output_field.db_type(connection)}[])"
            return sql, [*lhs_params, array_literal(self.rhs)]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


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
