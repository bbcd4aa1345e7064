"""Scoring rules beyond the indicators: a staff score not given yet is pending, a 季观摩
visit score feeds the quarter and the year by the scheme's weight, a demonstration
alliance's members must all have four stars, standing figures skip returned reports, and
every figure shown rounds half up (docs/indicators.md).

Each figure is also worked out a second time by hand from the rows the test made."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model

from alliances.models import Membership
from core.periods import MONTH, QUARTER, YEAR, Period
from evaluations import scoring
from evaluations.drafts import pending_scores
from evaluations.models import Assessment, AssessmentScheme, Indicator, ManualScore, ObservationVisit, Rollup
from evaluations.reports import annual_review, monthly_bulletin, quarterly_observation
from evaluations.rollups import QUARTERLY_OBSERVATION
from projects.models import Project
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.evaluations.hand import assessed_by_hand
from tests.members.factories import OrganizationFactory
from tests.projects.factories import ProjectFactory, ReportFactory
from tests.workshops.factories import ReportFactory as WorkshopReportFactory
from tests.workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

YEAR_2025 = Period.parse(YEAR, "2025")
Q3_2025 = Period.parse(QUARTER, "2025-Q3")


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def half_up(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def scheme_2025(world, **options) -> AssessmentScheme:
    """Ningbo's active 2025 scheme, with no member part unless told."""
    options.setdefault("member_weight", Decimal(0))
    return AssessmentScheme.objects.create(name="宁波", region=world.ningbo, year=2025, status="active", **options)


def manual_indicator(scheme, code: str, max_score: int = 10) -> Indicator:
    return Indicator.objects.create(scheme=scheme, dimension="brand", code=code, name=code, max_score=max_score)


def give(alliance, indicator, score, kind: str = "year", start: str = "2025-01-01") -> None:
    ManualScore.objects.create(
        alliance=alliance,
        indicator=indicator,
        period_kind=kind,
        period_start=d(start),
        score=score,
        scored_by=User.objects.get(username="alice"),
    )


def assessment_of(alliance, period: Period) -> Assessment:
    return Assessment.objects.get(alliance=alliance, period_kind=period.kind, period_start=period.start)


def score(world, period: Period) -> None:
    scoring.score_regions({AssessmentScheme.objects.get(): [world.county_a]}, period)


# ------------------------------------------------------------------- pending staff scores


def test_a_missing_staff_score_is_pending_and_leaves_the_total_provisional_not_zero(world):
    scheme = scheme_2025(world)
    brand, cohesion = manual_indicator(scheme, "B1", 10), manual_indicator(scheme, "C2", 30)
    give(world.alliance_a, brand, 8)
    give(world.alliance_a, cohesion, 15)
    give(world.alliance_a2, brand, 8)  # C2 not scored yet

    score(world, YEAR_2025)

    complete, waiting = assessment_of(world.alliance_a, YEAR_2025), assessment_of(world.alliance_a2, YEAR_2025)
    # By hand: (8 + 15) / (10 + 30); the other one is judged on B1 alone until C2 is scored.
    assert complete.total_score == half_up(Decimal(23) / 40 * 100) == Decimal("57.50")
    assert (complete.pending_indicators, complete.is_provisional) == (0, False)
    assert waiting.total_score == half_up(Decimal(8) / 10 * 100) == Decimal("80.00")  # not 8 / 40 = 20
    assert (waiting.pending_indicators, waiting.is_provisional) == (1, True)
    assert list(waiting.indicator_scores.values_list("indicator__code", flat=True)) == ["B1"]
    shown = [(r.indicator.code, r.status, r.label, r.score) for r in scoring.indicator_results(waiting)]
    assert shown == [("B1", "scored", "", Decimal("8.00")), ("C2", "pending", "待评分", None)]


def test_once_staff_give_the_score_the_indicator_counts_and_the_total_is_final(world):
    scheme = scheme_2025(world)
    brand = manual_indicator(scheme, "B1", 10)
    score(world, YEAR_2025)
    assert assessment_of(world.alliance_a, YEAR_2025).pending_indicators == 1

    give(world.alliance_a, brand, 6)
    score(world, YEAR_2025)

    assessment = assessment_of(world.alliance_a, YEAR_2025)
    assert (assessment.pending_indicators, assessment.total_score) == (0, Decimal("60.00"))


