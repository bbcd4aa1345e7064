"""Rollup figures equal figures worked out by hand on a small fixture."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import TeamRole
from core.periods import MONTH, WEEK, Period
from evaluations.models import Assessment, AssessmentScheme, Indicator, Rollup
from evaluations.reminders import send_progress_reminders
from evaluations.reports import monthly_bulletin, weekly_dispatch
from evaluations.services import rollup_produce
from notices.models import Delivery, Notice
from tests.alliances.factories import AllianceFactory
from tests.members.factories import PersonFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory
from tests.workshops.factories import ReportFactory as WorkshopReportFactory
from tests.workshops.factories import WorkshopFactory, recorded_workshop

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WEEK_46 = Period.parse(WEEK, "2026-W46")  # Monday 9 to Sunday 15 November 2026
OCTOBER = Period.parse(MONTH, "2026-10")


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def summary(report: dict) -> dict:
    return {item["key"]: item["value"] for item in report["summary"]}


def rows(report: dict, key: str) -> list[list]:
    return next(t["rows"] for t in report["tables"] if t["key"] == key)


@pytest.fixture
def week_fixture(world, settings):
    settings.REPORT_DEADLINE_GRACE_DAYS = 0  # the deadline is the week's end, before the dispatch's cut-off
    a = world.alliance_a
    day = datetime.date(2026, 6, 1)
    p1 = ProjectFactory(alliance=a, title="康养基地", start_on=day, due_on=datetime.date(2027, 6, 1))
    p2 = ProjectFactory(alliance=a, title="供水管网", start_on=day, due_on=datetime.date(2027, 6, 1))
    p3 = ProjectFactory(alliance=a, title="屋顶光伏", start_on=day, due_on=datetime.date(2027, 6, 1), status="delayed")
    p4 = ProjectFactory(alliance=a, title="精品民宿", start_on=day, due_on=datetime.date(2026, 11, 1), status="planned")
    p5 = ProjectFactory(alliance=a, title="直播带货", start_on=day, due_on=datetime.date(2027, 6, 1))
    MilestoneFactory(project=p5, due_on=datetime.date(2026, 11, 10))  # overdue within the week -> late
    ProjectFactory(alliance=world.alliance_b, title="外县项目", start_on=day, due_on=datetime.date(2026, 7, 1))
    ReportFactory(
        project=p1,
        period=WEEK_46.start - datetime.timedelta(weeks=1),
        percent_complete=20,
        submitted_at=at(datetime.date(2026, 11, 6), 10),
    )
    ReportFactory(
        project=p1,
        period=WEEK_46.start,
        percent_complete=45,
        needs_coordination=True,
        coordination_request="需协调用地指标",
        submitted_at=at(datetime.date(2026, 11, 15), 23),
    )
    ReportFactory(
        project=p3,
        period=WEEK_46.start,
        percent_complete=10,
        blockers="材料涨价",
        submitted_at=at(datetime.date(2026, 11, 16), 0),
    )  # Monday 00:00: one hour late
    ReportFactory(project=p5, period=WEEK_46.start, percent_complete=5, submitted_at=at(datetime.date(2026, 11, 12), 9))
    WorkshopFactory(name="未报工坊", region=world.village_a)
    filed = WorkshopFactory(name="已报工坊", region=world.village_a)
    filed_on_time(WorkshopReportFactory(workshop=filed, month=datetime.date(2026, 10, 1)))
    return {"p2": p2, "p4": p4, "p5": p5}


def filed_on_time(report, day: datetime.date = datetime.date(2026, 11, 3)):
    """The workshop figures filed on the day (their created_at), long before the dispatch."""
    type(report).objects.filter(pk=report.pk).update(created_at=at(day, 10))
    return report


def test_weekly_dispatch_figures_equal_the_hand_count(world, week_fixture):
    report = weekly_dispatch(WEEK_46, world.county_a)
    figures = summary(report)
    # under way: p1, p2, p3, p5 (p4 planned) -> 4 expected; p1, p3, p5 reported; p3 was late.
    assert figures["reports_expected"] == 4
    assert figures["reports_received"] == 3
    assert figures["reports_on_time"] == 2
    assert figures["reporting_rate"] == "75.0"
    assert figures["on_time_rate"] == "50.0"
    assert [r[2] for r in rows(report, "silent")] == ["供水管网"]
    assert sorted(r[2] for r in rows(report, "late")) == ["直播带货", "精品民宿"]
    assert sorted(r[1] for r in rows(report, "coordination")) == ["屋顶光伏", "康养基地"]
    # Named for what it counts: every received report with a blocker or a request, not only
    # those asking for coordination.
    waiting = next(item for item in report["summary"] if item["key"] == "coordination_waiting")
    assert (waiting["label"], waiting["value"]) == ("有堵点或协调事项的项目", 2)
    movement = {r[2]: (r[3], r[4], r[5]) for r in rows(report, "movement")}
    assert movement["康养基地"] == (20, 45, 25)
    assert [r[0] for r in rows(report, "workshops_missing")] == ["未报工坊"]
    assert "外县项目" not in str(report)


def test_the_dispatchs_missing_workshops_are_those_that_owed_last_months_figures(world, week_fixture):
    """The rule of the dashboard's to-do and the workshop list: a paused workshop still owes
    October's figures; one opened in November, or closed, does not."""
    from workshops.models import Workshop, WorkshopReport

    WorkshopFactory(name="暂停工坊", region=world.village_a, status="paused")
    WorkshopFactory(name="十一月开办", region=world.village_a, opened_on=datetime.date(2026, 11, 2))
    WorkshopFactory(name="已关闭工坊", region=world.village_a, status="closed")
    listed = {r[0] for r in rows(weekly_dispatch(WEEK_46, world.county_a), "workshops_missing")}
    assert listed == {"未报工坊", "暂停工坊"}
    # By hand from the rows: not closed, opened by 31 October, nothing filed for October.
    filed = set(WorkshopReport.objects.filter(month=datetime.date(2026, 10, 1)).values_list("workshop", flat=True))
    assert listed == {
        w.name
        for w in Workshop.objects.all()
        if w.status != "closed" and w.opened_on <= datetime.date(2026, 10, 31) and w.pk not in filed
    }


