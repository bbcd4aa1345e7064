"""Each figure scoring produces, computed a second time, independently, in plain Python from
the raw rows of a small hand-made data set, and compared (docs/indicators.md defines them).

The second computation walks the calendar day by day and looks at one project, report or
claim at a time; it shares no code with evaluations.metrics.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model

from alliances.models import Alliance, Claim
from core.periods import MONTH, QUARTER, WEEK, YEAR, Period
from evaluations import scoring
from evaluations.metrics import (
    claims_resolved,
    investment_vs_target,
    project_completion,
    reporting_timeliness,
)
from evaluations.models import Assessment, AssessmentScheme, Indicator, IndicatorScore, ManualScore
from evaluations.reports import annual_review, monthly_bulletin, quarterly_observation
from projects import reporting
from projects.models import ProgressReport, ProgressReportRevision, Project
from projects.services import project_change_status, report_amend
from tests.alliances.factories import AllianceFactory, ClaimFactory, NeedFactory
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.timedelta(days=1)
YEAR_2025 = Period.parse(YEAR, "2025")
GRACE = 3


@pytest.fixture(autouse=True)
def grace(settings):
    settings.REPORT_DEADLINE_GRACE_DAYS = GRACE


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A Shanghai wall-clock time."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def four_places(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def project_2025(alliance, status: str = "in_progress", start: str = "2025-01-06", **fields) -> Project:
    """A project of 2025's list; ``fields`` may date its completion or cancellation."""
    fields.setdefault("due_on", d("2026-12-31"))
    return ProjectFactory(alliance=alliance, year=2025, status=status, start_on=d(start), **fields)


def send_back(report: ProgressReport, reviewed: datetime.datetime, comment: str = "请补充材料") -> None:
    """Return a report on review at ``reviewed``."""
    report.status, report.review_comment, report.reviewed_at = "returned", comment, reviewed
    report.save()


def staff_scores(indicator: Indicator, scores: dict, period_kind: str = "year", start: str = "2025-01-01") -> None:
    """Staff scores of ``indicator`` by alliance."""
    for alliance, score in scores.items():
        ManualScore.objects.create(
            alliance=alliance,
            indicator=indicator,
            period_kind=period_kind,
            period_start=d(start),
            score=score,
            scored_by=User.objects.get(username="alice"),
        )


def scored_on_brand(world, scores: dict, period_kind: str = "year", start: str = "2025-01-01", **options) -> None:
    """Ningbo's 2025 scheme of one staff-scored indicator (max 100) and no member part, the
    alliances' totals being their ``scores``."""
    scheme = AssessmentScheme.objects.create(
        name="宁波", region=world.ningbo, year=2025, status="active", member_weight=Decimal("0"), **options
    )
    brand = Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌", max_score=100)
    staff_scores(brand, scores, period_kind, start)


# ------------------------------------------------------------------- the second computation


def alliance_figures(period: Period) -> dict:
    """The reporting rule's figures per alliance for the period, read as of its cut-off."""
    weeks = reporting.weeks_of(period)
    return reporting.figures(Project.objects.all(), weeks, reporting.period_cutoff(period), by="alliance_id")


def days_of(period: Period):
    day = period.start
    while day < period.end:
        yield day
        day += DAY


def was_under_way(project: dict, day: datetime.date) -> bool:
    """Started by ``day``, out of planning, not completed or cancelled on or before it."""
    if project["status"] == "planned" or project["start_on"] > day:
        return False
    return all(finished is None or finished > day for finished in (project["completed_on"], project["cancelled_on"]))


def versions_of(report: dict, revisions: list[dict]) -> list[dict]:
    """Every version of a report, oldest first: its earlier ones from their revisions, the one
    it holds now from the report itself (number, sent at, decision, reviewed at)."""
    versions = {row["number"]: row for row in revisions}
    versions.setdefault(
        report["revision"],
        {
            "number": report["revision"],
            "submitted_at": report["submitted_at"],
            "decision": report["status"],
            "reviewed_at": report["reviewed_at"],
        },
    )
    return [versions[number] for number in sorted(versions)]


