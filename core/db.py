"""Small query helpers shared by the apps."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Replace


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


def store_line_breaks_as_lf(apps, schema_editor, app_label: str) -> None:
    """A data migration: the line breaks of every text of ``app_label``'s models (not their
    history, which is append-only) become LF, as ``core.widgets.Textarea`` now reads them.
    Texts saved from a browser before it kept a CR before each line break, so an untouched
    form would have rewritten them. A row without a CR is not touched."""
    for model in apps.get_app_config(app_label).get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField | models.CharField) and not field.choices:
                text = F(field.attname)
                model._base_manager.filter(**{f"{field.attname}__contains": "\r"}).update(
                    **{field.attname: Replace(Replace(text, Value("\r\n"), Value("\n")), Value("\r"), Value("\n"))}
                )