def test_the_dispatch_of_a_week_ending_in_the_next_month_asks_for_the_month_just_ended(world):
    """The week of Monday 30 November is dispatched on Monday 7 December: like the
    dashboard that day, it lists the workshops without November's figures (October's are
    long closed), each counted from the rows."""
    from workshops.models import Workshop, WorkshopReport

    november = datetime.date(2026, 11, 1)
    filed = WorkshopFactory(name="已报十一月", region=world.village_a, opened_on=datetime.date(2026, 1, 5))
    filed_on_time(WorkshopReportFactory(workshop=filed, month=november), datetime.date(2026, 12, 2))
    owing = WorkshopFactory(name="未报十一月", region=world.village_a, opened_on=datetime.date(2026, 1, 5))
    filed_on_time(WorkshopReportFactory(workshop=owing, month=datetime.date(2026, 10, 1)))

    report = weekly_dispatch(Period.parse(WEEK, "2026-W49"), world.county_a)

    listed = {r[0] for r in rows(report, "workshops_missing")}
    assert "未报十一月" in listed and "已报十一月" not in listed
    with_november = set(WorkshopReport.objects.filter(month=november).values_list("workshop", flat=True))
    assert listed == {
        w.name
        for w in Workshop.objects.filter(region__code__startswith=world.county_a.code[:6])
        if w.status != "closed" and w.opened_on <= datetime.date(2026, 11, 30) and w.pk not in with_november
    }