def standing_at(report: dict | None, revisions: list[dict], moment: datetime.datetime) -> dict | None:
    """The version of a report standing at ``moment`` if it was received then: the latest one
    sent by then, unless it had been returned by then."""
    if report is None:
        return None
    sent = [version for version in versions_of(report, revisions) if version["submitted_at"] <= moment]
    if not sent:
        return None
    version = sent[-1]
    if version["decision"] == "returned" and (version["reviewed_at"] is None or version["reviewed_at"] <= moment):
        return None
    return version


def reporting_by_hand(period: Period, moment: datetime.datetime | None = None) -> dict[int, tuple[int, int, int]]:
    """(due, on time, late) per alliance as of ``moment`` (default: the deadline of the
    period's last week), one week and one project at a time."""
    projects = list(Project.objects.values("id", "alliance_id", "status", "start_on", "completed_on", "cancelled_on"))
    reports = {
        (row["project_id"], row["period"]): row
        for row in ProgressReport.objects.values(
            "id", "project_id", "period", "status", "revision", "submitted_at", "reviewed_at"
        )
    }
    revisions: dict[int, list[dict]] = {}
    for row in ProgressReportRevision.objects.values("report_id", "number", "submitted_at", "decision", "reviewed_at"):
        revisions.setdefault(row["report_id"], []).append(row)
    mondays = [day for day in days_of(period) if day.isoweekday() == 1]
    if moment is None and mondays:
        moment = at(mondays[-1] + (7 + GRACE) * DAY, 0)
    figures: dict[int, list[int]] = {}
    for monday in mondays:
        sunday = monday + 6 * DAY
        for project in projects:
            if not was_under_way(project, sunday):
                continue
            counts = figures.setdefault(project["alliance_id"], [0, 0, 0])
            counts[0] += 1
            report = reports.get((project["id"], monday))
            version = standing_at(report, revisions.get(report["id"], []) if report else [], moment)
            if version is None:
                continue
            if version["submitted_at"].astimezone(SHANGHAI).date() <= sunday + GRACE * DAY:
                counts[1] += 1
            else:
                counts[2] += 1
    return {alliance: tuple(counts) for alliance, counts in figures.items()}


def latest_standing(project_id: int, period: Period) -> dict | None:
    """The project's latest report of a week before the period's end, returned ones aside."""
    rows = [
        row
        for row in ProgressReport.objects.filter(project_id=project_id).values(
            "period", "status", "percent_complete", "investment_to_date"
        )
        if row["period"] < period.end and row["status"] != "returned"
    ]
    return max(rows, key=lambda row: row["period"]) if rows else None


def year_projects_by_hand(period: Period) -> list[dict]:
    return [
        project
        for project in Project.objects.values(
            "id", "alliance_id", "year", "status", "completed_on", "cancelled_on", "planned_investment"
        )
        if project["year"] == period.start.year
        and not (project["cancelled_on"] is not None and project["cancelled_on"] < period.end)
    ]


def investment_by_hand(period: Period) -> dict[int, Decimal]:
    spent: dict[int, Decimal] = {}
    planned: dict[int, Decimal] = {}
    for project in year_projects_by_hand(period):
        if not project["planned_investment"]:
            continue
        report = latest_standing(project["id"], period)
        alliance = project["alliance_id"]
        spent[alliance] = spent.get(alliance, Decimal(0)) + (report["investment_to_date"] if report else 0)
        planned[alliance] = planned.get(alliance, Decimal(0)) + project["planned_investment"]
    return {alliance: four_places(min(1, spent[alliance] / planned[alliance])) for alliance in planned}


def completion_by_hand(period: Period) -> dict[int, Decimal]:
    percents: dict[int, list[int]] = {}
    for project in year_projects_by_hand(period):
        if project["completed_on"] is not None and project["completed_on"] <= period.last_day:
            percent = 100
        else:
            report = latest_standing(project["id"], period)
            percent = report["percent_complete"] if report else 0
        percents.setdefault(project["alliance_id"], []).append(percent)
    return {alliance: four_places(Decimal(sum(p)) / len(p) / 100) for alliance, p in percents.items()}


