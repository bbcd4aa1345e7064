"""The benchmark's scoring floor writes the very rows the ORM scoring writes, every metric,
scheme override, veto, staff score and bound result included: its ratio compares like with
like."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from alliances.models import Membership
from benchmarks.scoring_floor import SCORING_FLOOR, floor_params, snapshot
from evaluations import scoring
from evaluations.demo import ensure_scheme
from evaluations.models import Assessment, Indicator, ManualScore, VetoFinding
from evaluations.reports import ensure_scores
from members.periods import MONTH, Period
from tests.factories import AllianceFactory, OrganizationFactory, RegionFactory, township
from tests.factories_operations import ActivityFactory, ClaimFactory, MeetingFactory, NeedFactory
from tests.factories_projects import ProjectFactory
from tests.factories_projects import ReportFactory as ProgressFactory
from tests.factories_workshops import ReportFactory as WorkshopReportFactory
from tests.factories_workshops import WorkshopFactory

pytestmark = pytest.mark.django_db

OCTOBER = Period.parse(MONTH, "2026-10")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, month: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 30, tzinfo=SHANGHAI)


def join(alliance, stars, *, left_on=None):
    organization = OrganizationFactory(region=alliance.lead_region, star_rating=stars)
    Membership.objects.create(
        alliance=alliance, organization=organization, joined_on=datetime.date(2025, 1, 1), left_on=left_on
    )
    return organization


@pytest.fixture
def province(world):
    """Two cities' schemes and a county override; each metric fed for alliance A."""
    ensure_scheme("330900000000", "舟山市考评办法", 2026, {})  # the first id, though the last in the plan
    ensure_scheme("330200000000", "宁波市考评办法", 2026, {})
    ensure_scheme("330212000000", "鄞州区考评细则", 2026, {"D1": 20, "C2": 5})  # county_a's own
    fenghua = RegionFactory(code="330213000000", name="奉化区", parent=world.ningbo)
    alliance_c = AllianceFactory(code="LM-C-1", name="奉化联盟", lead_region=township(fenghua, 1, "岳林街道"))
    AllianceFactory(code="LM-A-9", name="已解散联盟", lead_region=world.town_a, status="dissolved")
    a, a2, b = world.alliance_a, world.alliance_a2, world.alliance_b

    running = ProjectFactory(alliance=a, year=2026, planned_investment=Decimal("1000000"))
    ProjectFactory(alliance=a, year=2026, status="completed", planned_investment=Decimal("500000"))
    ProjectFactory(alliance=a, year=2026, status="cancelled", planned_investment=Decimal("900000"))
    ProjectFactory(alliance=a, year=2025, status="delayed")  # under way: due weekly, not in this year's list
    # On time, late, late (00:30 on Monday in Shanghai, still Sunday in UTC), on time.
    weeks = {5: at(9), 12: at(20), 19: at(26, 0), 26: at(1, 8, month=11)}
    for monday, submitted in weeks.items():
        ProgressFactory(
            project=running,
            period=datetime.date(2026, 10, monday),
            percent_complete=monday * 2,
            investment_to_date=Decimal(monday * 10000),
            submitted_at=submitted,
        )
    ProgressFactory(project=running, period=datetime.date(2026, 11, 2), percent_complete=90)  # after the month
    ProjectFactory(alliance=b, year=2026, planned_investment=Decimal(0))
    ProjectFactory(alliance=alliance_c, year=2026, status="planned", planned_investment=Decimal("300000"))

    shop = WorkshopFactory(alliance=a, region=world.village_a, host=world.org_a)
    WorkshopReportFactory(workshop=shop, month=datetime.date(2026, 10, 1), low_income_employed=7)
    WorkshopReportFactory(workshop=shop, month=datetime.date(2026, 9, 1), low_income_employed=15)
    for kind, day in (("monthly", 10), ("monthly", 20), ("quarterly", 15)):
        MeetingFactory(alliance=a, kind=kind, held_on=datetime.date(2026, 10, day))
    MeetingFactory(alliance=b, kind="quarterly", held_on=datetime.date(2026, 10, 3))  # a month expects none
    for day in (8, 18):
        ActivityFactory(alliance=a, held_on=datetime.date(2026, 10, day))
    claimed_on = datetime.date(2026, 3, 2)
    for status in ("resolved", "claimed", "withdrawn", "resolved"):
        closing = {"closed_on": datetime.date(2026, 6, 1), "note": "已办结"} if status != "claimed" else {}
        ClaimFactory(
            need=NeedFactory(alliance=a, status="claimed"),
            claimant_alliance=b,
            claimed_on=claimed_on,
            status=status,
            started_on=claimed_on if status != "withdrawn" else None,
            **closing,
        )
    staff = world.alice
    staff_scores = [(a, "C2", "2026-09-01", 2), (a, "C2", "2026-10-01", 4), (b, "B1", "2026-10-01", 9)]
    for alliance, code, start, score in staff_scores:
        scheme = "330212000000" if alliance is a else "330900000000"
        ManualScore.objects.create(
            alliance=alliance,
            indicator=ensure_scheme(scheme, "", 2026, {}).indicators.get(code=code),
            period_kind="month",
            period_start=datetime.date.fromisoformat(start),
            score=score,
            evidence="佐证",
            scored_by=staff,
        )
    for alliance, kind, confirmed in ((a2, "show_only", True), (b, "detached", False)):
        VetoFinding.objects.create(
            alliance=alliance, kind=kind, year=2026, note="核查记录", confirmed=confirmed, recorded_by=staff
        )

    shared = join(a, 5)
    Membership.objects.create(alliance=a2, organization=shared, joined_on=datetime.date(2025, 1, 1))
    for alliance, stars in ((a, 3), (a, None), (a2, 4), (b, 2), (alliance_c, 5)):
        join(alliance, stars)
    join(a, 5, left_on=datetime.date(2026, 10, 15))  # left before the month ended
    everywhere = join(a, 4)  # and in alliances under Ningbo's and Zhoushan's schemes: Zhoushan's counts
    for alliance in (alliance_c, b):
        Membership.objects.create(alliance=alliance, organization=everywhere, joined_on=datetime.date(2025, 1, 1))
    return world.province_zj