def test_the_dispatchs_missing_workshops_are_read_as_of_its_cut_off(world, week_fixture):
    """Produced again after its cut-off (Monday 16 November, 06:00), the dispatch lists the
    same workshops: one that filed October's figures only after it is still listed, one
    closed after it still owed them, one closed before it did not."""
    from workshops.models import Workshop, WorkshopReport

    cutoff = at(datetime.date(2026, 11, 16), 6)
    late = WorkshopFactory(name="截止后才报", region=world.village_a)
    WorkshopReport.objects.filter(pk=WorkshopReportFactory(workshop=late, month=OCTOBER.start).pk).update(
        created_at=at(datetime.date(2026, 11, 17), 9)
    )
    recorded_workshop("截止后关闭", world.village_a, closed_on=datetime.date(2026, 11, 20))
    recorded_workshop("截止前关闭", world.village_a, closed_on=datetime.date(2026, 11, 12))

    listed = {r[0] for r in rows(weekly_dispatch(WEEK_46, world.county_a), "workshops_missing")}

    assert listed == {"未报工坊", "截止后才报", "截止后关闭"}
    # By hand: the status each workshop's history gives at the cut-off (as today without a
    # row before it), and the October figures created before it.
    filed = set(
        WorkshopReport.objects.filter(month=OCTOBER.start, created_at__lt=cutoff).values_list("workshop", flat=True)
    )

    def status_then(workshop) -> str:
        before = workshop.history.filter(history_date__lt=cutoff).order_by("history_date").last()
        return before.status if before else workshop.status

    assert listed == {
        w.name
        for w in Workshop.objects.all()
        if status_then(w) != "closed" and w.opened_on <= OCTOBER.last_day and w.pk not in filed
    }


def test_weekly_dispatch_counts_only_the_reports_of_projects_under_way(world, week_fixture):
    # A planned project's report of the week, in time: it is neither expected nor received.
    ReportFactory(
        project=week_fixture["p4"], period=WEEK_46.start, percent_complete=5, submitted_at=at(WEEK_46.start, 9)
    )
    report = weekly_dispatch(WEEK_46, world.county_a)
    figures = summary(report)
    assert (figures["reports_expected"], figures["reports_received"], figures["reports_on_time"]) == (4, 3, 2)
    assert "精品民宿" not in [r[2] for r in rows(report, "movement")]
    assert "精品民宿" in [r[2] for r in rows(report, "late")]


def test_weekly_dispatch_shows_the_last_week_each_silent_project_reported(world, week_fixture):
    three_weeks_ago = WEEK_46.start - datetime.timedelta(weeks=3)
    ReportFactory(project=week_fixture["p2"], period=three_weeks_ago - datetime.timedelta(weeks=2))
    ReportFactory(project=week_fixture["p2"], period=three_weeks_ago)
    silent = rows(weekly_dispatch(WEEK_46, world.county_a), "silent")
    assert [(r[2], r[4]) for r in silent] == [("供水管网", three_weeks_ago.isoformat())]


def test_the_dispatch_names_a_silent_projects_last_week_as_a_week_on_the_page_and_in_excel(client, world, week_fixture):
    """Stored as the week's Monday (the API keeps it); read as the week, not as a day that
    looks like the day a report was sent."""
    import io

    from openpyxl import load_workbook

    ReportFactory(project=week_fixture["p2"], period=datetime.date(2026, 10, 19))
    rollup, _created = rollup_produce(kind="weekly_dispatch", period=WEEK_46, region=world.county_a)
    client.force_login(world.alice)
    page = client.get(rollup.get_absolute_url()).content.decode()
    assert "2026年第43周（10月19日–10月25日）" in page and "2026年10月19日" not in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("evaluations:rollup-xlsx", args=[rollup.pk])).content))
    silent = next(ws for ws in sheet.worksheets if ws.title == "本周未报项目")
    assert [row[4] for row in silent.iter_rows(min_row=2, values_only=True)] == ["2026年第43周（10月19日–10月25日）"]


def test_weekly_dispatch_lists_a_project_that_never_reported_without_a_last_week(world, week_fixture):
    silent = rows(weekly_dispatch(WEEK_46, world.county_a), "silent")
    assert [(r[2], r[4]) for r in silent] == [("供水管网", None)]


