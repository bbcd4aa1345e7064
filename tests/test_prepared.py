"""members.prepared: queries built and compiled once, then run with new values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.db.models import Avg, CharField, Count, DateField, IntegerField, QuerySet
from django.test.utils import CaptureQueriesContext

from alliances.models import Alliance
from evaluations.models import MemberResult
from members import prepared
from members.models import MemberOrganization, Region
from members.prepared import Param

pytestmark = pytest.mark.django_db

MAY, JUNE = datetime.date(2025, 5, 1), datetime.date(2025, 6, 1)


class Counted:
    """A build function that counts how often it is called."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, *shape):
        self.calls += 1
        return self.build(*shape)


def regions_under(level: str) -> QuerySet:
    return (
        Region.objects.filter(level=level, code__startswith=Param("prefix", CharField()))
        .order_by("code")
        .values("code")
    )


def test_a_query_is_built_once_and_run_with_each_calls_values(world):
    build = Counted(regions_under)
    ningbo = prepared.rows(build, "county", prefix="3302")
    zhoushan = prepared.rows(build, "county", prefix="3309")
    assert ningbo == [{"code": world.county_a.code}]
    assert zhoushan == [{"code": world.county_b.code}]
    assert build.calls == 1


def test_each_shape_is_built_once(world):
    build = Counted(regions_under)
    counties = prepared.rows(build, "county", prefix="33")
    cities = prepared.rows(build, "city", prefix="33")
    prepared.rows(build, "city", prefix="3302")
    assert {row["code"] for row in counties} == {world.county_a.code, world.county_b.code}
    assert {row["code"] for row in cities} == {world.ningbo.code, world.county_b.parent.code}
    assert build.calls == 2


def test_an_uncached_query_is_built_on_every_call(world):
    build = Counted(regions_under)
    for _ in range(2):
        assert prepared.rows(build, "city", cache=False, prefix="3309") == [{"code": world.county_b.parent.code}]
    assert build.calls == 2


def test_rows_are_those_of_the_same_query_with_its_values(world):
    """Column names and the database's conversions (a Decimal average, a date) as
    ``values()`` gives them."""
    MemberResult.objects.create(
        organization=world.org_a, period_kind="month", period_start=MAY, own_score=80, total_score=Decimal("70.25")
    )
    MemberResult.objects.create(
        organization=world.org_b, period_kind="month", period_start=MAY, own_score=60, total_score=Decimal("61.5")
    )

    def averages(since) -> QuerySet:
        return (
            MemberResult.objects.filter(period_start__gte=since)
            .values("period_start")
            .annotate(average=Avg("total_score"), results=Count("pk"))
            .order_by("period_start")
        )

    expected = list(averages(MAY))
    assert prepared.rows(lambda: averages(Param("since", DateField())), since=MAY) == expected
    assert expected[0]["period_start"] == MAY
    assert isinstance(expected[0]["average"], Decimal)


def test_a_list_bound_to_any_matches_its_members_whatever_its_length(world):
    build = Counted(lambda: Alliance.objects.filter(pk__any=Param("ids", IntegerField())).order_by("pk").values("pk"))
    both = sorted([world.alliance_a.pk, world.alliance_b.pk])
    assert prepared.rows(build, ids=both) == [{"pk": pk} for pk in both]
    assert prepared.rows(build, ids=[world.alliance_b.pk]) == [{"pk": world.alliance_b.pk}]
    assert prepared.rows(build, ids=[]) == []
    assert build.calls == 1


def test_a_param_left_unbound_is_an_error(world):
    with pytest.raises(KeyError, match="prefix"):
        prepared.rows(regions_under, "county", prefx="33")


def test_a_query_holding_a_param_cannot_run_as_an_ordinary_one(world):
    with pytest.raises(DatabaseError):
        list(regions_under("county"))


def rename(field: str) -> tuple[str, list]:
    """A statement written around a compiled query: the organization ``Param("pk")`` takes
    the name ``Param("name")`` (in its ``field``)."""
    table = MemberOrganization._meta.db_table
    select, params = (
        MemberOrganization.objects.filter(pk=Param("pk", IntegerField()))
        .annotate(new_name=Param("name", CharField()))
        .order_by()
        .values("pk", "new_name")
        .query.sql_with_params()
    )
    sql = f"UPDATE {table} SET {field} = s.new_name FROM ({select}) AS s WHERE {table}.id = s.pk"  # noqa: S608
    return sql, list(params)


def test_a_statement_is_written_once_and_run_with_each_calls_values(world):
    build = Counted(rename)
    prepared.execute(build, "name", name="甲", pk=world.org_a.pk)
    with CaptureQueriesContext(connection) as queries:
        prepared.execute(build, "name", name="乙", pk=world.org_b.pk)
    assert len(queries) == 1
    assert MemberOrganization.objects.get(pk=world.org_a.pk).name == "甲"
    assert MemberOrganization.objects.get(pk=world.org_b.pk).name == "乙"
    assert build.calls == 1


def test_a_statement_that_selects_nothing_is_not_run(world):
    build = Counted(lambda: None)
    with CaptureQueriesContext(connection) as queries:
        prepared.execute(build)
        prepared.execute(build)
    assert len(queries) == 0
    assert build.calls == 1
