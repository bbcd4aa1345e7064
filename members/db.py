"""Small query helpers shared by the apps."""

from __future__ import annotations

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
