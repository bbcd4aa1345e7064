"""Bound assessment arithmetic, vetoes, grades and ranks on a small hand-checked example."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.models import Alliance, Membership
from core.periods import YEAR, Period
from demo.evaluations import ensure_scheme
from evaluations import scoring
from evaluations.drafts import pending_scores
from evaluations.models import (
    Assessment,
    AssessmentScheme,
    Indicator,
    IndicatorScore,
    ManualScore,
    MemberResult,
    VetoFinding,
)
from evaluations.reports import ensure_scores
from members.models import MemberOrganization
from tests.alliances.factories import AllianceFactory
from tests.members.factories import OrganizationFactory, RegionFactory, township

pytestmark = pytest.mark.django_db

PERIOD = Period.parse(YEAR, "2025")


@pytest.fixture
def scheme(world, monkeypatch):
    """A city scheme with one computed indicator (max 60) and one manual indicator (max 40)."""
    scheme = AssessmentScheme.objects.create(
        name="宁波市2025年度考评",
        region=world.ningbo,
        year=2025,
        status="active",
        member_weight=Decimal("0.2"),
        four_star_weight=Decimal("0.5"),
        alliance_weight_for_members=Decimal("0.3"),
    )
    Indicator.objects.create(
        scheme=scheme,
        dimension="development",
        code="D1",
        name="项目完成率",
        metric="project_completion",
        max_score=60,
        weight=1,
    )
    Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌影响", max_score=40, weight=1)
    attainments = {world.alliance_a.pk: Decimal("0.5"), world.alliance_a2.pk: Decimal("1")}
    monkeypatch.setitem(scoring.METRICS, "project_completion", scoring.Metric(lambda *_: attainments))
    return scheme


def add_members(alliance, stars):
    for n, star in enumerate(stars):
        org = OrganizationFactory(name=f"{alliance.code}-成员{n}", region=alliance.lead_region, star_rating=star)
        Membership.objects.create(alliance=alliance, organization=org, joined_on=datetime.date(2024, 1, 1))


def test_bound_assessment_arithmetic_matches_a_hand_computation(world, scheme):
    # alliance A: already has org_a (4 stars) as lead; add 5, 3 and unrated -> stars 4,5,3,None
    add_members(world.alliance_a, [5, 3, None])
    ManualScore.objects.create(
        alliance=world.alliance_a,
        indicator=scheme.indicators.get(code="B1"),
        period_kind="year",
        period_start=PERIOD.start,
        score=30,
        evidence="路演获奖",
        scored_by=world.alice,
    )
    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    a = Assessment.objects.get(alliance=world.alliance_a)
    # base = (60*0.5 + 40*30/40) / 100 * 100 = 60
    assert a.base_score == Decimal("60.00")
    # members: 4 organizations, 2 with >=4 stars -> 0.5; average of rated stars (4+5+3)/3 = 4 -> 80
    assert a.four_star_share == Decimal("0.5000")
    assert a.member_average == Decimal("80.00")
    # total = 0.8*60 + 0.2*(0.5*50 + 0.5*80) = 48 + 13 = 61
    assert a.total_score == Decimal("61.00")
    assert a.grade == "fair"


def test_member_result_is_bound_to_its_alliance(world, scheme):
    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    total_a = Assessment.objects.get(alliance=world.alliance_a).total_score
    result = MemberResult.objects.get(organization=world.org_a)
    assert result.own_score == Decimal("80.00")  # 4 stars
    assert result.total_score == (Decimal("0.7") * 80 + Decimal("0.3") * total_a).quantize(Decimal("0.01"))


def test_a_members_alliance_average_rounds_half_up_like_every_other_score(world, scheme, monkeypatch):
    shared = OrganizationFactory(name="共建企业党支部", region=world.town_a, star_rating=5)
    for alliance in (world.alliance_a, world.alliance_a2):
        Membership.objects.create(alliance=alliance, organization=shared, joined_on=datetime.date(2024, 1, 1))
    for alliance in (world.alliance_a, world.alliance_a2):  # scored 0 by staff (a missing score is pending)
        ManualScore.objects.create(
            alliance=alliance,
            indicator=scheme.indicators.get(code="B1"),
            period_kind="year",
            period_start=PERIOD.start,
            score=0,
            evidence="未开展",
            scored_by=world.alice,
        )
    attainments = {world.alliance_a.pk: Decimal("0.5"), world.alliance_a2.pk: Decimal("0.5002")}
    monkeypatch.setitem(scoring.METRICS, "project_completion", scoring.Metric(lambda *_: attainments))

    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)

    # A: 0.8 × 30 + 0.2 × (0.5 × 100 + 0.5 × 90) = 43.00; A2: 0.8 × 30.012 + 0.2 × 100 = 44.0096 -> 44.01
    totals = [Assessment.objects.get(alliance=a).total_score for a in (world.alliance_a, world.alliance_a2)]
    assert totals == [Decimal("43.00"), Decimal("44.01")]
    result = MemberResult.objects.get(organization=shared)
    assert result.alliance_average == Decimal("43.51")  # (43.00 + 44.01) / 2 = 43.505, half up as the totals
    assert result.total_score == Decimal("83.05")  # 0.7 × 100 + 0.3 × 43.505 = 83.0515


def test_a_confirmed_veto_fails_an_alliance_whatever_its_score(world, scheme):
    ManualScore.objects.create(
        alliance=world.alliance_a2,
        indicator=scheme.indicators.get(code="B1"),
        period_kind="year",
        period_start=PERIOD.start,
        score=40,
        evidence="全国示范",
        scored_by=world.alice,
    )
    VetoFinding.objects.create(
        alliance=world.alliance_a2,
        kind="show_only",
        year=2025,
        note="联在纸上",
        confirmed=True,
        recorded_by=world.alice,
    )
    VetoFinding.objects.create(
        alliance=world.alliance_a, kind="detached", year=2025, note="待核实", confirmed=False, recorded_by=world.alice
    )
    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    vetoed = Assessment.objects.get(alliance=world.alliance_a2)
    other = Assessment.objects.get(alliance=world.alliance_a)
    assert vetoed.base_score == Decimal("100.00")
    assert (vetoed.vetoed, vetoed.grade) == (True, "poor")
    assert vetoed.county_rank == 2 and other.county_rank == 1  # an unconfirmed finding changes nothing
    assert other.vetoed is False


def test_members_of_a_failing_alliance_lose_award_eligibility(world, scheme):
    VetoFinding.objects.create(
        alliance=world.alliance_a,
        kind="forced_pairing",
        year=2025,
        note="拉郎配",
        confirmed=True,
        recorded_by=world.alice,
    )
    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    assert MemberResult.objects.get(organization=world.org_a).loses_award_eligibility is True


def test_rescoring_updates_in_place_and_final_freezes_the_scheme(world, scheme):
    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a, final=True)
    assert Assessment.objects.filter(period_start=PERIOD.start).count() == 2
    scheme.refresh_from_db()
    assert scheme.is_frozen is True


def test_scoring_runs_the_same_number_of_queries_for_2_and_40_alliances(world, scheme, django_assert_num_queries):
    with CaptureQueriesContext(connection) as small:
        scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)

    for n in range(38):
        AllianceFactory(lead_region=world.town_a, code=f"LM-Q-{n}")
    MemberOrganization.objects.update(star_rating=5)
    with CaptureQueriesContext(connection) as large:
        scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert Assessment.objects.filter(period_start=PERIOD.start).count() == 40


def test_rescoring_under_another_scheme_drops_only_that_alliances_old_indicator_scores(world, scheme):
    def new_scheme(region, code):
        created = AssessmentScheme.objects.create(name=f"{region.name}考评", region=region, year=2025, status="active")
        Indicator.objects.create(
            scheme=created, dimension="services", code=code, name="办结", metric="claims_resolved", max_score=10
        )
        return AssessmentScheme.objects.get(pk=created.pk)  # the weights as the database holds them

    def codes(alliance):
        scores = IndicatorScore.objects.filter(assessment__alliance=alliance)
        return set(scores.values_list("indicator__code", flat=True))

    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    scoring.score_region(scheme=new_scheme(world.county_b.parent, "Z1"), period=PERIOD, region=world.county_b)

    scoring.score_region(scheme=new_scheme(world.county_a, "Y1"), period=PERIOD, region=world.county_a)

    assert codes(world.alliance_a) == codes(world.alliance_a2) == {"Y1"}  # D1 and B1 of the city scheme are gone
    assert codes(world.alliance_b) == {"Z1"}  # another county's scores are left alone


def test_rescoring_under_a_scheme_without_indicators_drops_every_indicator_score(world, scheme):
    scoring.score_region(scheme=scheme, period=PERIOD, region=world.county_a)
    empty = AssessmentScheme.objects.create(name="暂无指标", region=world.county_a, year=2025, status="active")

    scoring.score_region(scheme=AssessmentScheme.objects.get(pk=empty.pk), period=PERIOD, region=world.county_a)

    assessed = Assessment.objects.filter(alliance=world.alliance_a, period_start=PERIOD.start).get()
    assert assessed.scheme_id == empty.pk and assessed.base_score == 0
    assert not IndicatorScore.objects.filter(assessment__alliance__in=[world.alliance_a, world.alliance_a2]).exists()


def test_a_county_override_wins_over_the_city_default(world, scheme):
    override = AssessmentScheme.objects.create(name="鄞州区细则", region=world.county_a, year=2025, status="active")
    assert AssessmentScheme.objects.for_region(world.town_a, 2025) == override
    assert AssessmentScheme.objects.for_region(world.county_b, 2025) is None
    assert AssessmentScheme.objects.for_region(world.ningbo, 2025) == scheme


def test_schemes_of_many_regions_are_found_with_one_query(world, scheme, django_assert_num_queries):
    override = AssessmentScheme.objects.create(name="鄞州区细则", region=world.county_a, year=2025, status="active")
    regions = [world.town_a, world.county_a, world.county_b, world.ningbo]
    with django_assert_num_queries(1):
        found = AssessmentScheme.objects.for_regions(regions, 2025)
    assert found == {region: AssessmentScheme.objects.for_region(region, 2025) for region in regions}
    assert found[world.town_a] == override
    assert found[world.county_b] is None


@pytest.mark.parametrize(
    "names",
    [
        ["town_a", "town_a2"],  # their nearest common ancestor is county A
        ["town_a", "county_a", "county_b", "ningbo"],  # across two cities: the province
        ["county_b"],
    ],
)
def test_schemes_found_together_are_those_each_region_finds_alone(world, names):
    """Schemes on the province, a city, a county and a township: each region gets the
    nearest on its own lineage, never a sibling's under the same ancestor."""
    town_a2 = world.alliance_a2.lead_region  # 云龙镇, county A's other township
    schemes = [
        AssessmentScheme.objects.create(name=name, region=region, year=2025, status="active")
        for name, region in [
            ("省办法", world.province_zj),
            ("宁波市办法", world.ningbo),
            ("鄞州区细则", world.county_a),
            ("云龙镇细则", town_a2),
        ]
    ]
    AssessmentScheme.objects.create(name="往年办法", region=world.county_b, year=2024, status="active")
    regions = [town_a2 if name == "town_a2" else getattr(world, name) for name in names]

    found = AssessmentScheme.objects.for_regions(regions, 2025)

    alone = {region: AssessmentScheme.objects.for_region(region, 2025) for region in regions}
    assert found == alone
    assert found.get(world.town_a, schemes[2]) == schemes[2] and found.get(town_a2, schemes[3]) == schemes[3]
    assert found.get(world.county_b, schemes[0]) == schemes[0]  # the province's, not another year's