def claims_by_hand(period: Period) -> dict[int, Decimal]:
    counted: dict[int, list[int]] = {}
    for claim in Claim.objects.filter(need__isnull=False).values(
        "need__alliance_id", "status", "claimed_on", "closed_on"
    ):
        if claim["claimed_on"].year != period.start.year or claim["claimed_on"] > period.last_day:
            continue
        closed_by_end = claim["closed_on"] is not None and claim["closed_on"] <= period.last_day
        if claim["status"] == "withdrawn" and closed_by_end:
            continue
        counts = counted.setdefault(claim["need__alliance_id"], [0, 0])
        counts[0] += 1
        counts[1] += claim["status"] == "resolved" and closed_by_end
    return {alliance: four_places(Decimal(resolved) / claims) for alliance, (claims, resolved) in counted.items()}


# ------------------------------------------------------------------- the data set


@pytest.fixture
def reporting_year(world):
    """Projects of county A's alliances, some of them reported on through 2025.

    A1 · 全年项目: started Wednesday 12 March 2025, completed 10 February 2026 (after the
      period), a report most weeks: in on Tuesday, by Wednesday night after the week (the
      last day of grace), on Thursday just after midnight (late), on Saturday (late); one
      returned in June and left so; one in on time and returned only in January 2026; the
      week of 15 December filed in 2026.
    A1 · 延期项目: started on a Sunday, delayed, reported every third week.
    A1 · 九月完工: completed Wednesday 17 September 2025; its report of that week is not due.
    A1 · 五月取消: cancelled 7 May 2025.
    A1 · 计划项目: still planned: never under way.
    A1 · 明年项目: a 2026 project starting in January 2026.
    A2 · 明年项目: A2's only project starts in 2026: nothing due in 2025.
    """
    a1, a2 = world.alliance_a, world.alliance_a2
    whole = project_2025(a1, "completed", "2025-03-12", title="全年项目", completed_on=d("2026-02-10"))
    offsets = [(1, 10, 0), (9, 23, 30), (10, 0, 30), (12, 9, 0)]  # days after Monday, hour, minute
    monday = d("2025-03-10")
    n = 0
    while monday <= d("2025-12-29"):
        if n % 7 != 6:
            days, hour, minute = offsets[n % len(offsets)]
            ReportFactory(project=whole, period=monday, submitted_at=at(monday + days * DAY, hour, minute))
        monday += 7 * DAY
        n += 1
    send_back(ProgressReport.objects.get(project=whole, period=d("2025-06-02")), at(d("2025-06-05")))
    ProgressReport.objects.filter(project=whole, period=d("2025-12-29")).update(submitted_at=at(d("2025-12-30")))
    send_back(ProgressReport.objects.get(project=whole, period=d("2025-12-29")), at(d("2026-01-06")))
    ProgressReport.objects.filter(project=whole, period=d("2025-12-15")).update(submitted_at=at(d("2026-01-08")))

    delayed = project_2025(a1, "delayed", "2025-06-01", title="延期项目")
    monday = d("2025-05-26")
    while monday <= d("2025-12-29"):
        ReportFactory(project=delayed, period=monday, submitted_at=at(monday + 2 * DAY))
        monday += 21 * DAY

    september = project_2025(a1, "completed", "2025-02-03", title="九月完工", completed_on=d("2025-09-17"))
    for monday in (d("2025-09-01"), d("2025-09-08"), d("2025-09-15")):
        ReportFactory(project=september, period=monday, submitted_at=at(monday + DAY))
    project_2025(a1, "cancelled", title="五月取消", cancelled_on=d("2025-05-07"))
    project_2025(a1, "planned", "2025-04-01", title="计划项目")
    ProjectFactory(alliance=a1, year=2026, title="明年项目", start_on=d("2026-01-05"), due_on=d("2026-12-31"))
    ProjectFactory(alliance=a2, year=2026, title="明年项目", start_on=d("2026-03-01"), due_on=d("2026-12-31"))
    return world


# ------------------------------------------------------------------- reporting timeliness


