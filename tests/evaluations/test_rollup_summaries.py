"""The summary figures of the monthly bulletin, the quarterly observation and the annual
review recomputed a second way, in plain Python
from the raw rows of one small hand-made county, and compared one by one with what the
rollup computes. The set of figures checked must equal the set the report emits, so a new
summary figure without its own independent count fails here."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from alliances.models import Alliance, Membership
from core.periods import MONTH, QUARTER, YEAR, Period
from evaluations.models import Assessment, AssessmentScheme, Indicator, Proposal
from evaluations.reports import OBSERVATION_SLOTS
from evaluations.rollups import ANNUAL_REVIEW, KINDS, MONTHLY_BULLETIN, QUARTERLY_OBSERVATION
from projects.models import Milestone, ProgressReport, Project
from tests.alliances.factories import AllianceFactory
from tests.evaluations.hand import assessed_by_hand
from tests.members.factories import village
from tests.projects.factories import ProjectFactory, ReportFactory
from tests.workshops.factories import ReportFactory as WorkshopReportFactory
from tests.workshops.factories import WorkshopFactory
from workshops.models import WorkshopReport

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse(MONTH, "2026-10")  # 1 October to 31 October 2026
Q4 = Period.parse(QUARTER, "2026-Q4")
YEAR_2026 = Period.parse(YEAR, "2026")
COUNTY = "330212"  # the first six digits of 鄞州区's regions
D = datetime.date


def yuan(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP))


def rate(part, whole) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


@pytest.fixture
def county(world):
    """Two townships of 鄞州区, three alliances, projects begun, finished and cancelled on
    either side of October, a returned report, three workshops of which one did not report
    October; and a project and a workshop of another county that must not count."""
    third = AllianceFactory(lead_region=world.town_a, code="LM-A-3", name="第三联盟")
    far = D(2027, 6, 1)

    def project(alliance, title, start, planned, **facts):
        return ProjectFactory(
            alliance=alliance, title=title, year=2026, start_on=start, due_on=facts.pop("due_on", far),
            planned_investment=Decimal(planned), **facts,
        )  # fmt: skip

    p1 = project(world.alliance_a, "一号", D(2026, 6, 1), 1_000_000, due_on=D(2026, 10, 25))  # late at month end
    p2 = project(world.alliance_a2, "二号", D(2026, 10, 12), 200_000)  # started in October
    p3 = project(third, "三号", D(2026, 7, 1), 300_000, status="completed", completed_on=D(2026, 10, 20))
    p4 = project(world.alliance_a, "四号", D(2026, 8, 1), 400_000, status="completed", completed_on=D(2026, 11, 10))
    p5 = project(
        world.alliance_a2, "五号", D(2026, 10, 5), 100_000, status="cancelled", cancelled_on=D(2026, 10, 28)
    )  # started and cancelled in October
    other = project(world.alliance_b, "外县", D(2026, 10, 6), 999_000)

    def report(target, monday, spent, status="accepted", done=50):
        ReportFactory(
            project=target, period=monday, investment_to_date=Decimal(spent), status=status, percent_complete=done,
            review_comment="数字有误" if status == "returned" else "",
        )  # fmt: skip

    report(p1, D(2026, 10, 5), 300_000)
    report(p1, D(2026, 10, 26), 500_000, status="returned")  # not accepted: the 5 October figure stands
    report(p1, D(2026, 11, 2), 600_000)  # after the month
    report(p2, D(2026, 10, 19), 50_000)
    report(p3, D(2026, 10, 12), 300_000, done=100)
    report(p4, D(2026, 10, 26), 380_000, done=95)  # last reported in October, completed in November
    report(p5, D(2026, 10, 19), 20_000)
    report(other, D(2026, 10, 12), 999_000)

    village_a2 = village(world.county_a.children.get(code="330212002000"), 1, "云龙村")
    shops = [WorkshopFactory(region=world.village_a), WorkshopFactory(region=village_a2)]
    silent = WorkshopFactory(region=world.village_a)
    WorkshopReportFactory(workshop=shops[0], month=OCTOBER.start, employed=20, low_income_employed=6,
                          wages_paid=Decimal("42000"), income_increase_per_person=Decimal("2100"),
                          sales=Decimal("150000"))  # fmt: skip
    WorkshopReportFactory(workshop=shops[1], month=OCTOBER.start, employed=10, low_income_employed=5,
                          wages_paid=Decimal("18000"), income_increase_per_person=Decimal("1500.50"),
                          sales=Decimal("60000"))  # fmt: skip
    WorkshopReportFactory(workshop=silent, month=D(2026, 9, 1), employed=99)  # September only
    WorkshopReportFactory(workshop=WorkshopFactory(region=village(world.town_b, 1, "高亭村")), month=OCTOBER.start)

    scheme = AssessmentScheme.objects.create(
        name="宁波", region=world.ningbo, year=2026, status="active", member_weight=0,
        excellent_min=60, good_min=40, fair_min=20,
    )  # fmt: skip
    Indicator.objects.create(
        scheme=scheme, dimension="development", code="D1", name="完成率", metric="project_completion", max_score=100
    )
    return world


# --------------------------------------------------------------- the counts by hand


def county_projects() -> list[dict]:
    return [
        row
        for row in Project.objects.values(
            "id",
            "year",
            "status",
            "start_on",
            "due_on",
            "completed_on",
            "cancelled_on",
            "planned_investment",
            "alliance_id",
            "alliance__lead_region__code",
        )  # fmt: skip
        if row["alliance__lead_region__code"].startswith(COUNTY)
    ]


def standing_spent(project_id: int, before: datetime.date) -> Decimal:
    """The investment to date of the project's latest report of a week begun before
    ``before``, returned reports aside; 0 without one."""
    weeks = [
        (row["period"], row["investment_to_date"])
        for row in ProgressReport.objects.filter(project_id=project_id).values("period", "investment_to_date", "status")
        if row["status"] != "returned" and row["period"] < before
    ]
    return max(weeks)[1] if weeks else Decimal(0)


def late_alliances(day: datetime.date) -> set[int]:
    """Alliances with a project open at ``day`` (not completed or cancelled before it) whose
    due date, or a milestone's, passed."""
    open_projects = {
        row["id"]: row
        for row in county_projects()
        if row["status"] in ("planned", "in_progress", "delayed")
        or (row["completed_on"] is not None and row["completed_on"] >= day)
        or (row["cancelled_on"] is not None and row["cancelled_on"] >= day)
    }
    late = {pk for pk, row in open_projects.items() if row["due_on"] < day}
    for m in Milestone.objects.values("project_id", "due_on", "done_on"):
        if m["project_id"] in open_projects and m["due_on"] < day and not (m["done_on"] and m["done_on"] < day):
            late.add(m["project_id"])
    return {open_projects[pk]["alliance_id"] for pk in late}


