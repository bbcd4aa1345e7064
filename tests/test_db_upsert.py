"""members.db: upsert (one statement inserting new rows and updating existing ones), its
twin upsert_select_statement (the rows a query selects, never read into Python), its array
literals, and the ``__any`` lookup binding a list as one array."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import BooleanField, DecimalField, Value

from alliances.models import Alliance, Membership
from evaluations.models import MemberResult
from members.db import array_literal, upsert, upsert_select_statement
from members.models import MemberOrganization, Region

pytestmark = pytest.mark.django_db

FIELDS = ["organization", "period_kind", "period_start", "own_score", "total_score", "loses_award_eligibility"]
UNIQUE = ["organization", "period_kind", "period_start"]
MAY = datetime.date(2025, 5, 1)


def row(org, total: str, period_start=MAY):
    return (org.pk, "month", period_start, Decimal("80.00"), Decimal(total), False)


def upsert_select(model, fields, rows, *, unique) -> None:
    """Run the statement, if the query can select anything."""
    statement = upsert_select_statement(model, fields, rows, unique=unique)
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)


def tuple_id(pk: int) -> str:
    """Where the row's current version lies: a rewrite puts a new version elsewhere."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM evaluations_memberresult WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_new_rows_are_inserted_and_their_ids_returned(world):
    returned = upsert(
        MemberResult,
        FIELDS,
        [row(world.org_a, "70.00"), row(world.org_b, "60.00")],
        unique=UNIQUE,
        returning=["organization", "id"],
    )
    ids = dict(returned)
    assert set(ids) == {world.org_a.pk, world.org_b.pk}
    assert MemberResult.objects.get(pk=ids[world.org_a.pk]).total_score == Decimal("70.00")


def test_an_existing_row_is_updated_in_place(world):
    upsert(MemberResult, FIELDS, [row(world.org_a, "70.00")], unique=UNIQUE)
    first = MemberResult.objects.get()
    upsert(
        MemberResult,
        FIELDS,
        [row(world.org_a, "75.50"), row(world.org_a, "10.00", MAY.replace(month=6))],
        unique=UNIQUE,
    )
    assert MemberResult.objects.count() == 2
    first.refresh_from_db()
    assert first.total_score == Decimal("75.50")


def test_an_unchanged_row_is_not_rewritten(world):
    upsert(MemberResult, FIELDS, [row(world.org_a, "70.00")], unique=UNIQUE)
    result = MemberResult.objects.get()
    before = tuple_id(result.pk)
    assert upsert(MemberResult, FIELDS, [row(world.org_a, "70.00")], unique=UNIQUE, returning=["id"]) == []
    assert tuple_id(result.pk) == before
    assert upsert(MemberResult, FIELDS, [row(world.org_a, "71.00")], unique=UNIQUE, returning=["id"]) == [(result.pk,)]
    assert tuple_id(result.pk) != before


def selected(organizations, total: str):
    """A query selecting one MemberResult row (``FIELDS`` order) per organization."""
    return (
        MemberOrganization.objects.filter(pk__in=[org.pk for org in organizations])
        .annotate(
            result_kind=Value("month"),
            start=Value(MAY),
            own=Value(Decimal("80.00"), output_field=DecimalField()),
            total=Value(Decimal(total), output_field=DecimalField()),
            loses=Value(False, output_field=BooleanField()),
        )
        .values_list("pk", "result_kind", "start", "own", "total", "loses")
    )


def test_selected_rows_are_inserted_and_existing_ones_updated_without_reading_them(world, django_assert_num_queries):
    upsert(MemberResult, FIELDS, [row(world.org_a, "70.00")], unique=UNIQUE)
    existing = MemberResult.objects.get()

    with django_assert_num_queries(1):
        upsert_select(MemberResult, FIELDS, selected([world.org_a, world.org_b], "65.25"), unique=UNIQUE)

    totals = dict(MemberResult.objects.values_list("organization_id", "total_score"))
    assert totals == {world.org_a.pk: Decimal("65.25"), world.org_b.pk: Decimal("65.25")}
    assert MemberResult.objects.get(organization=world.org_a).pk == existing.pk


def test_a_selected_row_that_is_unchanged_is_not_rewritten(world):
    upsert_select(MemberResult, FIELDS, selected([world.org_a], "70.00"), unique=UNIQUE)
    result = MemberResult.objects.get()
    before = tuple_id(result.pk)

    upsert_select(MemberResult, FIELDS, selected([world.org_a], "70.00"), unique=UNIQUE)
    assert tuple_id(result.pk) == before
    upsert_select(MemberResult, FIELDS, selected([world.org_a], "71.00"), unique=UNIQUE)
    assert tuple_id(result.pk) != before


def test_a_query_that_cannot_match_is_no_statement(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        upsert_select(MemberResult, FIELDS, selected([], "70.00"), unique=UNIQUE)
    assert not MemberResult.objects.exists()


def test_nothing_to_write_is_no_statement(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert upsert(MemberResult, FIELDS, [], unique=UNIQUE) == []


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


def test_text_with_array_syntax_is_stored_as_written(world):
    awkward = 'a,"b}\\'  # a comma, a quote, a brace and a backslash
    returned = upsert(
        MemberResult,
        FIELDS,
        [(world.org_a.pk, awkward, MAY, Decimal("80.00"), Decimal("70.00"), True)],
        unique=UNIQUE,
        returning=["id"],
    )
    stored = MemberResult.objects.get(pk=returned[0][0])
    assert (stored.period_kind, stored.loses_award_eligibility) == (awkward, True)


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
