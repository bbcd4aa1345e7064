"""Each rollup and dashboard figure recomputed a second way, in plain Python from the raw
rows of a small hand-made data set, and compared with what the reports compute."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from alliances.models import Alliance
from core.periods import MONTH, QUARTER, WEEK, YEAR, Period
from evaluations.dashboard import CURRENT_WEEK, build
from evaluations.metrics import reporting_timeliness
from evaluations.models import Assessment, AssessmentScheme, Indicator, MemberResult, Rollup
from evaluations.reports import (
    annual_review,
    definition,
    monthly_bulletin,
    quarterly_observation,
    weekly_dispatch,
)
from evaluations.rollups import ANNUAL_REVIEW, KINDS, MONTHLY_BULLETIN, WEEKLY_DISPATCH
from evaluations.templatetags.reports import wan
from evaluations.texts import stored_text
from evaluations.views import report_sheets
from projects import reporting
from projects.models import Milestone, ProgressReport, ProgressReportRevision, Project
from projects.services import report_resubmit, report_review, report_submit
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.members.factories import OrganizationFactory, RegionFactory, township, village
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory
from tests.workshops.factories import ReportFactory as WorkshopReportFactory
from tests.workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
W48 = Period.parse(WEEK, "2026-W48")  # Monday 23 to Sunday 29 November 2026
OCTOBER = Period.parse(MONTH, "2026-10")
Q4 = Period.parse(QUARTER, "2026-Q4")
START = datetime.date(2026, 6, 1)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def summary(report: dict) -> dict:
    return {item["key"]: item["value"] for item in report["summary"]}


def table(report: dict, key: str) -> dict:
    return next(t for t in report["tables"] if t["key"] == key)


def percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- reports as of a moment


def standing_at(moment: datetime.datetime) -> dict[int, tuple[str, datetime.datetime]]:
    """Each report's state at ``moment`` replayed from its rows: every version's submission
    and every review, in time order. {report id: (status, submitted_at of the standing version)}."""
    events: dict[int, list[tuple]] = {}
    for rev in ProgressReportRevision.objects.values("report_id", "number", "submitted_at", "reviewed_at", "decision"):
        events.setdefault(rev["report_id"], []).append((rev["submitted_at"], 0, "submitted", rev["number"]))
        events[rev["report_id"]].append((rev["reviewed_at"], 1, rev["decision"], rev["number"]))
    for report in ProgressReport.objects.values("id", "revision", "submitted_at", "status", "reviewed_at"):
        mine = events.setdefault(report["id"], [])
        if not any(kind == "submitted" and number == report["revision"] for _t, _o, kind, number in mine):
            mine.append((report["submitted_at"], 0, "submitted", report["revision"]))
        if report["status"] != "submitted" and report["reviewed_at"] is None:
            mine.append((report["submitted_at"], 1, report["status"], report["revision"]))
    states = {}
    for report_id, happened in events.items():
        status, submitted = None, None
        for when, _order, kind, _number in sorted(happened, key=lambda e: (e[0], e[1])):
            if when > moment:
                break
            status = kind
            if kind == "submitted":
                submitted = when
        if status is not None:
            states[report_id] = (status, submitted)
    return states


def was_under_way(project: Project, day: datetime.date) -> bool:
    """Started by ``day``, out of planning, neither completed nor cancelled on or before it."""
    return (
        project.status != "planned"
        and project.start_on <= day
        and all(when is None or when > day for when in (project.completed_on, project.cancelled_on))
    )


def reporting_by_hand(projects: list[Project], week: Period, moment: datetime.datetime) -> tuple[int, int, int]:
    """(due, received, on time) of a week at ``moment``, from the raw rows: due from the
    projects under way at the week's Sunday, on time when the standing version was sent
    before the week's end plus the grace days."""
    grace = datetime.timedelta(days=settings.REPORT_DEADLINE_GRACE_DAYS)
    deadline = datetime.datetime.combine(week.end + grace, datetime.time(), tzinfo=SHANGHAI)
    states = standing_at(moment)
    projects = Project.objects.filter(pk__in=[p.pk for p in projects])
    under_way = [p.pk for p in projects if was_under_way(p, week.last_day)]
    reports = dict(
        ProgressReport.objects.filter(period=week.start).values_list("project_id", "id")
    )  # one report per project and week
    received = on_time = 0
    for project_id in under_way:
        state = states.get(reports.get(project_id))
        if state is None or state[0] == "returned":
            continue
        received += 1
        on_time += state[1] < deadline
    return len(under_way), received, on_time