def bulletin_by_hand(period: Period) -> dict:
    first, last = period.start, period.end - datetime.timedelta(days=1)
    projects = county_projects()
    counted = [
        p for p in projects
        if p["year"] == first.year and p["planned_investment"] is not None
        and not (p["cancelled_on"] and p["cancelled_on"] <= last)
    ]  # fmt: skip
    spent = sum((standing_spent(p["id"], period.end) for p in counted), Decimal(0))
    planned = sum((p["planned_investment"] for p in counted), Decimal(0))
    month = [
        row
        for row in WorkshopReport.objects.values(
            "workshop_id",
            "workshop__region__code",
            "month",
            "employed",
            "low_income_employed",
            "wages_paid",
            "income_increase_per_person",
            "sales",
        )  # fmt: skip
        if row["month"] == first and row["workshop__region__code"].startswith(COUNTY)
    ]
    employed = sum(row["employed"] for row in month)
    weighted = sum(row["income_increase_per_person"] * row["employed"] for row in month)
    county_alliances = {a.pk for a in Alliance.objects.all() if a.lead_region.code.startswith(COUNTY)}
    graded = [
        a for a in Assessment.objects.filter(period_kind=MONTH, period_start=first) if a.alliance_id in county_alliances
    ]
    late = late_alliances(period.end)

    def flag(a) -> str:
        if a.vetoed or a.grade == "poor":
            return "red"
        return "yellow" if a.grade == "fair" or a.alliance_id in late else "green"

    flags = [flag(a) for a in graded]
    return {
        "alliances_ranked": len(county_alliances),
        "projects_started": sum(1 for p in projects if first <= p["start_on"] <= last),
        "projects_completed": sum(1 for p in projects if p["completed_on"] and first <= p["completed_on"] <= last),
        "investment_to_date": yuan(spent),
        "investment_planned": yuan(planned),
        "investment_rate": rate(spent, planned),
        "workshops_reporting": len({row["workshop_id"] for row in month}),
        "workshop_employed": employed,
        "workshop_low_income": sum(row["low_income_employed"] for row in month),
        "workshop_wages": yuan(sum(row["wages_paid"] for row in month)),
        "workshop_income_increase": yuan(weighted / employed) if employed else None,
        "workshop_sales": yuan(sum(row["sales"] for row in month)),
        "flag_red": flags.count("red"),
        "flag_yellow": flags.count("yellow"),
        "flag_green": flags.count("green"),
    }