def test_an_alliance_founded_after_the_period_or_still_forming_is_not_assessed_for_it(world):
    scheme = scheme_2025(world)
    brand = manual_indicator(scheme, "B1", 10)
    world.alliance_a2.founded_on = d("2026-02-01")
    world.alliance_a2.save()
    forming = AllianceFactory(lead_region=world.town_a, status="forming", founded_on=d("2025-03-01"))
    for alliance in (world.alliance_a, world.alliance_a2, forming):
        give(alliance, brand, 8)

    score(world, YEAR_2025)

    assert list(Assessment.objects.values_list("alliance_id", flat=True)) == [world.alliance_a.pk]


def at_shanghai(text: str) -> datetime.datetime:
    day = datetime.date.fromisoformat(text)
    return datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def change(alliance, status: str, on: str) -> None:
    """The alliance's status changed on the day (its history row dated then)."""
    alliance.status = status
    alliance._history_date = at_shanghai(on)
    alliance.save()


def test_which_alliances_are_assessed_follows_their_status_at_the_periods_end_not_today(world):
    """2025's review, produced again in 2026: an alliance dissolved in 2026 was running at the
    end of 2025 and is assessed; one still forming then and running since is not, nor one
    dissolved in November 2025. Each change is dated in the alliance's history
    (simple_history dates a change with ``_history_date``; the history table refuses any
    update); an alliance with no history before the end counts as it is today."""
    scheme = scheme_2025(world)
    brand = manual_indicator(scheme, "B1", 10)

    change(world.alliance_a2, "active", "2025-01-10")
    change(world.alliance_a2, "dissolved", "2026-02-01")
    formed_later = AllianceFactory.build(lead_region=world.town_a, founded_on=d("2025-03-01"))
    change(formed_later, "forming", "2025-03-01")
    change(formed_later, "active", "2026-02-01")
    dissolved_in_2025 = AllianceFactory.build(lead_region=world.town_a, founded_on=d("2024-03-01"))
    change(dissolved_in_2025, "active", "2024-03-01")
    change(dissolved_in_2025, "dissolved", "2025-11-20")
    for alliance in (world.alliance_a, world.alliance_a2, formed_later, dissolved_in_2025):
        give(alliance, brand, 8)

    score(world, YEAR_2025)

    assessed = set(Assessment.objects.values_list("alliance_id", flat=True))
    assert assessed == {world.alliance_a.pk, world.alliance_a2.pk}
    assert assessed == assessed_by_hand(YEAR_2025, "330212")


def test_scoring_again_after_a_correction_drops_the_assessment_of_an_alliance_no_longer_assessed(world):
    """2025 scored, then alliance_a2's founding corrected to 2026: scored again (a corrected
    review), it has no 2025 assessment left to be ranked, and the ranks close up."""
    scheme = scheme_2025(world)
    brand = manual_indicator(scheme, "B1", 10)
    give(world.alliance_a, brand, 6)
    give(world.alliance_a2, brand, 9)
    score(world, YEAR_2025)
    assert assessment_of(world.alliance_a, YEAR_2025).county_rank == 2

    world.alliance_a2.founded_on = d("2026-02-01")
    world.alliance_a2.save()
    score(world, YEAR_2025)

    kept = set(Assessment.objects.filter(period_start=YEAR_2025.start).values_list("alliance_id", flat=True))
    assert kept == assessed_by_hand(YEAR_2025, "330212") == {world.alliance_a.pk}
    assert assessment_of(world.alliance_a, YEAR_2025).county_rank == 1