@pytest.fixture
def week_48(world, settings):
    """Nine projects under way in alliance A, their reports of week 48 in every state (no
    grace days: the deadline is the week's end, before the dispatch's cut-off)."""
    settings.REPORT_DEADLINE_GRACE_DAYS = 0
    projects = {
        name: ProjectFactory(alliance=world.alliance_a, title=name, start_on=START, due_on=datetime.date(2027, 6, 1))
        for name in "ABCDEFGHI"
    }
    lily, alice = world.lily, world.alice

    def submit(name, when):
        return report_submit(
            actor=lily, project=projects[name], period=W48.start, percent_complete=30, work_done="施工", now=when
        )

    def review(report, decision, when):
        report_review(actor=alice, report=report, decision=decision, comment="请补充照片", now=when)
        report.refresh_from_db()
        return report

    def resubmit(report, when):
        return report_resubmit(actor=lily, report=report, work_done="已补充", now=when)

    wednesday = at(11, 25, 10)
    review(submit("A", wednesday), "accepted", at(11, 26, 9))  # received, on time
    review(submit("B", wednesday), "returned", at(11, 27, 9))  # left returned
    resubmit(review(submit("C", wednesday), "returned", at(11, 26, 9)), at(11, 28, 9))  # sent again in time
    resubmit(review(submit("D", wednesday), "returned", at(11, 29, 20)), at(11, 30, 1))  # sent again late
    review(submit("E", wednesday), "returned", at(11, 30, 9))  # returned after the cut-off
    submit("F", at(11, 30, 10))  # first sent after the cut-off
    # G: nothing
    resubmit(review(submit("H", wednesday), "returned", at(11, 27, 9)), at(12, 1, 9))  # sent again after the cut-off
    submit("I", at(11, 30, 3))  # after the week's end, before the cut-off
    return projects


def test_the_dispatch_counts_a_report_left_returned_at_its_cut_off_as_not_received(world, week_48):
    report = weekly_dispatch(W48, world.county_a)
    figures = summary(report)
    cutoff = at(11, 30, 6)  # the Monday after the week, 06:00
    expected, received, on_time = reporting_by_hand(list(week_48.values()), W48, cutoff)
    assert (expected, received, on_time) == (9, 5, 3)  # A C D E I received; A C E on time
    assert (figures["reports_expected"], figures["reports_received"], figures["reports_on_time"]) == (
        expected,
        received,
        on_time,
    )
    assert figures["reporting_rate"] == percent(received, expected) == "55.6"
    assert figures["on_time_rate"] == percent(on_time, expected)
    assert figures["silent_projects"] == expected - received
    silent = {row[2]: row[5] for row in table(report, "silent")["rows"]}
    assert silent == {"B": "已退回未重报", "F": "截止后填报", "G": "未填报", "H": "已退回未重报"}
    # A returned report's progress is not the week's movement.
    assert sorted(row[2] for row in table(report, "movement")["rows"]) == ["A", "C", "D", "E", "I"]