def test_weekly_dispatch_names_each_silent_alliance_and_person_in_alliance_code_order(world, week_fixture):
    world.alliance_a2.code = "LM-A-0"  # sorts before LM-A-1; the projects' copies follow it
    world.alliance_a2.save()
    person = PersonFactory(name="赵前")
    day = datetime.date(2026, 6, 1)
    due = day.replace(year=2027)
    ProjectFactory(alliance=world.alliance_a2, title="乙项目", start_on=day, due_on=due)
    ProjectFactory(alliance=world.alliance_a2, title="甲项目", start_on=day, due_on=due, responsible_person=person)
    week_fixture["p2"].responsible_person = None
    week_fixture["p2"].save()
    silent = rows(weekly_dispatch(WEEK_46, world.county_a), "silent")
    assert [r[:4] for r in silent] == [
        ["LM-A-0", "云龙产业联盟", "乙项目", ""],
        ["LM-A-0", "云龙产业联盟", "甲项目", "赵前"],
        ["LM-A-1", "姜山共富联盟", "供水管网", ""],
    ]


def test_weekly_dispatch_orders_each_table_as_it_reads(world, week_fixture):
    world.alliance_a2.code = "LM-A-0"  # sorts before alliance A's LM-A-1
    world.alliance_a2.save()
    overdue = ProjectFactory(
        alliance=world.alliance_a2,
        title="云龙项目",
        start_on=datetime.date(2026, 6, 1),
        due_on=datetime.date(2026, 10, 1),
    )
    ReportFactory(
        project=overdue,
        period=WEEK_46.start,
        percent_complete=60,
        needs_coordination=True,
        coordination_request="需协调资金",
        submitted_at=at(datetime.date(2026, 11, 14), 9),
    )
    report = weekly_dispatch(WEEK_46, world.county_a)
    assert [r[2] for r in rows(report, "late")] == ["云龙项目", "精品民宿", "直播带货"]  # by due date
    # By alliance code; within an alliance, in the order the reports came.
    assert [r[:2] for r in rows(report, "coordination")] == [
        ["LM-A-0", "云龙项目"],
        ["LM-A-1", "康养基地"],
        ["LM-A-1", "屋顶光伏"],
    ]
    assert rows(report, "coordination")[0][3] == "需协调资金"
    # By the week's gain, largest first.
    assert [(r[2], r[5]) for r in rows(report, "movement")] == [
        ("云龙项目", 60),
        ("康养基地", 25),
        ("屋顶光伏", 10),
        ("直播带货", 5),
    ]
    figures = summary(report)
    assert (figures["reports_expected"], figures["reports_received"], figures["reports_on_time"]) == (5, 4, 3)


def test_weekly_dispatch_lists_ties_by_alliance_code_then_in_the_order_rows_were_made(world):
    world.alliance_a2.code = "LM-A-0"  # sorts before alliance A's LM-A-1, though made after it
    world.alliance_a2.save()
    start, due = datetime.date(2026, 6, 1), datetime.date(2026, 10, 1)
    first = ProjectFactory(alliance=world.alliance_a, title="甲项目", start_on=start, due_on=due)
    second = ProjectFactory(alliance=world.alliance_a, title="乙项目", start_on=start, due_on=due)  # 乙 sorts before 甲
    third = ProjectFactory(alliance=world.alliance_a2, title="丙项目", start_on=start, due_on=due)
    for project in (second, first, third):  # the week's reports, second's first
        ReportFactory(
            project=project,
            period=WEEK_46.start,
            blockers="缺少资金",
            submitted_at=at(datetime.date(2026, 11, 12), 9),
        )
    report = weekly_dispatch(WEEK_46, world.county_a)
    # Due the same day: by alliance code, then in the order the projects were made.
    assert [r[2] for r in rows(report, "late")] == ["丙项目", "甲项目", "乙项目"]
    # By alliance code, then in the order the reports came.
    assert [r[1] for r in rows(report, "coordination")] == ["丙项目", "乙项目", "甲项目"]