def test_scoring_again_drops_the_result_of_a_member_whose_membership_was_corrected_away(world):
    """A member's 2025 result, then its joining day corrected to 2026: scored again, it has
    no 2025 result left (which would have kept proposing it for losing 两优一先); a member of
    an alliance of another county keeps its own."""
    from evaluations.models import MemberResult

    manual_indicator(scheme_2025(world), "B1", 10)
    corrected = OrganizationFactory(name="更正入盟日期的村党委", region=world.village_a, star_rating=3)
    membership = MembershipFactory(alliance=world.alliance_a, organization=corrected, joined_on=d("2025-03-01"))
    elsewhere = OrganizationFactory(name="外县联盟成员", region=world.village_a, star_rating=3)
    MembershipFactory(alliance=world.alliance_b, organization=elsewhere, joined_on=d("2025-03-01"))
    MemberResult.objects.create(
        organization=elsewhere, period_kind="year", period_start=YEAR_2025.start, own_score=60, total_score=60
    )
    score(world, YEAR_2025)
    assert MemberResult.objects.filter(organization=corrected, period_start=YEAR_2025.start).exists()

    membership.joined_on = d("2026-02-01")
    membership.save()
    score(world, YEAR_2025)

    results = set(MemberResult.objects.filter(period_start=YEAR_2025.start).values_list("organization_id", flat=True))
    # By hand: the members on 31 December 2025 of the county's alliances, and the result of
    # the other county's member, which this county's scoring does not write.
    members = {
        m.organization_id
        for m in Membership.objects.filter(alliance__lead_region__code__startswith="330212")
        if m.joined_on <= d("2025-12-31") and (m.left_on is None or m.left_on > d("2025-12-31"))
    }
    assert results == members | {elsewhere.pk}
    assert corrected.pk not in results


def test_a_drafts_pending_staff_scores_are_those_of_the_alliances_the_period_assesses(world):
    """The staff scores a draft waits for (and whose waiver publication asks) belong to the
    alliances its figures assess: an alliance dissolved after the period's end still owes
    its score; one still forming at the end, or founded after it, owes none."""
    scheme = scheme_2025(world)
    manual_indicator(scheme, "B1", 10)

    change(world.alliance_a2, "active", "2025-01-10")
    change(world.alliance_a2, "dissolved", "2026-02-01")
    still_forming = AllianceFactory(lead_region=world.town_a, status="forming", founded_on=d("2025-03-01"))
    founded_later = AllianceFactory(lead_region=world.town_a, founded_on=d("2026-01-05"))

    owing = {item.alliance.pk for item in pending_scores(YEAR_2025, world.county_a)}

    assert world.alliance_a2.pk in owing
    assert still_forming.pk not in owing and founded_later.pk not in owing
    assert owing == assessed_by_hand(YEAR_2025, world.county_a.prefix)


# ------------------------------------------------------------------- visit scores


def observation_with_visit(world, alliance, visit_score, quarter: Period = Q3_2025) -> ObservationVisit:
    rollup = Rollup.objects.create(
        kind=QUARTERLY_OBSERVATION,
        period_key=quarter.key,
        period_start=quarter.start,
        region=world.county_a,
        report={"tables": [{"key": "laggards", "rows": [[alliance.code]]}]},
    )
    return ObservationVisit.objects.create(
        rollup=rollup,
        alliance=alliance,
        visited_on=quarter.end + datetime.timedelta(days=10),
        score=visit_score,
        scored_by=User.objects.get(username="alice"),
    )


@pytest.fixture
def visited(world):
    """Alliance A scored 80 on its only indicator all year, visited after Q3 and scored 50."""
    scheme = scheme_2025(world, visit_weight=Decimal("0.2"))
    brand = manual_indicator(scheme, "B1", 100)
    for alliance in (world.alliance_a, world.alliance_a2):
        give(alliance, brand, 80)
    observation_with_visit(world, world.alliance_a, 50)
    return scheme


def test_a_visit_score_feeds_its_quarter_by_the_schemes_visit_weight(world, visited):
    score(world, Q3_2025)

    visited_one, other = assessment_of(world.alliance_a, Q3_2025), assessment_of(world.alliance_a2, Q3_2025)
    assert visited_one.total_score == half_up(Decimal("0.8") * 80 + Decimal("0.2") * 50) == Decimal("74.00")
    assert visited_one.visit_score == Decimal("50.00")
    assert (other.total_score, other.visit_score) == (Decimal("80.00"), None)  # not visited: unchanged