@pytest.fixture
def november(world, settings):
    """Alliance A's projects through November 2026 (Mondays 2, 9, 16, 23, 30), no grace days."""
    settings.REPORT_DEADLINE_GRACE_DAYS = 0
    lily, alice = world.lily, world.alice
    mondays = [datetime.date(2026, 11, day) for day in (2, 9, 16, 23, 30)]

    def project(title, **dates):
        return ProjectFactory(
            alliance=world.alliance_a, title=title, start_on=START, due_on=datetime.date(2027, 6, 1), **dates
        )

    def submit(target, monday, when):
        return report_submit(actor=lily, project=target, period=monday, percent_complete=30, work_done="施工", now=when)

    def sent_back(report, when):
        report_review(actor=alice, report=report, decision="returned", comment="请补充照片", now=when)
        report.refresh_from_db()
        return report

    def day(monday, days, hour):
        return datetime.datetime.combine(monday, datetime.time(hour), tzinfo=SHANGHAI) + datetime.timedelta(days=days)

    steady, mixed = project("每周都报"), project("有退有迟")
    for monday in mondays:
        submit(steady, monday, day(monday, 2, 10))
    # returned and corrected before the deadline: counts
    report_resubmit(
        actor=lily,
        report=sent_back(submit(mixed, mondays[0], day(mondays[0], 1, 9)), day(mondays[0], 2, 9)),
        work_done="已补充",
        now=day(mondays[0], 4, 9),
    )
    sent_back(submit(mixed, mondays[1], day(mondays[1], 1, 9)), day(mondays[1], 3, 9))  # left returned: missing
    submit(mixed, mondays[2], day(mondays[2], 7, 3))  # Monday 03:00 after the week: late
    # completed on Wednesday 18 November: owes the weeks of 2 and 9 November only
    completed = project("月中完工", status="completed", completed_on=datetime.date(2026, 11, 18))
    for monday in mondays[:3]:
        ReportFactory(project=completed, period=monday, submitted_at=day(monday, 1, 9))
    # cancelled on Tuesday 10 November: owes the week of 2 November only
    cancelled = project("中途取消", status="cancelled", cancelled_on=datetime.date(2026, 11, 10))
    ReportFactory(project=cancelled, period=mondays[0], submitted_at=day(mondays[0], 1, 9))
    ReportFactory(project=cancelled, period=mondays[1], submitted_at=day(mondays[1], 1, 9))
    return [steady, mixed, completed, cancelled], mondays


def test_the_dispatch_and_the_timeliness_indicator_agree_with_one_hand_count(world, november):
    projects, mondays = november
    by_hand = [0, 0, 0]
    dispatched = [0, 0, 0]
    for monday in mondays:
        week = Period(WEEK, monday)
        cutoff = datetime.datetime.combine(monday, datetime.time(6), tzinfo=SHANGHAI) + datetime.timedelta(days=7)
        for total, value in zip(range(3), reporting_by_hand(projects, week, cutoff), strict=True):
            by_hand[total] += value
        figures = summary(weekly_dispatch(week, world.county_a))
        for total, key in enumerate(("reports_expected", "reports_received", "reports_on_time")):
            dispatched[total] += figures[key]
    # due: 每周都报 5, 有退有迟 5, 月中完工 2, 中途取消 1; received: all but the one left
    # returned and 有退有迟's weeks of 23 and 30 November; on time: less the late one.
    assert by_hand == dispatched == [13, 10, 9]
    month = Period.parse(MONTH, "2026-11")
    rule = reporting.figures(
        Project.objects.all(), reporting.weeks_of(month), reporting.period_cutoff(month), by="alliance_id"
    )[world.alliance_a.pk]
    assert (rule.due, rule.received, rule.on_time, rule.late, rule.missing) == (13, 10, 9, 1, 3)
    attainment = reporting_timeliness(Alliance.objects.filter(pk=world.alliance_a.pk), month, None)
    assert attainment == {world.alliance_a.pk: (Decimal(9) / 13).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)}


def test_a_silent_projects_last_week_is_the_last_before_the_dispatchs_week(world, week_48):
    ReportFactory(project=week_48["G"], period=W48.start - datetime.timedelta(weeks=2))
    ReportFactory(project=week_48["G"], period=W48.start + datetime.timedelta(weeks=1))  # a later week
    periods = sorted(ProgressReport.objects.filter(project=week_48["G"]).values_list("period", flat=True))
    by_hand = max(p for p in periods if p < W48.start)
    silent = {row[2]: row[4] for row in table(weekly_dispatch(W48, world.county_a), "silent")["rows"]}
    assert silent["G"] == by_hand.isoformat()


def test_the_dispatch_is_the_same_when_produced_again_later(world, week_48):
    first = summary(weekly_dispatch(W48, world.county_a))
    resubmit = ProgressReport.objects.get(project=week_48["B"])
    report_resubmit(actor=world.lily, report=resubmit, work_done="迟到的修改", now=at(12, 3, 9))
    assert summary(weekly_dispatch(W48, world.county_a)) == first