# ------------------------------------------------------------------------ the tests


@pytest.fixture
def bulletin(county) -> dict:
    report = KINDS[MONTHLY_BULLETIN].compute(OCTOBER, county.county_a)
    return {item["key"]: item["value"] for item in report["summary"]}


def test_the_hand_made_county_holds_the_cases_the_figures_must_tell_apart(county, bulletin):
    expected = bulletin_by_hand(OCTOBER)
    assert expected["projects_started"] == 2 and expected["projects_completed"] == 1
    assert expected["investment_to_date"] == "1030000.00" and expected["investment_planned"] == "1900000.00"
    assert expected["workshops_reporting"] == 2 and expected["workshop_employed"] == 30
    assert expected["alliances_ranked"] == 3 and expected["flag_yellow"] >= 1


SUMMARY_KEYS = [
    "alliances_ranked",
    "projects_started",
    "projects_completed",
    "investment_to_date",
    "investment_planned",
    "investment_rate",
    "workshops_reporting",
    "workshop_employed",
    "workshop_low_income",
    "workshop_wages",
    "workshop_income_increase",
    "workshop_sales",
    "flag_red",
    "flag_yellow",
    "flag_green",
]


@pytest.mark.parametrize("key", SUMMARY_KEYS)
def test_each_bulletin_figure_equals_its_count_from_the_raw_rows(county, bulletin, key):
    assert bulletin[key] == bulletin_by_hand(OCTOBER)[key]


def test_every_bulletin_figure_has_its_independent_check(county, bulletin):
    assert set(SUMMARY_KEYS) == set(bulletin) == set(bulletin_by_hand(OCTOBER))


# ------------------------------------------------------ the quarter and the year


def county_alliance_ids() -> set[int]:
    return {a.pk for a in Alliance.objects.all() if a.lead_region.code.startswith(COUNTY) and a.status != "dissolved"}


def scores(period: Period) -> dict[int, Assessment]:
    ids = county_alliance_ids()
    return {
        a.alliance_id: a
        for a in Assessment.objects.filter(period_kind=period.kind, period_start=period.start)
        if a.alliance_id in ids
    }


def observation_by_hand(period: Period) -> dict:
    """The county's alliances assessed for the quarter; those with the largest average gain
    fill the observation slots and the lowest scores of the others as many again. This
    county has no more assessed alliances than slots, so each is proposed once, as a top mover."""
    ids = assessed_by_hand(period, COUNTY)
    assert len(ids) <= OBSERVATION_SLOTS
    return {"alliances": len(ids), "proposed": len(ids)}