def test_reporting_figures_match_a_week_by_week_count_from_the_raw_rows(reporting_year):
    world = reporting_year
    by_hand = reporting_by_hand(YEAR_2025)

    computed = alliance_figures(YEAR_2025)

    assert {alliance: (f.due, f.on_time, f.late) for alliance, f in computed.items()} == by_hand
    due, on_time, late = by_hand[world.alliance_a.pk]
    assert on_time > 0 and late > 0
    # 全年项目 43 weeks (10 March to 29 December), 延期项目 32 (from 26 May), 九月完工 32
    # (3 February to 8 September), 五月取消 17 (6 January to 28 April).
    assert due == 43 + 32 + 32 + 17
    assert world.alliance_a2.pk not in by_hand  # nothing due


def test_reporting_timeliness_is_the_share_on_time_and_not_applicable_with_nothing_due(reporting_year):
    world = reporting_year
    due, on_time, _late = reporting_by_hand(YEAR_2025)[world.alliance_a.pk]

    attainment = reporting_timeliness(Alliance.objects.all(), YEAR_2025, None)

    assert attainment == {world.alliance_a.pk: four_places(Decimal(on_time) / due)}
    assert scoring.METRICS["reporting_timeliness"].absent is scoring.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("reviewed", "counted"),
    [("2026-01-07", False), ("2026-01-08", True)],
)
def test_a_returned_report_counts_as_received_only_while_not_yet_returned_at_the_cut_off(world, reviewed, counted):
    # December's cut-off is the deadline of its last week (29 December): 8 January, 00:00.
    project = project_2025(world.alliance_a, start="2025-12-01")
    report = ReportFactory(project=project, period=d("2025-12-22"), submitted_at=at(d("2025-12-23")))
    send_back(report, at(d(reviewed), 9))
    december = Period.parse(MONTH, "2025-12")

    figures = alliance_figures(december)[world.alliance_a.pk]

    assert (figures.due, figures.on_time) == (5, int(counted))  # five Mondays: 1, 8, 15, 22, 29
    assert reporting_by_hand(december)[world.alliance_a.pk] == (5, int(counted), 0)


@pytest.mark.parametrize(("key", "mondays"), [("2024-Q3", 14), ("2025-Q3", 13), ("2029-Q4", 14), ("2025-Q4", 13)])
def test_a_quarter_owes_one_report_per_monday_it_holds(world, key, mondays):
    quarter = Period.parse(QUARTER, key)
    ProjectFactory(alliance=world.alliance_a, year=quarter.start.year, start_on=d("2020-01-01"), due_on=d("2030-12-31"))

    figures = alliance_figures(quarter)[world.alliance_a.pk]

    assert figures.due == mondays == reporting_by_hand(quarter)[world.alliance_a.pk][0]


def test_a_report_filed_after_the_deadline_is_late_and_one_filed_after_the_cut_off_is_missing(world):
    project = project_2025(world.alliance_a, start="2025-11-03")
    ReportFactory(project=project, period=d("2025-11-03"), submitted_at=at(d("2025-11-12"), 23, 59))  # Wed: in grace
    ReportFactory(project=project, period=d("2025-11-10"), submitted_at=at(d("2025-11-20"), 0, 1))  # Thu: late
    ReportFactory(project=project, period=d("2025-11-17"), submitted_at=at(d("2025-12-04")))  # after the cut-off
    november = Period.parse(MONTH, "2025-11")

    figures = alliance_figures(november)[world.alliance_a.pk]

    assert (figures.due, figures.on_time, figures.late) == (4, 1, 1) == reporting_by_hand(november)[world.alliance_a.pk]


def test_a_report_amended_while_waiting_for_review_was_sent_when_it_was_amended(world):
    """Sent on time, then amended by its leader after the deadline: its week is late."""
    project = project_2025(world.alliance_a, start="2025-11-03")
    ReportFactory(project=project, period=d("2025-11-03"), submitted_at=at(d("2025-11-05")))
    amended = ReportFactory(project=project, period=d("2025-11-10"), submitted_at=at(d("2025-11-12")))
    report_amend(actor=world.lily, report=amended, work_done="补充：围栏完工", now=at(d("2025-11-21")))
    november = Period.parse(MONTH, "2025-11")

    figures = alliance_figures(november)[world.alliance_a.pk]

    assert (figures.due, figures.on_time, figures.late) == (4, 1, 1) == reporting_by_hand(november)[world.alliance_a.pk]


