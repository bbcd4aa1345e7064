"""Small query helpers shared by the apps."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


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