def test_the_dashboard_rate_is_the_last_complete_weeks_counted_as_the_dispatch_counts(world, week_48):
    monday_early = at(11, 30, 0, 6)
    board = build(world.alice, now=monday_early)
    assert board.last_week == W48
    expected, received, _on_time = reporting_by_hand(list(week_48.values()), W48, monday_early)
    assert (expected, received) == (9, 3)  # A C E; D was sent again at 01:00, I at 03:00
    assert board.figure("reports_expected").value == expected
    assert board.figure("reports_received").value == received
    assert board.figure("reporting_rate").value == percent(received, expected) == "33.3"
    # At the dispatch's cut-off the dashboard and the dispatch say the same.
    at_cutoff = build(world.alice, now=at(11, 30, 6))
    assert at_cutoff.figure("reporting_rate").value == summary(weekly_dispatch(W48, world.county_a))["reporting_rate"]


def test_the_week_under_way_is_shown_apart_and_labelled(client, world, week_48):
    sunday_night = at(11, 29, 23, 50)
    board = build(world.alice, now=sunday_night)
    # Sunday night the last complete week is week 47 (nothing due was reported).
    assert board.last_week == W48.previous()
    assert board.figure("reporting_rate").value == "0.0"
    current = {f.key: f for f in board.current_week_figures}
    assert set(current) == {"current_week_received", "reports_silent", "current_week_rate"}
    assert all("本周未结束" in f.label and f.help for f in current.values())
    assert "current_week_rate" not in [f.key for f in board.main_figures]
    client.force_login(world.alice)
    page = client.get(reverse("evaluations:dashboard")).content.decode()
    week_section = page[page.index('id="current-week"') :]
    assert "本周尚未结束" in week_section and 'data-key="current_week_rate"' in week_section
    assert 'data-key="current_week_rate"' not in page[page.index('id="figures"') : page.index('id="current-week"')]


# ---------------------------------------------------------------- overdue milestones


def overdue_by_hand(day: datetime.date) -> set[int]:
    """Projects late on ``day``, from the raw rows: not finished before ``day`` (open now, or
    completed or cancelled on it or later), and the project's due date or a milestone's due
    date passed with the milestone not done before ``day``."""
    open_projects = {
        row["id"]: row
        for row in Project.objects.values("id", "status", "due_on", "completed_on", "cancelled_on")
        if row["status"] in ("planned", "in_progress", "delayed")
        or (row["completed_on"] is not None and row["completed_on"] >= day)
        or (row["cancelled_on"] is not None and row["cancelled_on"] >= day)
    }
    late = {pk for pk, row in open_projects.items() if row["due_on"] < day}
    for milestone in Milestone.objects.values("project_id", "due_on", "done_on"):
        done_before = milestone["done_on"] is not None and milestone["done_on"] < day
        if milestone["project_id"] in open_projects and milestone["due_on"] < day and not done_before:
            late.add(milestone["project_id"])
    return late


@pytest.fixture
def milestones(world):
    third = AllianceFactory(lead_region=world.town_a, code="LM-A-3", name="第三联盟")
    due = datetime.date(2027, 6, 1)
    p1 = ProjectFactory(alliance=world.alliance_a, title="一号项目", year=2026, start_on=START, due_on=due)
    p2 = ProjectFactory(alliance=world.alliance_a2, title="二号项目", year=2026, start_on=START, due_on=due)
    p3 = ProjectFactory(alliance=third, title="三号项目", year=2026, start_on=START, due_on=due)
    MilestoneFactory(project=p1, title="主体完工", due_on=datetime.date(2026, 10, 20))  # never done
    MilestoneFactory(  # done, but after the month: overdue at its end
        project=p2, title="设备安装", due_on=datetime.date(2026, 10, 20), done_on=datetime.date(2026, 11, 5)
    )
    MilestoneFactory(project=p3, title="招标", due_on=datetime.date(2026, 10, 20), done_on=datetime.date(2026, 10, 25))
    for project in (p1, p2, p3):  # half done in October: 50 points, above every line of the scheme
        ReportFactory(project=project, period=datetime.date(2026, 10, 12), percent_complete=50)
    scheme = AssessmentScheme.objects.create(
        name="宁波",
        region=world.ningbo,
        year=2026,
        status="active",
        member_weight=0,
        excellent_min=3,
        good_min=2,
        fair_min=1,
    )
    Indicator.objects.create(
        scheme=scheme, dimension="development", code="D1", name="完成率", metric="project_completion", max_score=100
    )
    return third