def scores(params):
    with connection.cursor() as cursor:
        return snapshot(cursor, params)


def wipe(params):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM evaluations_indicatorscore i USING evaluations_assessment s WHERE s.id = i.assessment_id "
            "AND s.period_kind = %(kind)s AND s.period_start = %(start)s",
            params,
        )
        for table in ("evaluations_assessment", "evaluations_memberresult"):
            cursor.execute(f"DELETE FROM {table} WHERE period_kind = %(kind)s AND period_start = %(start)s", params)  # noqa: S608
        cursor.execute("UPDATE evaluations_assessmentscheme SET is_frozen = false")


def run_floor(params):
    with connection.cursor() as cursor:
        cursor.execute(SCORING_FLOOR, params)
        return cursor.fetchone()


@pytest.mark.parametrize("final", [False, True])
def test_the_floor_writes_the_rows_the_orm_scoring_writes(province, world, final):
    params = floor_params(OCTOBER, province, now=timezone.now(), zone=settings.TIME_ZONE, final=final)
    ensure_scores(OCTOBER, province, final=final)
    by_orm = scores(params)
    wipe(params)

    written = run_floor(params)

    assert scores(params) == by_orm
    # 4 alliances (not the dissolved one) × 10 indicators, 9 current members; a final
    # assessment freezes the 3 schemes in use (鄞州's own, Ningbo's for 奉化, Zhoushan's)
    assert written == (4, 0, 0, 40, 9, 3 if final else 0)
    assert len(by_orm["frozen schemes"]) == (3 if final else 0)
    attainment = dict(
        Assessment.objects.get(alliance=world.alliance_a, period_start=OCTOBER.start).indicator_scores.values_list(
            "indicator__code", "attainment"
        )
    )
    assert all(attainment[code] > 0 for code in ("C1", "C2", "D1", "D2", "D3", "S1", "S2", "G1")), attainment


def test_the_floor_leaves_unchanged_scores_alone_and_mends_changed_ones(province, world):
    params = floor_params(OCTOBER, province, now=timezone.now(), zone=settings.TIME_ZONE)
    ensure_scores(OCTOBER, province)
    assert run_floor(params) == (4, 0, 0, 0, 0, 0)  # assessments are always touched (computed_at), nothing else

    ProgressFactory(project=world.alliance_b.projects.get(), period=datetime.date(2026, 10, 12), submitted_at=at(13))
    written = run_floor(params)
    by_floor = scores(params)
    ensure_scores(OCTOBER, province)

    assert written[3] >= 1
    assert scores(params) == by_floor


class Rollback(Exception):
    pass


def test_scoring_one_county_reranks_its_city_as_the_orm_does(province, world):
    everything = floor_params(OCTOBER, province, now=timezone.now(), zone=settings.TIME_ZONE)
    ensure_scores(OCTOBER, province)
    fenghua_rank = Assessment.objects.get(alliance__code="LM-C-1", period_start=OCTOBER.start).city_rank
    # A2 loses its veto and gains a staff score: it climbs above 奉化's alliance in Ningbo.
    VetoFinding.objects.filter(alliance=world.alliance_a2).delete()
    ManualScore.objects.create(
        alliance=world.alliance_a2,
        indicator=Indicator.objects.get(scheme__region__code="330212000000", scheme__year=2026, code="B1"),
        period_kind="month",
        period_start=OCTOBER.start,
        score=10,
        evidence="佐证",
        scored_by=world.alice,
    )
    with pytest.raises(Rollback), transaction.atomic():
        ensure_scores(OCTOBER, world.county_a)
        by_orm = scores(everything)
        raise Rollback

    written = run_floor(floor_params(OCTOBER, world.county_a, now=timezone.now(), zone=settings.TIME_ZONE))

    assert scores(everything) == by_orm
    assert written[:2] == (2, 1)  # county A's 2 alliances scored; 奉化's re-ranked in the city
    assert Assessment.objects.get(alliance__code="LM-C-1", period_start=OCTOBER.start).city_rank == fenghua_rank + 1


def test_scores_written_one_alliance_at_a_time_are_the_same(province, monkeypatch):
    params = floor_params(OCTOBER, province, now=timezone.now(), zone=settings.TIME_ZONE)
    run_floor(params)
    by_floor = scores(params)
    wipe(params)
    monkeypatch.setattr(scoring, "WRITE_BATCH", 1)

    ensure_scores(OCTOBER, province)

    assert scores(params) == by_floor