def test_weekly_dispatch_of_a_county_without_projects_under_way_is_empty(world):
    report = weekly_dispatch(WEEK_46, world.county_a)
    figures = summary(report)
    assert (figures["reports_expected"], figures["reports_received"], figures["reports_on_time"]) == (0, 0, 0)
    assert rows(report, "silent") == rows(report, "movement") == rows(report, "coordination") == []


def test_weekly_dispatch_query_count_does_not_grow_with_the_data(world, week_fixture):
    with CaptureQueriesContext(connection) as small:
        weekly_dispatch(WEEK_46, world.county_a)
    for n in range(30):
        alliance = AllianceFactory(lead_region=world.town_a, code=f"LM-G-{n}")
        project = ProjectFactory(
            alliance=alliance, start_on=datetime.date(2026, 1, 1), due_on=datetime.date(2026, 2, 1)
        )
        ReportFactory(project=project, period=WEEK_46.start, submitted_at=at(datetime.date(2026, 11, 10), 9))
        WorkshopFactory(name=f"工坊{n}", region=world.village_a)
    with CaptureQueriesContext(connection) as large:
        report = weekly_dispatch(WEEK_46, world.county_a)
    assert summary(report)["reports_expected"] == 34
    assert len(large.captured_queries) == len(small.captured_queries)


def test_monthly_bulletin_ranks_and_totals(world, week_fixture):
    scheme = AssessmentScheme.objects.create(name="宁波", region=world.ningbo, year=2026, status="active")
    Indicator.objects.create(
        scheme=scheme, dimension="development", code="D1", name="完成率", metric="project_completion", max_score=100
    )
    week_fixture["p2"].planned_investment = Decimal("1000000")
    week_fixture["p2"].save()
    ReportFactory(
        project=week_fixture["p2"],
        period=datetime.date(2026, 10, 5),
        percent_complete=50,
        investment_to_date=Decimal("250000"),
    )
    shop = WorkshopFactory(name="十月工坊", region=world.village_a)
    WorkshopReportFactory(
        workshop=shop,
        month=datetime.date(2026, 10, 1),
        employed=30,
        low_income_employed=10,
        income_increase_per_person=Decimal("2000"),
    )
    report = monthly_bulletin(OCTOBER, world.county_a)
    figures = summary(report)
    assert figures["investment_to_date"] == "250000.00"
    assert figures["investment_planned"] == "1000000.00"
    assert figures["investment_rate"] == "25.0"
    # two workshop reports for October: 20 (+6 low income, 2100) and 30 (+10, 2000)
    assert figures["workshop_employed"] == 50 and figures["workshop_low_income"] == 16
    assert figures["workshop_income_increase"] == "2040.00"  # (20*2100 + 30*2000) / 50
    ranking = rows(report, "ranking")
    assert [r[1] for r in ranking] == ["LM-A-1", "LM-A-2"]  # A1 has progress, A2 none
    assert [r[0] for r in ranking] == [1, 2]


def test_monthly_bulletin_counts_projects_completed_by_their_completion_day_in_the_month(world, week_fixture):
    # Completed in October.
    in_october = ProjectFactory(
        alliance=world.alliance_a, title="十月完工", status="completed", completed_on=datetime.date(2026, 10, 22)
    )
    ReportFactory(project=in_october, period=datetime.date(2026, 10, 19))
    # Last reported in October, but completed in November: not October's.
    later = ProjectFactory(
        alliance=world.alliance_a, title="十一月完工", status="completed", completed_on=datetime.date(2026, 11, 3)
    )
    ReportFactory(project=later, period=datetime.date(2026, 10, 26))
    # Completed in October in another county: not this county's figure.
    elsewhere = ProjectFactory(
        alliance=world.alliance_b, title="外县完工", status="completed", completed_on=datetime.date(2026, 10, 14)
    )
    ReportFactory(project=elsewhere, period=datetime.date(2026, 10, 12))
    assert summary(monthly_bulletin(OCTOBER, world.county_a))["projects_completed"] == 1