def test_the_bulletins_yellow_flag_counts_the_overdue_milestones_the_dispatch_counts(world, milestones):
    report = monthly_bulletin(OCTOBER, world.county_a)
    late_projects = overdue_by_hand(OCTOBER.end)
    late_alliances = set(Project.objects.filter(pk__in=late_projects).values_list("alliance__code", flat=True))
    assert late_alliances == {"LM-A-1", "LM-A-2"}
    flags = {row[0]: row[2] for row in table(report, "flags")["rows"]}
    # Every alliance is graded 优秀 here (50 points, the lines at 1-3): yellow only for being late.
    assert flags == {code: "黄" if code in late_alliances else "绿" for code in ("LM-A-1", "LM-A-2", "LM-A-3")}
    assert summary(report)["flag_yellow"] == len(late_alliances)


def test_a_project_finished_after_the_month_was_late_at_its_end(world, milestones):
    """Past its due date on 31 October and completed only on 3 November: the October bulletin,
    read on any day after, counts its alliance late (yellow); November's does not."""
    ProjectFactory(
        alliance=milestones,
        title="四号项目",
        year=2026,
        start_on=START,
        due_on=datetime.date(2026, 10, 15),
        status="completed",
        completed_on=datetime.date(2026, 11, 3),
    )
    assert "四号项目" in set(
        Project.objects.filter(pk__in=overdue_by_hand(OCTOBER.end)).values_list("title", flat=True)
    )
    flags = {row[0]: row[2] for row in table(monthly_bulletin(OCTOBER, world.county_a), "flags")["rows"]}
    assert flags["LM-A-3"] == "黄"
    november = Period.parse(MONTH, "2026-11")
    assert "四号项目" not in set(
        Project.objects.filter(pk__in=overdue_by_hand(november.end)).values_list("title", flat=True)
    )
    assert not Project.objects.filter(title="四号项目").with_late_flag(november.end).get().is_late


def test_the_dispatchs_late_table_gives_the_status_a_project_had_at_the_weeks_end(world, milestones):
    """Late when week 44 ended and completed on 3 November: the dispatch, produced again
    after, lists it late as 推进中 (its history's status then), not as today's 已完成."""
    project = ProjectFactory.build(
        alliance=milestones, title="四号项目", year=2026, start_on=START, due_on=datetime.date(2026, 10, 15)
    )
    project._history_date = datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC)
    project.save()
    project.status, project.completed_on = "completed", datetime.date(2026, 11, 3)
    project._history_date = datetime.datetime(2026, 11, 3, 10, tzinfo=datetime.UTC)
    project.save()
    week = Period.parse(WEEK, "2026-W44")
    late = {row[2]: row[4] for row in table(weekly_dispatch(week, world.county_a), "late")["rows"]}
    assert stored_text(late["四号项目"]) == "推进中"


def test_the_dispatch_lists_the_same_late_projects_and_names_their_milestones(world, milestones):
    week = Period.parse(WEEK, "2026-W44")  # 26 October to 1 November: ends with the month
    report = weekly_dispatch(week, world.county_a)
    late = {row[2]: stored_text(row[5]) for row in table(report, "late")["rows"]}
    by_hand = set(Project.objects.filter(pk__in=overdue_by_hand(week.end)).values_list("title", flat=True))
    assert set(late) == by_hand == {"一号项目", "二号项目"}
    assert late == {"一号项目": "主体完工（2026年10月20日）", "二号项目": "设备安装（2026年10月20日）"}


# ---------------------------------------------------------------- quarterly top movers


