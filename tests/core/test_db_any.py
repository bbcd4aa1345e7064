"""core.db: the ``__any`` lookup (a list bound as one array, a subquery read once into
an array) and the array literals it binds."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from alliances.models import Alliance, Membership
from core.db import array_literal
from members.models import Region

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 1)


@pytest.mark.parametrize(
    ("values", "pg_type"),
    [
        ([1, -2, None, 2**40], "bigint"),
        ([1, -2, 2**40], "bigint"),  # no NULL: the plain numbers' short way
        ([Decimal("80.00"), Decimal("-0.5"), Decimal("1E+2"), None], "numeric"),
        ([Decimal("80.00"), 3, Decimal("1E+2")], "numeric"),
        ([True, False, None], "boolean"),
        ([True, False], "boolean"),
        ([MAY, None], "date"),
        ([MAY, datetime.date(2026, 1, 31)], "date"),
        ([datetime.datetime(2026, 11, 22, 4, 38, 2, 123456, tzinfo=datetime.UTC), None], "timestamptz"),
        (["plain", 'a "quoted", {braced} \\ back', " spaced ", "", "NULL", None, "中文"], "text"),
    ],
)
def test_an_array_literal_reads_back_as_the_values_it_was_made_of(values, pg_type):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{pg_type}[]", [array_literal(values)])
        assert cursor.fetchone()[0] == values


# ------------------------------------------------------------------- field__any


def test_any_selects_the_same_rows_as_in(world):
    wanted = [world.alliance_a.pk, world.alliance_b.pk]
    selected = set(Alliance.objects.filter(pk__any=wanted))
    assert selected == set(Alliance.objects.filter(pk__in=wanted)) == {world.alliance_a, world.alliance_b}
    # through a foreign key, by its column or by the relation's name
    by_column = Membership.objects.filter(alliance_id__any=wanted)
    assert set(by_column) == set(Membership.objects.filter(alliance__in=wanted))
    assert Membership.objects.filter(alliance__any=[world.alliance_b.pk]).get().organization == world.org_b
    assert set(Alliance.objects.exclude(pk__any=wanted)) == {world.alliance_a2}


def test_any_of_nothing_is_no_row_and_excluding_nothing_is_every_row(world):
    assert not Alliance.objects.filter(pk__any=[]).exists()
    assert Alliance.objects.exclude(pk__any=[]).count() == 3


def test_any_binds_the_list_as_one_array(world):
    ids = list(Alliance.objects.values_list("pk", flat=True)) + list(range(10**6, 10**6 + 500))
    sql, params = Alliance.objects.filter(pk__any=ids).query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql
    assert params == (array_literal(ids),)
    assert Alliance.objects.filter(pk__any=ids).count() == 3


def test_any_of_a_subquery_selects_the_same_rows_as_in(world):
    led_here = Region.objects.subtree(world.county_a).values("pk")
    in_county = Alliance.objects.filter(lead_region__any=led_here)
    assert set(in_county) == set(Alliance.objects.filter(lead_region__in=led_here))
    assert set(in_county) == {world.alliance_a, world.alliance_a2}
    assert set(Alliance.objects.exclude(lead_region__any=led_here)) == {world.alliance_b}
    assert not Alliance.objects.filter(lead_region__any=Region.objects.none().values("pk")).exists()


def test_any_of_a_subquery_reads_it_once_into_an_array(world):
    regions = Region.objects.subtree(world.county_a).values("pk")  # ordered by code by default
    sql, _ = Alliance.objects.filter(lead_region__any=regions).order_by().query.sql_with_params()
    assert '"lead_region_id" = ANY(ARRAY(SELECT' in sql
    assert "ORDER BY" not in sql  # an order is of no use in an array of ids