def test_a_monthly_bulletin_through_the_service_is_one_immutable_record(world, week_fixture):
    first, created = rollup_produce(kind="monthly_bulletin", period=OCTOBER, region=world.county_a)
    again, created_again = rollup_produce(kind="monthly_bulletin", period=OCTOBER, region=world.county_a)
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert Rollup.objects.filter(kind="monthly_bulletin").count() == 1


def test_friday_reminders_go_once_to_leaders_with_unreported_projects(
    world, week_fixture, django_capture_on_commit_callbacks
):
    world.lily.email = "lily@example.com"
    world.lily.save()
    friday = datetime.date(2026, 11, 20)  # week 47: nothing reported yet
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_progress_reminders(today=friday)
        again = send_progress_reminders(today=friday)
    assert [n.recipient for n in sent] == [world.lily] and again == []
    assert Delivery.objects.get(notice__recipient=world.lily, channel="email").state == "sent"
    assert len(mail.outbox) == 1 and "进度" in mail.outbox[0].subject
    other = PersonFactory()
    assert not Notice.objects.filter(recipient__person=other).exists()


def test_dispatch_lists_who_was_reminded_and_who_then_reported(world, week_fixture):
    friday = datetime.date(2026, 11, 13)
    send_progress_reminders(today=friday)
    reminded = rows(weekly_dispatch(WEEK_46, world.county_a), "reminders")
    assert [r[0] for r in reminded] == ["lily"]
    assert reminded[0][2] == "否"  # her reports that week came from a factory user, none after the notice


def test_dispatch_lists_a_reminded_leader_of_two_alliances_once(world, week_fixture):
    TeamRole.objects.create(
        alliance=world.alliance_a2, person=world.lily.person, role="advisor", started_on=datetime.date(2026, 1, 1)
    )
    send_progress_reminders(today=datetime.date(2026, 11, 13))
    reminded = rows(weekly_dispatch(WEEK_46, world.county_a), "reminders")
    assert [r[:2] for r in reminded] == [["lily", world.lily.person.name]]


YEAR_2026 = Period.parse("year", "2026")


def scored_county(world, attainments: dict) -> AssessmentScheme:
    """County A's city scheme with one manual indicator (max 100) and no member part, each
    alliance's staff score given by ``attainments`` (alliance -> score out of 100)."""
    from evaluations.models import ManualScore

    scheme = AssessmentScheme.objects.create(
        name="宁波", region=world.ningbo, year=2026, status="active", member_weight=Decimal("0"), demonstration_top_n=1
    )
    indicator = Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌", max_score=100)
    for alliance, score in attainments.items():
        ManualScore.objects.create(
            alliance=alliance,
            indicator=indicator,
            period_kind="year",
            period_start=datetime.date(2026, 1, 1),
            score=score,
            scored_by=world.alice,
        )
    return scheme


def test_annual_review_grades_ranks_and_proposes_the_consequences(world):
    from evaluations.models import VetoFinding
    from evaluations.reports import annual_review

    third = AllianceFactory(lead_region=world.town_a, code="LM-A-3", name="第三联盟")
    scheme = scored_county(world, {world.alliance_a: 95, world.alliance_a2: 50, third: 92})
    VetoFinding.objects.create(
        alliance=third, kind="show_only", year=2026, note="样子货", confirmed=True, recorded_by=world.alice
    )
    for alliance, total in ((world.alliance_a, "90.50"), (world.alliance_b, "70.00")):  # 2025, B in another county
        Assessment.objects.create(
            scheme=scheme,
            alliance=alliance,
            period_kind="year",
            period_start=datetime.date(2025, 1, 1),
            total_score=total,
        )

    report = annual_review(YEAR_2026, world.county_a)

    figures = summary(report)
    assert (figures["alliances"], figures["excellent"], figures["poor"], figures["vetoed"]) == (3, 1, 2, 1)
    assert figures["demonstration_candidates"] == 0  # none confirmed yet
    results = {row[1]: row for row in rows(report, "results")}
    assert results["LM-A-1"][0] == 1 and results["LM-A-1"][5] == "示范候选（待确认）"
    assert results["LM-A-1"][6:] == ["90.50", "4.50"]  # last year's total and the change
    assert results["LM-A-2"][6:] == [None, None]  # not assessed last year
    assert "LM-B-1" not in results
    assert results["LM-A-2"][4] == "较差" and results["LM-A-2"][5] == "调整重组（待确认）"
    assert results["LM-A-3"][0] == 3 and results["LM-A-3"][5] == "整顿（待确认）"  # vetoed: below everyone
    scheme.refresh_from_db()
    assert scheme.is_frozen  # a final review freezes the scheme it used