def test_the_year_takes_the_average_of_its_quarters_visits_and_a_month_none(world, visited):
    observation_with_visit(world, world.alliance_a, 70, Period.parse(QUARTER, "2025-Q1"))
    september = Period.parse(MONTH, "2025-09")

    score(world, YEAR_2025)
    score(world, september)

    year = assessment_of(world.alliance_a, YEAR_2025)
    assert year.visit_score == Decimal("60.00")  # (50 + 70) / 2
    assert year.total_score == half_up(Decimal("0.8") * 80 + Decimal("0.2") * 60) == Decimal("76.00")
    assert assessment_of(world.alliance_a, september).total_score == Decimal("80.00")


def test_the_quarterly_observation_shows_the_score_with_its_visit(world, visited):
    tables = quarterly_observation(Q3_2025, world.county_a)["tables"]

    shown = {row[0]: row[4] for table in tables for row in table["rows"]}
    assert shown[world.alliance_a.code] == "74.00"


def test_a_scheme_with_no_visit_weight_ignores_visits(world):
    scheme = scheme_2025(world, visit_weight=Decimal(0))
    give(world.alliance_a, manual_indicator(scheme, "B1", 100), 80)
    observation_with_visit(world, world.alliance_a, 10)

    score(world, Q3_2025)

    assert assessment_of(world.alliance_a, Q3_2025).total_score == Decimal("80.00")


# ------------------------------------------------------------------- the four-star rule


@pytest.fixture
def demonstration_county(world):
    """Two excellent demonstration alliances of county A (95 and 94; two candidates a
    county): A's members all have four stars or more, A2 has a three-star member."""
    scheme = scheme_2025(world, demonstration_top_n=2)
    brand = manual_indicator(scheme, "B1", 100)
    for alliance, total in ((world.alliance_a, 95), (world.alliance_a2, 94)):
        alliance.is_demonstration, alliance.demonstration_year = True, 2024
        alliance.save()
        give(alliance, brand, total)
    MembershipFactory(alliance=world.alliance_a, organization=OrganizationFactory(name="五星村党委", star_rating=5))
    MembershipFactory(alliance=world.alliance_a2, organization=OrganizationFactory(name="四星村党委", star_rating=4))
    MembershipFactory(alliance=world.alliance_a2, organization=OrganizationFactory(name="三星村党委", star_rating=3))
    return scheme


def test_a_demonstration_alliance_with_a_member_below_four_stars_is_flagged_in_the_annual_review(
    world, demonstration_county
):
    report = annual_review(YEAR_2025, world.county_a)

    flagged = next(t for t in report["tables"] if t["key"] == "demonstration_below_four_stars")["rows"]
    assert flagged == [[world.alliance_a2.code, world.alliance_a2.name, "三星村党委", 3]]
    summary = {item["key"]: item["value"] for item in report["summary"]}
    assert summary["demonstration_below_four_stars"] == 1


def test_the_annual_review_reads_the_demonstration_flag_as_it_stood_at_the_years_end(world, demonstration_county):
    """A2 was a demonstration alliance when 2025 ended and lost the title in 2026: 2025's
    review, produced again, still lists its three-star member; had it become one only in
    2026, it would not."""
    world.alliance_a2._history_date = at_shanghai("2025-06-01")
    world.alliance_a2.save()  # a demonstration alliance in 2025's history
    world.alliance_a2.is_demonstration, world.alliance_a2.demonstration_year = False, None
    world.alliance_a2._history_date = at_shanghai("2026-03-01")
    world.alliance_a2.save()

    report = annual_review(YEAR_2025, world.county_a)

    flagged = next(t for t in report["tables"] if t["key"] == "demonstration_below_four_stars")["rows"]
    assert flagged == [[world.alliance_a2.code, world.alliance_a2.name, "三星村党委", 3]]


def test_a_demonstration_candidate_has_all_its_members_at_four_stars_or_more(world, demonstration_county):
    report = annual_review(YEAR_2025, world.county_a)

    results = next(t for t in report["tables"] if t["key"] == "results")["rows"]
    candidates = [row[1] for row in results if row[5].startswith("示范候选")]  # proposed, pending staff
    assert candidates == [world.alliance_a.code]  # A2 ranks second, within the two slots, but has a 3-star member