def city_with_counties(world, count: int, first: int = 40) -> None:
    """``count`` more counties of Ningbo (codes from 3302<first>), each with one alliance
    led from a township."""

    for n in range(first, first + count):
        county = RegionFactory(code=f"3302{n:02d}000000", name=f"测试县{n}", parent=world.ningbo)
        AllianceFactory(lead_region=township(county), code=f"LM-C{n}")


def test_a_city_is_scored_under_each_countys_scheme_and_ranked_once(world, scheme):
    override = AssessmentScheme.objects.create(
        name="鄞州区细则", region=world.county_a, year=2025, status="active", member_weight=Decimal("0")
    )
    Indicator.objects.create(scheme=override, dimension="brand", code="B1", name="品牌", max_score=100, weight=1)
    city_with_counties(world, 2)

    assert ensure_scores(PERIOD, world.ningbo) == []

    assessments = Assessment.objects.filter(period_start=PERIOD.start)
    in_county_a = assessments.filter(alliance__lead_region__code__startswith="330212")
    assert set(in_county_a.values_list("scheme", flat=True)) == {override.pk}
    assert set(assessments.exclude(pk__in=in_county_a).values_list("scheme", flat=True)) == {scheme.pk}
    assert assessments.count() == 4  # A1 and A2 in county A, one alliance in each new county
    # City ranks run across both schemes' alliances: 1..4 with ties sharing a rank.
    assert min(assessments.values_list("city_rank", flat=True)) == 1
    assert all(rank is not None for rank in assessments.values_list("city_rank", flat=True))