def review_by_hand(period: Period) -> dict:
    graded = list(scores(period).values())
    proposals = Proposal.objects.filter(year=period.start.year, status="confirmed").values(
        "kind", "alliance_id", "organization_id", "region__code"
    )
    proposals = [p for p in proposals if p["region__code"].startswith(COUNTY)]
    on = period.end - datetime.timedelta(days=1)
    below = {
        m.alliance_id
        for m in Membership.objects.select_related("alliance", "organization")
        if m.alliance_id in county_alliance_ids()
        and m.alliance.is_demonstration
        and m.joined_on <= on
        and (m.left_on is None or m.left_on > on)
        and (m.organization.star_rating is None or m.organization.star_rating < 4)
    }
    return {
        "alliances": len(graded),
        "excellent": sum(1 for a in graded if a.grade == "excellent"),
        "good": sum(1 for a in graded if a.grade == "good"),
        "fair": sum(1 for a in graded if a.grade == "fair"),
        "poor": sum(1 for a in graded if a.grade == "poor"),
        "vetoed": sum(1 for a in graded if a.vetoed),
        "demonstration_candidates": sum(1 for p in proposals if p["kind"] == "demonstration" and p["alliance_id"]),
        "secretaries_ineligible": sum(1 for p in proposals if p["kind"] == "award_ineligible" and p["organization_id"]),
        "demonstration_below_four_stars": len(below),
    }


def summary_of(kind: str, period: Period, region) -> dict:
    return {item["key"]: item["value"] for item in KINDS[kind].compute(period, region)["summary"]}


def test_each_observation_figure_equals_its_count_from_the_raw_rows(county):
    figures = summary_of(QUARTERLY_OBSERVATION, Q4, county.county_a)
    expected = observation_by_hand(Q4)
    assert expected == {"alliances": 3, "proposed": 3}
    assert figures == expected  # the same keys, and each the same figure


def test_an_alliance_not_assessed_for_the_quarter_is_neither_counted_nor_proposed_as_lagging(county):
    """Still 组建中 at the quarter's end (running since), or founded after it: no score, so not
    an alliance of the observation, and never "得分靠后" for want of one."""
    forming = AllianceFactory.build(lead_region=county.town_a, code="LM-A-8", status="forming", founded_on=Q4.start)
    forming._history_date = datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC)
    forming.save()
    forming.status = "active"
    forming._history_date = datetime.datetime(2027, 1, 5, tzinfo=datetime.UTC)
    forming.save()
    AllianceFactory(lead_region=county.town_a, code="LM-A-9", founded_on=Q4.end)
    report = KINDS[QUARTERLY_OBSERVATION].compute(Q4, county.county_a)
    assert {item["key"]: item["value"] for item in report["summary"]} == observation_by_hand(Q4)
    proposed = {row[0] for t in report["tables"] for row in t["rows"]}
    assert proposed.isdisjoint({"LM-A-8", "LM-A-9"})


@pytest.fixture
def demonstration(county):
    """alliance_a is a demonstration alliance whose lead member is rated three stars; staff
    confirmed one demonstration candidate, overruled another, and confirmed that the lead
    member's secretary loses the 两优一先 eligibility."""
    alliance = Alliance.objects.get(pk=county.alliance_a.pk)
    alliance.is_demonstration, alliance.demonstration_year = True, 2025
    alliance.save()  # through its history, as every write of the site is
    membership = Membership.objects.get(alliance=county.alliance_a)
    membership.organization.star_rating = 3
    membership.organization.save(update_fields=["star_rating"])
    third = Alliance.objects.get(code="LM-A-3")
    decided = {
        "year": 2026,
        "region": county.county_a,
        "basis": "年度考评",
        "reason": "常委会研究决定",
        "decided_by": county.alice,
    }
    Proposal.objects.create(kind="demonstration", alliance=third, status="confirmed", **decided)
    Proposal.objects.create(kind="demonstration", alliance=county.alliance_a2, status="overruled", **decided)
    Proposal.objects.create(
        kind="award_ineligible", organization=membership.organization, status="confirmed", **decided
    )
    return county


def test_each_review_figure_equals_its_count_from_the_raw_rows(demonstration):
    figures = summary_of(ANNUAL_REVIEW, YEAR_2026, demonstration.county_a)
    expected = review_by_hand(YEAR_2026)
    assert expected["alliances"] == 3 and expected["demonstration_below_four_stars"] == 1
    assert expected["demonstration_candidates"] == 1 and expected["secretaries_ineligible"] == 1
    assert set(figures) == set(expected)
    for key in expected:
        assert (key, figures[key]) == (key, expected[key])