def test_the_bound_part_reads_each_members_stars_as_they_stood_at_the_periods_end(world):
    """Rated four stars when 2025 ended and two since 2026: 2025's four-star share, average
    own score and the member's own result, computed again today, still read four; a member
    with no history before the end counts as rated today. Worked out again by hand from the
    history rows."""
    from evaluations.models import MemberResult
    from members.models import MemberOrganization

    manual_indicator(scheme_2025(world), "B1", 10)
    rated = OrganizationFactory.build(name="四星转二星村党委", region=world.village_a, star_rating=4)
    rated._history_date = at_shanghai("2025-02-01")
    rated.save()
    rated.star_rating = 2
    rated._history_date = at_shanghai("2026-01-15")
    rated.save()
    MembershipFactory(alliance=world.alliance_a, organization=rated, joined_on=d("2025-01-01"))

    score(world, YEAR_2025)

    end, last_day = at_shanghai("2026-01-01").replace(hour=0), d("2025-12-31")
    stars = {}
    for membership in world.alliance_a.memberships.select_related("organization"):
        if membership.joined_on > last_day or (membership.left_on and membership.left_on <= last_day):
            continue
        before = MemberOrganization.history.filter(id=membership.organization_id, history_date__lt=end)
        latest = before.order_by("history_date").last()
        stars[membership.organization_id] = latest.star_rating if latest else membership.organization.star_rating
    assert stars[rated.pk] == 4 and len(stars) >= 2
    assessment = assessment_of(world.alliance_a, YEAR_2025)
    four_star = sum(1 for value in stars.values() if (value or 0) >= 4)
    assert float(assessment.four_star_share) == pytest.approx(four_star / len(stars), abs=1e-4)
    rated_ones = [value for value in stars.values() if value is not None]
    assert assessment.member_average == half_up(Decimal(sum(rated_ones)) / len(rated_ones) * 20)
    assert MemberResult.objects.get(organization=rated, period_start=YEAR_2025.start).own_score == Decimal("80.00")


# ------------------------------------------------------------------- investment to date


def test_investment_to_date_skips_a_returned_report_as_scoring_does(world):
    project = ProjectFactory(alliance=world.alliance_a, year=2025, start_on=d("2025-01-06"), planned_investment=1000)
    ReportFactory(project=project, period=d("2025-03-03"), investment_to_date=Decimal(300), status="accepted")
    ReportFactory(
        project=project,
        period=d("2025-03-10"),
        investment_to_date=Decimal(900),
        status="returned",
        review_comment="数字有误",
    )
    ReportFactory(project=project, period=d("2025-04-07"), investment_to_date=Decimal(500))  # after March

    march = Project.objects.with_investment_to_date(before=d("2025-04-01")).get()
    today = Project.objects.with_investment_to_date().get()

    assert march.spent == Decimal(300)  # the returned 900 was not accepted
    assert today.spent == Decimal(500)
    bulletin = monthly_bulletin(Period.parse(MONTH, "2025-03"), world.county_a)
    shown = {item["key"]: item["value"] for item in bulletin["summary"]}
    scored = scoring.METRICS["investment_vs_target"].compute(
        Project.objects.values("alliance"), Period.parse(MONTH, "2025-03"), None
    )
    assert shown["investment_to_date"] == "300.00"
    assert shown["investment_rate"] == "30.0"
    assert scored[world.alliance_a.pk] == Decimal("0.3000")


# ------------------------------------------------------------------- rounding


def test_the_bulletins_average_income_rounds_half_up(world):
    """Two workshops of one person each, 1000.01 and 1000.00 a month: 1000.005, shown
    1000.01 (half even would show 1000.00)."""
    for income in ("1000.01", "1000.00"):
        WorkshopReportFactory(
            workshop=WorkshopFactory(region=world.village_a),
            month=d("2025-03-01"),
            employed=1,
            low_income_employed=0,
            income_increase_per_person=Decimal(income),
        )
    AssessmentScheme.objects.create(name="宁波", region=world.ningbo, year=2025, status="active")

    bulletin = monthly_bulletin(Period.parse(MONTH, "2025-03"), world.county_a)

    shown = {item["key"]: item["value"] for item in bulletin["summary"]}
    weighted = sum(Decimal(i) for i in ("1000.01", "1000.00")) / 2
    assert shown["workshop_income_increase"] == str(half_up(weighted)) == "1000.01"