def test_quarterly_top_movers_average_only_the_projects_under_way_in_the_quarter(world):
    a = world.alliance_a
    active = ProjectFactory(alliance=a, title="推进中", start_on=START)
    ReportFactory(project=active, period=datetime.date(2026, 9, 28), percent_complete=30)
    ReportFactory(project=active, period=datetime.date(2026, 11, 2), percent_complete=60)
    # Sent back by the county: its 95% was not accepted, the 60% before it stands.
    ReportFactory(
        project=active,
        period=datetime.date(2026, 11, 16),
        percent_complete=95,
        status="returned",
        review_comment="进度虚报",
    )
    done_before = ProjectFactory(
        alliance=a,
        title="季前完成",
        start_on=datetime.date(2026, 3, 2),
        status="completed",
        completed_on=datetime.date(2026, 9, 12),
    )
    ReportFactory(project=done_before, period=datetime.date(2026, 9, 7), percent_complete=100)
    done_during = ProjectFactory(
        alliance=a, title="季内完成", start_on=START, status="completed", completed_on=datetime.date(2026, 10, 24)
    )
    ReportFactory(project=done_during, period=datetime.date(2026, 9, 21), percent_complete=50)
    ReportFactory(project=done_during, period=datetime.date(2026, 10, 19), percent_complete=100)
    ProjectFactory(alliance=a, title="新开工", start_on=datetime.date(2026, 12, 7))  # under way, no report yet
    ProjectFactory(
        alliance=a,
        title="明年开工",
        start_on=datetime.date(2027, 1, 4),
        due_on=datetime.date(2027, 6, 1),
        status="planned",
    )
    cancelled = ProjectFactory(alliance=a, title="已取消", start_on=START, status="cancelled")
    ReportFactory(project=cancelled, period=datetime.date(2026, 10, 5), percent_complete=40)

    gains = []
    reports = list(ProgressReport.objects.exclude(status="returned").values("project_id", "period", "percent_complete"))
    for project in Project.objects.filter(alliance=a).values("id", "status", "start_on", "completed_on"):
        mine = [r for r in reports if r["project_id"] == project["id"]]
        # Under way on some day of the quarter, and not cancelled.
        days = [Q4.start + datetime.timedelta(days=n) for n in range((Q4.end - Q4.start).days)]
        under_way = any(
            project["start_on"] <= day and (project["completed_on"] is None or project["completed_on"] > day)
            for day in days
        )
        if not under_way or project["status"] in ("planned", "cancelled"):
            continue

        def latest_before(day, mine=mine):
            earlier = sorted((r["period"], r["percent_complete"]) for r in mine if r["period"] < day)
            return earlier[-1][1] if earlier else 0

        gains.append(latest_before(Q4.end) - latest_before(Q4.start))
    assert sorted(gains) == [0, 30, 50]
    by_hand = (Decimal(sum(gains)) / len(gains)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    movers = table(quarterly_observation(Q4, world.county_a), "top_movers")["rows"]
    assert movers[0][:2] == ["LM-A-1", "姜山共富联盟"]
    assert movers[0][3] == str(by_hand) == "26.7"


# ---------------------------------------------------------------- 两优一先


def test_the_award_list_shows_each_organization_once_with_its_region(world):
    second_village = village(world.town_a, 2, "后塘村")
    same_name = OrganizationFactory(name=world.org_a.name, region=second_village)  # 走马塘村党委 twice
    MembershipFactory(alliance=world.alliance_a, organization=same_name, role="member")
    scheme = AssessmentScheme.objects.create(name="宁波", region=world.ningbo, year=2026, status="active")
    Indicator.objects.create(
        scheme=scheme, dimension="development", code="D1", name="完成率", metric="project_completion", max_score=100
    )
    report = annual_review(Period.parse(YEAR, "2026"), world.county_a)  # no progress: 较差

    losing = MemberResult.objects.filter(period_kind="year", loses_award_eligibility=True).values(
        "organization_id", "organization__name", "organization__region__name"
    )
    by_hand = sorted((row["organization__name"], row["organization__region__name"]) for row in losing)
    ineligible = table(report, "ineligible")
    assert [c["key"] for c in ineligible["columns"]] == ["organization", "region", "secretary", "decision"]
    assert {row[3] for row in ineligible["rows"]} == {"待确认"}  # the rule proposes, staff decide
    assert sorted((row[0], row[1]) for row in ineligible["rows"]) == by_hand
    assert by_hand == [("走马塘村党委", "后塘村"), ("走马塘村党委", "走马塘村")]
    assert sorted(ineligible["links"]["ids"]) == sorted(row["organization_id"] for row in losing)
    assert summary(report)["secretaries_ineligible"] == 0  # none confirmed yet


# ---------------------------------------------------------------- the city's own bulletin


def stored(kind: str, period: Period, region, report: dict) -> Rollup:
    """The report as a published rollup."""
    return Rollup.objects.create(
        kind=kind, period_key=period.key, period_start=period.start, region=region, report=report
    )


def bulletin(region, report: dict) -> Rollup:
    return stored(MONTHLY_BULLETIN, OCTOBER, region, report)


def test_the_city_dashboard_shows_the_citys_own_bulletin_with_its_counties(client, world, milestones):
    cixi = RegionFactory(code="330282000000", name="慈溪市", parent=world.ningbo)  # the highest county code
    spent = ProjectFactory(
        alliance=world.alliance_a, title="有投资", start_on=START, year=2026, planned_investment=Decimal("1000000")
    )
    ReportFactory(project=spent, period=datetime.date(2026, 10, 12), investment_to_date=Decimal("250000"))
    city = bulletin(world.ningbo, monthly_bulletin(OCTOBER, world.ningbo))
    bulletin(world.county_a, monthly_bulletin(OCTOBER, world.county_a))
    bulletin(cixi, monthly_bulletin(OCTOBER, cixi))

    board = build(world.carol)
    assert board.bulletin == city
    counties = {row[0]: row for row in board.counties["rows"]}
    assert set(counties) == {"鄞州区", "慈溪市"}
    # By hand: county A's three alliances are ranked, two of them late (yellow, as every
    # alliance is graded 优秀); its investment to date is the one report's.
    totals = list(
        Assessment.objects.filter(
            period_kind="month", period_start=OCTOBER.start, alliance__lead_region__code__startswith="330212"
        ).values_list("total_score", flat=True)
    )
    average = (sum(totals) / len(totals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert counties["鄞州区"][1:6] == [len(totals), str(average), 0, 2, len(totals) - 2]
    latest = {}
    for row in (
        ProgressReport.objects.filter(period__lt=OCTOBER.end)
        .order_by("period")
        .values("project_id", "investment_to_date")
    ):
        latest[row["project_id"]] = row["investment_to_date"]
    planned = sum(
        p.planned_investment or 0 for p in Project.objects.filter(year=2026, alliance__code__startswith="LM-A")
    )
    spent_by_hand = sum(latest.values())
    assert counties["鄞州区"][6:] == [str(spent_by_hand), percent(spent_by_hand, planned)] == ["250000.00", "25.0"]
    assert counties["慈溪市"][1] == 0
    # A county's staff see their county's bulletin, never another's; a township's none above it.
    assert build(world.alice).bulletin.region == world.county_a
    assert build(world.tina).bulletin is None
    client.force_login(world.carol)
    page = client.get(reverse("evaluations:dashboard")).content.decode()
    assert 'id="bulletin-counties"' in page and "各区县对比" in page


# ---------------------------------------------------------------- the pages


def test_dispatch_rows_link_to_their_projects(client, world, week_48):
    rollup = stored(WEEKLY_DISPATCH, W48, world.county_a, weekly_dispatch(W48, world.county_a))
    client.force_login(world.alice)
    page = client.get(rollup.get_absolute_url()).content.decode()
    silent = page[page.index('id="table-silent"') : page.index("</table>", page.index('id="table-silent"'))]
    links = re.findall(r'<a href="(/projects/\d+/)">([A-I])</a>', silent)
    assert links == [(week_48[name].get_absolute_url(), name) for name in "BFGH"]


def test_a_city_review_links_only_the_organizations_the_reader_may_see(client, world):
    cixi = RegionFactory(code="330282000000", name="慈溪市", parent=world.ningbo)
    town = township(cixi, 1, "坎墩街道")
    elsewhere = OrganizationFactory(name="坎墩村党委", region=village(town, 1, "坎墩村"))
    MembershipFactory(alliance=AllianceFactory(lead_region=town, code="LM-C-1"), organization=elsewhere, role="lead")
    scheme = AssessmentScheme.objects.create(name="宁波", region=world.ningbo, year=2026, status="active")
    Indicator.objects.create(
        scheme=scheme, dimension="development", code="D1", name="完成率", metric="project_completion", max_score=100
    )
    year = Period.parse(YEAR, "2026")
    rollup = stored(ANNUAL_REVIEW, year, world.ningbo, annual_review(year, world.ningbo))
    client.force_login(world.alice)  # county A's staff read the city's review
    page = client.get(rollup.get_absolute_url()).content.decode()
    ineligible = page[page.index('id="table-ineligible"') : page.index("</table>", page.index('id="table-ineligible"'))]
    assert "坎墩村党委" in ineligible and "走马塘村党委" in ineligible
    assert f'href="{world.org_a.get_absolute_url()}"' in ineligible
    assert elsewhere.get_absolute_url() not in ineligible


def test_money_on_rollup_pages_is_in_wan_yuan_and_yuan_in_excel(client, world, milestones):
    assert wan(Decimal("60959800")) == "6,095.98"
    assert wan("12345") == "1.23" and wan("15000") == "1.50" and wan(None) == "—"
    project = ProjectFactory(
        alliance=world.alliance_a, title="有投资", start_on=START, year=2026, planned_investment=Decimal("1000000")
    )
    ReportFactory(project=project, period=datetime.date(2026, 10, 12), investment_to_date=Decimal("250000"))
    rollup = bulletin(world.county_a, monthly_bulletin(OCTOBER, world.county_a))
    client.force_login(world.alice)
    page = client.get(rollup.get_absolute_url()).content.decode()
    assert re.search(r'<dt>累计完成投资（万元）</dt><dd data-key="investment_to_date">25.00</dd>', page)
    sheet = report_sheets(rollup)[0][2]
    assert ["累计完成投资（元）", Decimal("250000.00")] in sheet


def test_every_rollup_figure_and_table_has_its_definition_on_the_page(client, world, milestones):
    WorkshopReportFactory(workshop=WorkshopFactory(region=world.village_a), month=OCTOBER.start)
    periods = {
        WEEKLY_DISPATCH: W48,
        MONTHLY_BULLETIN: OCTOBER,
        "quarterly_observation": Q4,
        ANNUAL_REVIEW: Period.parse(YEAR, "2026"),
    }
    client.force_login(world.alice)
    for kind, rollup_kind in KINDS.items():
        report = rollup_kind.compute(periods[kind], world.county_a)
        keys = [item["key"] for item in report["summary"]] + [t["key"] for t in report["tables"]]
        assert all(definition(kind, key) for key in keys), (kind, [k for k in keys if not definition(kind, k)])
        rollup = stored(kind, periods[kind], world.county_a, report)
        page = client.get(rollup.get_absolute_url()).content.decode()
        for t in report["tables"]:
            assert f'id="legend-{t["key"]}"' in page
            assert str(definition(kind, t["key"])) in page
    city_report = monthly_bulletin(OCTOBER, world.ningbo)
    assert definition(MONTHLY_BULLETIN, "counties") and table(city_report, "counties")


def test_every_dashboard_figure_has_its_definition(world):
    board = build(world.alice)
    assert all(figure.help for figure in board.figures)
    assert {f.key for f in board.figures if f.group == CURRENT_WEEK} == {
        "current_week_received",
        "reports_silent",
        "current_week_rate",
    }


def test_year_to_date_workshop_employment_is_labelled_person_months(client, world):
    shop = WorkshopFactory(region=world.village_a)
    for month in (9, 10):
        WorkshopReportFactory(workshop=shop, month=datetime.date(2026, month, 1), employed=20)
    client.force_login(world.alice)
    page = client.get(reverse("workshops:summary"), {"month": "2026-10"}).content.decode()
    year_to_date = page[page.index('id="year-to-date"') :]
    month = page[page.index('id="month"') : page.index('id="year-to-date"')]
    employed_labels = re.findall(r'data-label="(带动就业[^"]*)"', year_to_date)
    assert employed_labels and all(label == "带动就业（人·月）" for label in employed_labels)
    assert set(re.findall(r'data-label="(带动就业[^"]*)"', month)) == {"带动就业（人）"}