def test_scoring_a_city_does_not_take_more_queries_for_more_counties(world, scheme):
    city_with_counties(world, 1)
    with CaptureQueriesContext(connection) as few:
        ensure_scores(PERIOD, world.ningbo)
    city_with_counties(world, 6, first=60)
    with CaptureQueriesContext(connection) as many:
        ensure_scores(PERIOD, world.ningbo)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_scoring_under_more_schemes_takes_no_more_queries(world):
    ensure_scheme("330200000000", "宁波市考评办法", 2025, {})
    with CaptureQueriesContext(connection) as one:
        ensure_scores(PERIOD, world.province_zj)
    ensure_scheme("330900000000", "舟山市考评办法", 2025, {})
    ensure_scheme("330212000000", "鄞州区考评细则", 2025, {"D1": 20, "C2": 5})
    with CaptureQueriesContext(connection) as three:
        ensure_scores(PERIOD, world.province_zj)

    assert len(three.captured_queries) == len(one.captured_queries)
    schemes = Assessment.objects.filter(period_start=PERIOD.start).values_list("alliance__code", "scheme__region__name")
    assert sorted(schemes) == [("LM-A-1", "鄞州区"), ("LM-A-2", "鄞州区"), ("LM-B-1", "舟山市")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "0"),
        (Decimal("-0.3"), "0.0000"),
        (0, "0.0000"),
        (Decimal("0.00005"), "0.0001"),  # half up, not half even
        (Decimal("0.12344"), "0.1234"),
        (0.1, "0.1000"),  # a float through its shortest text, not its binary expansion
        (Decimal("1.00"), "1.0000"),
        (3, "1.0000"),
    ],
)
def test_clamp_bounds_to_zero_and_one_at_four_places(value, expected):
    result = scoring.clamp(value)
    assert isinstance(result, Decimal)
    assert str(result) == expected