# ------------------------------------------------------------------- not applicable: the weight moves


@pytest.fixture
def timeliness_scheme(world):
    """Reporting timeliness (max 60) and a staff-scored brand indicator (max 40), no member part."""
    scheme = AssessmentScheme.objects.create(
        name="宁波市2025年度考评", region=world.ningbo, year=2025, status="active", member_weight=Decimal("0")
    )
    Indicator.objects.create(
        scheme=scheme,
        dimension="development",
        code="D3",
        name="进度按时报送率",
        metric="reporting_timeliness",
        max_score=60,
        weight=1,
    )
    brand = Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌", max_score=40, weight=1)
    staff_scores(brand, {world.alliance_a: 30, world.alliance_a2: 30})
    return AssessmentScheme.objects.get(pk=scheme.pk)


def test_with_nothing_due_the_timeliness_weight_goes_to_the_other_indicators(reporting_year, timeliness_scheme):
    world = reporting_year
    due, on_time, _late = reporting_by_hand(YEAR_2025)[world.alliance_a.pk]

    scoring.score_region(scheme=timeliness_scheme, period=YEAR_2025, region=world.county_a)

    with_reports = Assessment.objects.get(alliance=world.alliance_a, period_start=YEAR_2025.start)
    attained = four_places(Decimal(on_time) / due)
    expected = (60 * attained + 30) / 100 * 100
    assert with_reports.base_score == expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    nothing_due = Assessment.objects.get(alliance=world.alliance_a2, period_start=YEAR_2025.start)
    assert nothing_due.base_score == Decimal("75.00")  # 30 of 40: not (0 + 30) of 100
    assert nothing_due.total_score == Decimal("75.00")
    codes = IndicatorScore.objects.filter(assessment=nothing_due).values_list("indicator__code", flat=True)
    assert list(codes) == ["B1"]  # no timeliness score: not applicable


def test_a_week_with_nothing_due_is_not_applicable_for_every_alliance(reporting_year, timeliness_scheme):
    world = reporting_year
    week = Period.parse(WEEK, "2025-W02")  # 6 January: only 五月取消 was under way
    Project.objects.filter(title="五月取消").delete()

    assert reporting_by_hand(week) == {}
    scoring.score_region(scheme=timeliness_scheme, period=week, region=world.county_a)

    bases = set(Assessment.objects.filter(period_start=week.start).values_list("base_score", flat=True))
    assert bases == {Decimal("75.00")}


# ------------------------------------------------------------------- investment and completion


@pytest.fixture
def investment_rows(world):
    a1, a2 = world.alliance_a, world.alliance_a2
    million = Decimal("1000000")

    def report(project, monday: str, percent: int, investment: int) -> ProgressReport:
        return ReportFactory(
            project=project, period=d(monday), percent_complete=percent, investment_to_date=Decimal(investment)
        )

    first = project_2025(a1, planned_investment=million)
    report(first, "2025-09-01", 30, 300_000)
    send_back(report(first, "2025-09-22", 60, 900_000), at(d("2025-09-25")))  # returned: the one before stands
    report(first, "2025-10-06", 80, 950_000)  # after the quarter
    # Completed after the quarter: its report counts, not 100 %.
    completed_later = project_2025(a1, "completed", planned_investment=million, completed_on=d("2025-10-15"))
    report(completed_later, "2025-09-15", 90, 700_000)
    completed = project_2025(a2, "completed", planned_investment=million, completed_on=d("2025-08-20"))
    report(completed, "2025-08-11", 95, 1_000_000)
    cancelled = project_2025(a2, "cancelled", planned_investment=million, cancelled_on=d("2025-07-01"))  # out
    report(cancelled, "2025-06-02", 10, 1_000)
    # Cancelled after the quarter: still in.
    cancelled_later = project_2025(a2, "cancelled", planned_investment=million, cancelled_on=d("2025-11-03"))
    report(cancelled_later, "2025-09-29", 20, 100_000)
    return world