def test_annual_review_applies_only_the_confirmed_proposals_and_shows_the_others_pending(world):
    from evaluations.models import Proposal
    from evaluations.reports import annual_review
    from tests.members.factories import OrganizationFactory

    third = AllianceFactory(lead_region=world.town_a, code="LM-A-3", name="第三联盟")
    scored_county(world, {world.alliance_a: 95, world.alliance_a2: 50, third: 60})
    decided = {"status": "confirmed", "reason": "经部务会研究", "decided_by": world.alice}
    common = {"year": 2026, "region": world.county_a, "basis": "2026年度考评"}
    Proposal.objects.create(kind="demonstration", alliance=world.alliance_a, **common, **decided)
    Proposal.objects.create(kind="reorganize", alliance=world.alliance_a2, **common)  # not decided yet
    overruled = {"status": "overruled", "reason": "另有原因", "decided_by": world.alice}
    Proposal.objects.create(kind="reorganize", alliance=third, **common, **overruled)
    pending_org = OrganizationFactory(name="后塘村党委", region=world.village_a)
    dropped_org = OrganizationFactory(name="前塘村党委", region=world.village_a)
    Proposal.objects.create(kind="award_ineligible", organization=world.org_a, **common, **decided)
    Proposal.objects.create(kind="award_ineligible", organization=pending_org, **common)
    Proposal.objects.create(kind="award_ineligible", organization=dropped_org, **common, **overruled)

    report = annual_review(YEAR_2026, world.county_a)

    results = {row[1]: row[5] for row in rows(report, "results")}
    assert results == {"LM-A-1": "示范候选", "LM-A-2": "调整重组（待确认）", "LM-A-3": ""}
    assert sorted((row[0], row[3]) for row in rows(report, "ineligible")) == [
        ("后塘村党委", "待确认"),
        ("走马塘村党委", "已确认"),
    ]
    figures = summary(report)
    assert (figures["demonstration_candidates"], figures["secretaries_ineligible"]) == (1, 1)


def test_quarterly_observation_proposes_the_fastest_movers_and_the_lowest_scores(world, week_fixture):
    from evaluations.reports import quarterly_observation

    scored_county(world, {})
    q4 = Period.parse("quarter", "2026-Q4")
    report = quarterly_observation(q4, world.county_a)
    movers = rows(report, "top_movers")
    laggards = rows(report, "laggards")
    assert [r[0] for r in movers] == ["LM-A-1", "LM-A-2"]  # A1's projects moved, A2 has none
    # (45 + 10 + 5 + 0) / the 4 projects under way (the planned one was not), in percentage points
    assert movers[0][3] == "15.0"
    quarter_totals = dict(
        Assessment.objects.filter(period_kind="quarter", period_start=q4.start).values_list(
            "alliance__code", "total_score"
        )
    )
    assert [r[4] for r in movers] == [str(quarter_totals["LM-A-1"]), str(quarter_totals["LM-A-2"])]
    assert laggards == []  # both alliances are already proposed as movers
    assert summary(report)["proposed"] == 2
