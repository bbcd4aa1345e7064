"""The demo's assessment reads like a real county's: most alliances pass, a few lag, a
handful of secretaries lose 两优一先 eligibility (3 in Ningbo in a year, in the sources),
匡堰镇南部片区 comes first in 慈溪, and every demonstration alliance's members have four
stars or more. Read from the rollups the demo produced: last year's annual review and the
latest month's bulletin the schedule has drafted by today."""

from __future__ import annotations

import datetime

import pytest

from alliances.models import Alliance, Membership
from evaluations.models import Rollup
from evaluations.rollups import ANNUAL_REVIEW, MONTHLY_BULLETIN
from evaluations.services import rollup_due_period
from members.models import Region
from projects.weeks import local_today
from tests.demo.test_seed_demo import seeded  # noqa: F401 - the module-scoped seeded database

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

NINGBO, CIXI = "330200000000", "330282000000"
SHOWCASE = "匡堰镇南部片区党建联盟"


def last_year() -> datetime.date:
    return datetime.date(local_today().year - 1, 1, 1)


def last_month() -> datetime.date:
    """The latest month whose bulletin the demo published: the month before last in the
    first days of a month, while last month's last week is still being reported."""
    return rollup_due_period(MONTHLY_BULLETIN, Region.objects.get(code=NINGBO), local_today()).start


def report(kind: str, start: datetime.date, region: str) -> dict:
    return Rollup.objects.current().get(kind=kind, period_start=start, region__code=region).report


def rows(report: dict, key: str) -> list[list]:
    return next(table for table in report["tables"] if table["key"] == key)["rows"]


def summary(report: dict) -> dict:
    return {item["key"]: item["value"] for item in report["summary"]}


def test_last_years_review_passes_most_of_ningbos_alliances_and_finds_a_few_laggards(seeded):  # noqa: F811
    figures = summary(report(ANNUAL_REVIEW, last_year(), NINGBO))

    graded = figures["excellent"] + figures["good"] + figures["fair"] + figures["poor"]
    assert graded == figures["alliances"] >= 40
    assert figures["excellent"] + figures["good"] >= 5
    assert 1 <= figures["poor"] <= graded / 10


def test_a_handful_of_secretaries_lose_their_award_eligibility_in_ningbo(seeded):  # noqa: F811
    review = report(ANNUAL_REVIEW, last_year(), NINGBO)

    ineligible = rows(review, "ineligible")
    assert 1 <= len(ineligible) <= 10
    assert summary(review)["secretaries_ineligible"] == len(ineligible)


def test_kuangyan_south_comes_first_in_cixi_in_the_annual_review(seeded):  # noqa: F811
    # The sources rank it first in its county's year; a month's bulletin ranks whoever led
    # that month (its activities and claims vary from month to month).
    results = rows(report(ANNUAL_REVIEW, last_year(), CIXI), "results")

    assert (results[0][0], results[0][2]) == (1, SHOWCASE)
    assert all(row[0] > 1 for row in results[1:])  # alone at the top


def test_the_last_bulletin_grades_most_alliances_fair_or_better(seeded):  # noqa: F811
    bulletin = report(MONTHLY_BULLETIN, last_month(), NINGBO)

    grades = [row[6] for row in rows(bulletin, "ranking")]
    assert len(grades) >= 40
    assert 1 <= grades.count("较差") <= len(grades) / 5


def test_every_demonstration_alliances_members_have_four_stars_or_more(seeded):  # noqa: F811
    demonstration = Alliance.objects.filter(is_demonstration=True)
    members = Membership.objects.current(local_today()).filter(alliance__in=demonstration)

    assert demonstration.count() >= 10
    assert not members.exclude(organization__star_rating__gte=4).exists()
    assert rows(report(ANNUAL_REVIEW, last_year(), NINGBO), "demonstration_below_four_stars") == []


def test_the_week_just_ended_waits_as_a_draft_for_each_county_to_publish(seeded, client):  # noqa: F811
    from django.contrib.auth import get_user_model

    from core.periods import MONTH, WEEK, Period
    from evaluations.rollups import WEEKLY_DISPATCH
    from members.models import Region
    from workshops.models import Workshop

    week = Period.containing(WEEK, local_today()).previous()
    dispatches = Rollup.objects.filter(kind=WEEKLY_DISPATCH, period_start=week.start)
    counties = set(dispatches.values_list("region__level", flat=True))
    assert counties == {"county"} and dispatches.count() > 10
    assert all(dispatch.is_draft for dispatch in dispatches)
    # Its workshops without the month's figures are the ones the workshop list shows: the
    # demo's figures were filed early in the following month, before the cut-off.
    yinzhou = Region.objects.get(code="330212000000")
    month = Period.containing(MONTH, week.start).previous()
    missing = rows(dispatches.get(region=yinzhou).report, "workshops_missing")
    owing = Workshop.objects.filter(yinzhou.within("region")).owing(month.start)
    assert len(missing) == owing.count() < Workshop.objects.filter(yinzhou.within("region")).count()
    # last month's bulletins are published (but one that waits for a staff score)
    assert Rollup.objects.filter(kind=MONTHLY_BULLETIN, period_start=last_month(), status="published").exists()
    # the county officer meets it first thing among what waits (journey 2.6)
    client.force_login(get_user_model().objects.get(username="yinzhou_county"))
    page = client.get("/evaluations/rollups/?status=draft")
    assert [rollup.kind for rollup in page.context["object_list"]] == [WEEKLY_DISPATCH]