def test_investment_to_date_matches_the_latest_standing_report_of_each_project(investment_rows):
    world = investment_rows
    q3 = Period.parse(QUARTER, "2025-Q3")

    computed = investment_vs_target(Alliance.objects.all(), q3, None)

    assert computed == investment_by_hand(q3)
    assert computed[world.alliance_a.pk] == Decimal("0.5000")  # (300,000 + 700,000) / 2,000,000
    assert computed[world.alliance_a2.pk] == Decimal("0.5500")  # (1,000,000 + 100,000) / 2,000,000


def test_completion_matches_the_hand_count_as_of_the_periods_end(investment_rows):
    world = investment_rows
    q3 = Period.parse(QUARTER, "2025-Q3")

    computed = project_completion(Alliance.objects.all(), q3, None)

    assert computed == completion_by_hand(q3)
    assert computed[world.alliance_a.pk] == Decimal("0.6000")  # (30 + 90) / 2
    assert computed[world.alliance_a2.pk] == Decimal("0.6000")  # (100 + 20) / 2


# ------------------------------------------------------------------- claims


def test_claims_resolved_counts_the_state_at_the_periods_end_not_today(world):
    a1, other = world.alliance_a, world.alliance_b

    def claim(status: str, claimed: str, started: str | None = None, closed: str | None = None):
        need = NeedFactory(alliance=a1, posted_on=d("2025-01-02"), status="claimed")
        ClaimFactory(
            need=need,
            claimant_alliance=other,
            status=status,
            claimed_on=d(claimed),
            started_on=d(started) if started else None,
            closed_on=d(closed) if closed else None,
            note="已办结" if closed else "",
        )

    claim("resolved", "2025-03-01", "2025-03-10", "2025-11-20")  # resolved within 2025
    claim("resolved", "2025-05-01", "2025-05-10", "2026-02-03")  # resolved later: open at the end of 2025
    claim("withdrawn", "2025-06-01", None, "2026-01-15")  # withdrawn later: open at the end of 2025
    claim("withdrawn", "2025-07-01", None, "2025-08-01")  # withdrawn in 2025: not counted
    claim("in_progress", "2025-09-01", "2025-09-05")
    claim("resolved", "2026-01-05", "2026-01-06", "2026-01-20")  # claimed after 2025

    computed = claims_resolved(Alliance.objects.all(), YEAR_2025, None)

    assert computed == claims_by_hand(YEAR_2025)
    assert computed[a1.pk] == Decimal("0.2500")  # 1 of 4


# ------------------------------------------------------------------- ties and rounding


def ranks_by_hand(totals: dict) -> dict:
    """Each alliance's rank: one more than the number of alliances with a higher total."""
    return {alliance: 1 + sum(other > total for other in totals.values()) for alliance, total in totals.items()}


@pytest.fixture
def tied_county(world):
    """Five alliances of county A scored on one staff indicator: 95, 95, 85, 85 and 82."""
    alliances = [world.alliance_a, world.alliance_a2] + [
        AllianceFactory(lead_region=world.town_a, code=f"LM-A-{n}", name=f"联盟{n}") for n in (3, 4, 5)
    ]
    scored_on_brand(world, dict(zip(alliances, (95, 95, 85, 85, 82), strict=True)), demonstration_top_n=1)
    return alliances


def test_tied_alliances_share_a_rank(world, tied_county):
    scoring.score_regions(
        {AssessmentScheme.objects.get(): [world.county_a]}, Period.parse(MONTH, "2025-12"), final=False
    )

    rows = Assessment.objects.filter(period_start=d("2025-12-01")).values_list(
        "alliance_id", "total_score", "county_rank"
    )
    totals = {alliance: total for alliance, total, _rank in rows}
    assert {alliance: rank for alliance, _total, rank in rows} == ranks_by_hand(totals)
    assert sorted(rank for _a, _t, rank in rows) == [1, 1, 3, 3, 5]


