"""The API list's cheap paths give what Django and DRF give: the count of a paginated list
taken without its annotations, subqueries compiled once and kept, and values DRF would
output unchanged copied as they are."""

from __future__ import annotations

import datetime
import pickle

import pytest
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from rest_framework import serializers

from members.api_base import FastRepresentationMixin
from members.db import KeptSubquery
from members.pagination import DeferredJoinPaginator, RowCountPaginator
from tests.factories_workshops import ReportFactory, WorkshopFactory
from workshops.models import Workshop, WorkshopReport

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2025, month, 1) for month in (1, 2, 3))


@pytest.fixture
def shops(world):
    """Three workshops in county A: two with reports (one of them two months), one without."""
    first = WorkshopFactory(name="甲工坊", region=world.village_a, host=world.org_a, alliance=world.alliance_a)
    second = WorkshopFactory(name="乙工坊", region=world.village_a, host=world.org_a, has_team=True)
    WorkshopFactory(name="丙工坊", region=world.village_a, host=world.org_a, has_team=True, has_base=True)
    ReportFactory(workshop=first, month=JAN, employed=10)
    ReportFactory(workshop=first, month=FEB, employed=12)
    ReportFactory(workshop=second, month=JAN, employed=7)
    return first, second


def listed():
    return Workshop.objects.with_names().with_checklist().with_latest_report()


def counts(queryset) -> tuple[int, int, int]:
    """Our count, Django's, and the rows themselves."""
    return RowCountPaginator(queryset, 2).count, Paginator(queryset, 2).count, len(list(queryset))


@pytest.mark.parametrize(
    "narrow",
    [
        lambda rows: rows,
        lambda rows: rows.filter(checklist_score__gte=1),  # a filter on an annotation
        lambda rows: rows.filter(latest_employed__gt=8),  # on a subquery annotation
        lambda rows: rows.annotate(alliance_of=F("alliance__name")).filter(alliance_of__isnull=False),
        lambda rows: rows.filter(reports__employed__gt=0),  # one row per matching report
        lambda rows: rows.annotate(reported=Count("reports")),  # GROUP BY: counted by Django
        lambda rows: rows.annotate(month=F("reports__month")).distinct(),  # DISTINCT over the months too
        lambda rows: rows.annotate(place=Window(RowNumber(), order_by="name")).filter(place__lte=2),  # a window
    ],
    ids=["all", "annotation", "subquery", "join", "duplicates", "group-by", "distinct", "window"],
)
def test_a_list_counts_the_rows_django_counts(shops, narrow):
    ours, django, rows = counts(narrow(listed()).order_by("name"))
    assert ours == django == rows


def test_pages_of_a_deferred_join_hold_the_same_count(shops):
    paginator = DeferredJoinPaginator(listed().order_by("name"), 2)
    assert paginator.count == 3
    assert [row.name for row in paginator.page(2)] == ["甲工坊"]


def test_a_kept_subquery_is_compiled_once_and_gives_fresh_rows_each_time(shops, monkeypatch):
    first, _second = shops
    rows = listed().order_by("name")
    compiled, original = [], Subquery.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Subquery, "as_sql", counting)
    assert {row.name: row.latest_month for row in rows.all()} == {"甲工坊": FEB, "乙工坊": JAN, "丙工坊": None}
    assert len(compiled) == 8  # five names, three figures of the latest report
    ReportFactory(workshop=first, month=MAR, employed=15)
    again = {row.name: (row.latest_month, row.latest_employed) for row in rows.all()}
    assert again["甲工坊"] == (MAR, 15)
    assert len(compiled) == 8  # the second run compiled none of them again


def test_a_kept_subquery_is_compiled_anew_inside_another_query(shops):
    """Used as a subquery itself, the list's tables are renamed: the kept SQL of the first
    compilation is not reused there."""
    rows = listed().filter(latest_employed__gt=8)
    assert [row.name for row in rows] == ["甲工坊"]
    outer = WorkshopReport.objects.filter(workshop__in=rows.values("pk")).order_by("month")
    assert [(report.workshop.name, report.month) for report in outer] == [("甲工坊", JAN), ("甲工坊", FEB)]
    latest = Workshop.objects.filter(pk=OuterRef("workshop")).with_latest_report().values("latest_employed")
    nested = WorkshopReport.objects.annotate(now=KeptSubquery(latest[:1]))
    assert {(report.workshop.name, report.month): report.now for report in nested} == {
        ("甲工坊", JAN): 12,
        ("甲工坊", FEB): 12,
        ("乙工坊", JAN): 7,
    }


def test_a_pickled_list_runs_without_its_kept_sql(shops):
    rows = listed().order_by("name")
    expected = [(row.name, row.latest_month) for row in rows]
    assert "_kept_sql" in rows.query.annotations["latest_month"].__dict__
    restored = pickle.loads(pickle.dumps(rows.query))  # noqa: S301 - our own bytes, as a queryset cache holds
    assert "_kept_sql" not in restored.annotations["latest_month"].__dict__
    again = Workshop.objects.all()
    again.query = restored
    assert [(row.name, row.latest_month) for row in again] == expected


class Row:
    def __init__(self, **values):
        self.__dict__.update(values)


class PlainSerializer(FastRepresentationMixin, serializers.Serializer):
    text = serializers.CharField()
    number = serializers.IntegerField()
    flag = serializers.BooleanField()
    ratio = serializers.FloatField()
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    level = serializers.ChoiceField(choices=[(1, "one"), (2, "two")])


@pytest.mark.parametrize(
    "values",
    [
        {"text": "甲", "number": 3, "flag": True, "ratio": 0.5, "kind": "a", "level": 1},
        # values of another type than the field's own go through DRF's conversion
        {"text": 12, "number": 3.0, "flag": "yes", "ratio": 1, "kind": "c", "level": "2"},
        {"text": True, "number": False, "flag": 0, "ratio": True, "kind": 1, "level": "3"},
    ],
    ids=["own-types", "other-types", "odd-types"],
)
def test_plain_values_are_output_as_drf_outputs_them(values):
    row = Row(**values)
    ours = PlainSerializer(row).data
    assert ours == serializers.Serializer.to_representation(PlainSerializer(), row)
    assert [type(value) for value in ours.values()] == [
        type(value) for value in serializers.Serializer.to_representation(PlainSerializer(), row).values()
    ]