def test_ratio_of_nothing_is_zero_and_of_parts_is_clamped():
    assert scoring.ratio(3, 0) == 0
    assert str(scoring.ratio(1, 3)) == "0.3333"
    assert str(scoring.ratio(5, 4)) == "1.0000"
    assert str(scoring.ratio(None, 4)) == "0.0000"


def test_the_standing_counts_the_members_of_the_day_by_the_memberships_own_rule(world):
    """Joined by the day and not yet left, as ``Membership.objects.current(day)`` says."""
    day = datetime.date(2025, 6, 30)
    alliance = AllianceFactory(lead_region=world.town_a, founded_on=datetime.date(2020, 1, 1))
    dates = {
        "there all along": (datetime.date(2021, 1, 1), None, 5),
        "leaves after the day": (datetime.date(2021, 1, 1), datetime.date(2025, 7, 1), 4),
        "left on the day": (datetime.date(2021, 1, 1), day, 5),
        "joins after the day": (datetime.date(2025, 7, 1), None, 5),
    }
    for name, (joined_on, left_on, stars) in dates.items():
        organization = OrganizationFactory(name=name, region=world.village_a, star_rating=stars)
        Membership.objects.create(alliance=alliance, organization=organization, joined_on=joined_on, left_on=left_on)
    alliances = type(alliance).objects.filter(pk=alliance.pk)
    counted = set(scoring.members_on(alliances, day).values_list("organization__name", flat=True))
    assert counted == {"there all along", "leaves after the day"}
    assert counted == set(
        Membership.objects.current(day).filter(alliance=alliance).values_list("organization__name", flat=True)
    )
    assert scoring.member_standing(alliances, day) == {alliance.pk: (Decimal("1"), Decimal("90"))}


def test_a_citys_pending_staff_scores_follow_each_alliances_own_scheme(world, scheme):
    override = AssessmentScheme.objects.create(name="鄞州区细则", region=world.county_a, year=2025, status="active")
    Indicator.objects.create(scheme=override, dimension="brand", code="Y1", name="区级品牌", max_score=30, weight=1)
    Indicator.objects.create(scheme=override, dimension="service", code="Y2", name="区级服务", max_score=30, weight=1)
    ManualScore.objects.create(
        alliance=world.alliance_a,
        indicator=Indicator.objects.get(scheme=override, code="Y1"),
        period_kind="year",
        period_start=datetime.date(2025, 1, 1),
        score=20,
        scored_by=world.alice,
    )

    pending = pending_scores(PERIOD, world.ningbo)

    # Each alliance of the city, under the scheme of its own lead region, each staff-scored
    # indicator of that scheme without a score.
    expected = set()
    for alliance in Alliance.objects.filter(lead_region__code__startswith=world.ningbo.prefix).exclude(
        status="dissolved"
    ):
        own = AssessmentScheme.objects.for_region(alliance.lead_region, 2025)
        for indicator in own.indicators.filter(metric="") if own else []:
            if not ManualScore.objects.filter(alliance=alliance, indicator=indicator).exists():
                expected.add((alliance.code, indicator.code))
    assert {(item.alliance.code, item.indicator.code) for item in pending} == expected
    assert (world.alliance_a.code, "Y2") in expected and (world.alliance_a.code, "Y1") not in expected
    assert (world.alliance_b.code, "B1") not in {(item.alliance.code, item.indicator.code) for item in pending}