def test_the_praise_cut_off_takes_both_alliances_tied_at_it(world, tied_county):
    report = monthly_bulletin(Period.parse(MONTH, "2025-12"), world.county_a)

    praise = next(table for table in report["tables"] if table["key"] == "praise")
    assert sorted(row[2] for row in praise["rows"]) == ["85.00", "85.00", "95.00", "95.00"]


def test_the_demonstration_cut_off_takes_both_alliances_tied_at_it(world, tied_county):
    report = annual_review(YEAR_2025, world.county_a)

    results = next(table for table in report["tables"] if table["key"] == "results")
    candidates = [row[1] for row in results["rows"] if row[5] == "示范候选（待确认）"]
    assert sorted(candidates) == sorted(a.code for a in tied_county[:2])  # top 1: both 95s


def test_the_laggard_cut_off_takes_every_alliance_tied_at_it(world):
    others = [AllianceFactory(lead_region=world.town_a, code=f"LM-L-{n}", name=f"联盟{n}") for n in range(6)]
    every = [world.alliance_a, world.alliance_a2, *others]
    # The first three have projects that moved (the movers); of the other five the lowest
    # three are 40, 50 and 60, and a second 60 ties with the third.
    scores = (90, 90, 90, 40, 50, 60, 60, 80)
    scored_on_brand(world, dict(zip(every, scores, strict=True)), "quarter", "2025-10-01")
    for alliance in every[:3]:
        project = ProjectFactory(alliance=alliance, year=2025, start_on=d("2025-01-06"))
        ReportFactory(project=project, period=d("2025-11-03"), percent_complete=50)

    tables = quarterly_observation(Period.parse(QUARTER, "2025-Q4"), world.county_a)["tables"]

    laggards = next(table for table in tables if table["key"] == "laggards")["rows"]
    assert sorted(row[0] for row in laggards) == sorted(a.code for a in every[3:7])  # 3 slots: 4 taken


def test_quarterly_gains_round_half_up(world):
    """Four projects gaining 30, 30, 30 and 19 points: 27.25, shown 27.3 (not half even's 27.2)."""
    AssessmentScheme.objects.create(name="宁波", region=world.ningbo, year=2025, status="active")
    for n, gain in enumerate((30, 30, 30, 19)):
        project = ProjectFactory(alliance=world.alliance_a, year=2025, title=f"项目{n}", start_on=d("2025-01-06"))
        ReportFactory(project=project, period=d("2025-09-01"), percent_complete=10)
        ReportFactory(project=project, period=d("2025-11-03"), percent_complete=10 + gain)

    tables = quarterly_observation(Period.parse(QUARTER, "2025-Q4"), world.county_a)["tables"]

    movers = next(table for table in tables if table["key"] == "top_movers")["rows"]
    assert movers[0][0] == world.alliance_a.code and movers[0][3] == "27.3"


def test_take_with_ties_keeps_everything_tied_with_the_last_taken():
    assert scoring.take_with_ties([9, 8, 8, 8, 7], 2, lambda x: x) == [9, 8, 8, 8]
    assert scoring.take_with_ties([9, 8, 7], 2, lambda x: x) == [9, 8]
    assert scoring.take_with_ties([], 3, lambda x: x) == []


# ------------------------------------------------------------------- the dated facts


def test_completing_or_cancelling_a_project_records_the_day(world):
    done = ProjectFactory(alliance=world.alliance_a, start_on=d("2025-01-06"), due_on=d("2025-12-31"))
    dropped = ProjectFactory(alliance=world.alliance_a, start_on=d("2025-01-06"), due_on=d("2025-12-31"))

    project_change_status(actor=world.alice, project=done, status="completed", on=d("2025-06-30"))
    project_change_status(actor=world.alice, project=dropped, status="cancelled")

    done.refresh_from_db()
    dropped.refresh_from_db()
    assert (done.completed_on, done.cancelled_on) == (d("2025-06-30"), None)
    assert dropped.cancelled_on is not None and dropped.completed_on is None
