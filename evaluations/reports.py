"""The four periodic reports: weekly dispatch, monthly bulletin, quarterly observation and
annual review. Each is a pure function of (period, region) that asks the database for
every figure; the number of queries does not depend on how many alliances, projects or
reports there are (it grows only with the few counties of a city for the city bulletin).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import TeamRole
from core.audit import value_then
from core.db import value_of
from core.periods import MONTH, Period, local_zone
from members.models import Person, Region
from notices.models import Event, Notice
from projects import reporting
from projects.models import (
    MONEY,
    OPEN_STATUSES,
    Milestone,
    ProgressReport,
    Project,
    ProjectStatus,
    ReportStatus,
    latest_standing_report,
)
from tracking.figures import as_of, bucket_then, days_open_then
from tracking.models import Bucket, ItemState, TrackedItem
from workshops.models import Workshop, WorkshopReport

from .models import Assessment, AssessmentScheme, Grade, MemberResult, Proposal, ProposalKind, ProposalStatus
from .rollups import (
    ANNUAL_REVIEW,
    MONTHLY_BULLETIN,
    QUARTERLY_OBSERVATION,
    WEEKLY_DISPATCH,
    RollupKind,
    column,
    money,
    percent,
    register,
    score_text,
    summary_item,
    table,
)
from .scoring import assessed_alliances, members_below_four_stars, score_regions, take_with_ties
from .texts import YUAN_SUFFIXES, date_param, list_param, month_param, phrase, stored_text

OBSERVATION_SLOTS = 3
# The tables of a quarterly observation (see quarterly_observation) that list the alliances
# proposed for an on-site visit, each row starting with the alliance's code.
OBSERVATION_TABLES = ("top_movers", "laggards")


def projects_in(region: Region) -> QuerySet:
    return Project.objects.filter(region.within("alliance__lead_region"))


def linked(table_: dict, kind: str, column_key: str, ids: list[int]) -> dict:
    """The table with the id of the object behind each row (``kind``: "project" or
    "organization"): the page links the cell of ``column_key`` to it when the reader may
    see it. Excel files and the API ignore the key."""
    table_["links"] = {"kind": kind, "column": column_key, "ids": ids}
    return table_


def project_table(key: str, title, columns: list[dict], projects: list, row) -> dict:
    """A table with a row (``row(project)``) for each of the projects, linked to them."""
    return linked(
        table(key, title, columns, [row(project) for project in projects]),
        "project",
        "project",
        [project.pk for project in projects],
    )


# ------------------------------------------------------------------- weekly reports as of a moment
#
# Due, received, on time and late are projects.reporting's rule. The dispatch reads them as
# of its cut-off: it is produced on the Monday after its week at 06:00 (the beat schedule),
# and producing it again later gives the same figures.
DISPATCH_CUTOFF = datetime.timedelta(days=7, hours=6)


def dispatch_cutoff(week_start: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(week_start, datetime.time(), tzinfo=local_zone()) + DISPATCH_CUTOFF


# ------------------------------------------------------------------- weekly dispatch


def overdue_milestones(project_ids: list[int], day: datetime.date) -> dict[int, dict]:
    """Each project's milestones overdue on ``day`` (Milestone.objects.overdue_on, the rule
    of the late flag), as one stored text that reads "title（2026年12月6日）、…" (the date
    and the separator in the reader's language)."""
    titles: dict[int, list[dict]] = {}
    rows = (
        Milestone.objects.overdue_on(day)
        .filter(project_id__in=project_ids)
        .order_by("project_id", "due_on", "pk")
        .values_list("project_id", "title", "due_on")
    )
    for project_id, title, due_on in rows:
        titles.setdefault(project_id, []).append(
            phrase(_("%(title)s（%(date)s）"), title=title, date=date_param(due_on))
        )
    return {project_id: list_param(names) for project_id, names in titles.items()}


BUCKET_ORDER = [Bucket.OVERDUE, Bucket.NEW, Bucket.IN_PROGRESS, Bucket.HANDLED]


def dispatch_items(period: Period, region: Region, cutoff: datetime.datetime) -> list:
    """The region's tracked items as of the dispatch's cut-off (tracking.figures.as_of:
    state, department and deadline from each item's history up to then): every item
    raised by then and not confirmed solved before the week began, each with its bucket
    and days open as of the cut-off's day; overdue first, then new, in progress, handled,
    each by deadline."""
    day = period.end
    rows = list(
        as_of(TrackedItem.objects.filter(region.within("alliance__lead_region")), cutoff)
        .exclude(closed_at__lt=period.start_at)
        .values_list(
            "pk",
            "alliance__code",
            "alliance__name",
            "title",
            "department_then",
            "deadline_then",
            "state_then",
            "raised_on",
            "closed_day_then",
            named=True,
        )
    )
    order = {bucket: place for place, bucket in enumerate(BUCKET_ORDER)}
    items = [(row, bucket_then(row, day), days_open_then(row, day)) for row in rows]
    never = datetime.date.max
    return sorted(items, key=lambda item: (order[item[1]], item[0].deadline_then or never, item[0].pk))


def weekly_dispatch(period: Period, region: Region) -> dict:
    # One query reads the region's open projects, each with its report of the week (a
    # filtered left join: one report per project and week, a unique constraint) and
    # whether that report was received and on time as of the dispatch's cut-off. The
    # database returns the rows in the silent table's order and numbers them in the
    # movement table's (alliance codes and titles in its collation); the late and
    # coordination tables place each alliance where that first order put it. A subquery
    # under a CASE runs only for the rows that show its value: the previous week's
    # progress for a received report, the last week reported and the person for a silent
    # project.
    cutoff = dispatch_cutoff(period.start)
    this_week = ProgressReport.objects.filter(project=OuterRef("pk"), period=period.start)
    under_way = reporting.under_way_in_week(period.start)
    reported = Q(due=True, received=True)
    silent = Q(due=True, received=False)
    earlier = ProgressReport.objects.filter(project=OuterRef("pk"), period__lt=period.start).order_by("-period")
    before = earlier.exclude(status=ReportStatus.RETURNED)
    projects = list(
        projects_in(region)
        .filter(Q(status__in=OPEN_STATUSES) | under_way)
        .with_late_flag(period.end)
        .annotate(week=FilteredRelation("reports", condition=Q(reports__period=period.start)))
        .annotate(
            report_id=F("week__id"),
            now=F("week__percent_complete"),
            blockers=F("week__blockers"),
            request=F("week__coordination_request"),
            needs_coordination=F("week__needs_coordination"),
            due=ExpressionWrapper(under_way, output_field=BooleanField()),
            received=Exists(reporting.received(cutoff).filter(project=OuterRef("pk"), period=period.start)),
            in_time=Exists(reporting.on_time(cutoff).filter(project=OuterRef("pk"), period=period.start)),
            returned=Exists(this_week.filter(reporting.left_returned(cutoff))),
        )
        .annotate(
            # The week's gain; the progress before it is read back as now - gain (as one
            # annotation the previous report would be looked up twice per row).
            change=Case(When(reported, then=F("now") - Coalesce(Subquery(before.values("percent_complete")[:1]), 0))),
            # The latest week reported before this one (a later week is not this dispatch's).
            last_week=Case(When(silent, then=Subquery(earlier.values("period")[:1]))),
            person_name=Case(When(silent, then=value_of(Person, "responsible_person_id"))),
            # The late table's 状态 as it stood at the week's end, not today's (a project
            # completed since was still 推进中 then).
            status_then=Case(
                When(is_late=True, then=value_then(Project, "status", period.end_at)), default=F("status")
            ),
            movement_order=Window(
                RowNumber(), order_by=[F("change").desc(nulls_last=True), F("title").asc(), F("pk").asc()]
            ),
        )
        .order_by("alliance_code", "title", "pk")  # the silent table's order
        .values_list(
            "pk",
            "status_then",
            "due",
            "is_late",
            "alliance_code",
            "alliance__name",
            "title",
            "due_on",
            "report_id",
            "now",
            "change",
            "blockers",
            "request",
            "needs_coordination",
            "last_week",
            "person_name",
            "received",
            "in_time",
            "returned",
            "movement_order",
            named=True,
        )
    )
    # The rows come in alliance-code order: each row's alliance is placed by counting the
    # codes seen so far, which orders the other tables by code without comparing codes here.
    alliance_place = {}
    for project in projects:
        alliance_place.setdefault(project.alliance_code, len(alliance_place))
    under_way_projects = [project for project in projects if project.due]
    expected = len(under_way_projects)
    week_reports = sorted(
        (project for project in under_way_projects if project.received),
        key=lambda row: row.movement_order,
    )
    received = len(week_reports)
    on_time = sum(1 for project in week_reports if project.in_time)
    late = sorted(
        (project for project in projects if project.is_late),
        key=lambda row: (row.due_on, alliance_place[row.alliance_code], row.pk),
    )
    milestones = overdue_milestones([project.pk for project in late], period.end)
    past_due = str(_("已过计划完成日期"))
    silent = [project for project in under_way_projects if not project.received]
    silent_reasons = {"none": str(_("未填报")), "returned": str(_("已退回未重报")), "after": str(_("截止后填报"))}

    def silent_reason(project) -> str:
        if project.report_id is None:
            return silent_reasons["none"]
        return silent_reasons["returned" if project.returned else "after"]

    # Within an alliance, in the order the reports came.
    waiting = sorted(
        (report for report in week_reports if report.needs_coordination or report.blockers),
        key=lambda report: (alliance_place[report.alliance_code], report.report_id),
    )
    status_labels = {value: str(label) for value, label in ProjectStatus.choices}
    # The last complete month at the cut-off, as the dashboard reads it on that day: the
    # dispatch of the week of 30 November, made on Monday 7 December, asks for November.
    month = Period.containing(MONTH, timezone.localdate(cutoff)).previous()
    # The one rule of missing figures (the dashboard's to-do, the workshop list, the bulletin's
    # draft): not closed, opened by the month's last day, nothing filed for it; read as of
    # the cut-off, as the rest of the dispatch.
    missing_workshops = list(
        Workshop.objects.filter(region.within("region"))
        .owing(month.start, open_at=cutoff, filed_before=cutoff)
        .order_by("region__code", "name")
        .values_list("name", "region__name", "alliance__name")
    )
    team_roles_here = TeamRole.objects.filter(
        region.within("alliance__lead_region"), person__user=OuterRef("recipient")
    )
    reminders = (
        Notice.objects.filter(event=Event.PROGRESS_REMINDER, key=period.start.isoformat())
        .filter(Exists(team_roles_here))
        .annotate(
            # A subquery, not a join: the planner took the join of users and people for
            # 13,000 rows (most people have no account) and compiled the query (JIT).
            person_name=value_of(Person, "recipient_id", match="user"),
            reported_after=Exists(
                ProgressReport.objects.filter(
                    period=period.start, submitted_by=OuterRef("recipient"), submitted_at__gt=OuterRef("created_at")
                )
            ),
        )
        .order_by("recipient__username")
        .values_list("recipient__username", "person_name", "reported_after")
    )
    items = dispatch_items(period, region, cutoff)
    bucket_count = {bucket: sum(1 for _row, b, _days in items if b == bucket) for bucket in BUCKET_ORDER}
    bucket_labels = {value: str(label) for value, label in Bucket.choices}
    state_labels = {value: str(label) for value, label in ItemState.choices}
    return {
        "summary": [
            summary_item("reports_expected", _("应报项目数"), expected),
            summary_item("reports_received", _("已报项目数"), received),
            summary_item("reports_on_time", _("按时报送数"), on_time),
            summary_item("reporting_rate", _("报送率"), percent(received, expected), "percent"),
            summary_item("on_time_rate", _("按时报送率"), percent(on_time, expected), "percent"),
            summary_item("silent_projects", _("本周未报项目"), expected - received),
            summary_item("late_projects", _("逾期项目"), len(late)),
            summary_item("coordination_waiting", _("有堵点或协调事项的项目"), len(waiting)),
            summary_item("workshops_missing", _("未报月度数据的工坊"), len(missing_workshops)),
            summary_item("items_new", _("督办事项：新提"), bucket_count[Bucket.NEW]),
            summary_item("items_in_progress", _("督办事项：办理中"), bucket_count[Bucket.IN_PROGRESS]),
            summary_item("items_handled", _("督办事项：已办结"), bucket_count[Bucket.HANDLED]),
            summary_item("items_overdue", _("督办事项：逾期"), bucket_count[Bucket.OVERDUE]),
        ],
        "tables": [
            project_table(
                "silent",
                _("本周未报项目"),
                [
                    column("alliance", _("联盟编号")),
                    column("alliance_name", _("联盟")),
                    column("project", _("项目")),
                    column("person", _("责任人")),
                    column("last_week", _("最近填报周"), "week"),
                    column("reason", _("情况")),
                ],
                silent,
                lambda project: [
                    project.alliance_code,
                    project.alliance__name,
                    project.title,
                    project.person_name or "",
                    project.last_week.isoformat() if project.last_week else None,
                    silent_reason(project),
                ],
            ),
            project_table(
                "late",
                _("逾期项目"),
                [
                    column("alliance", _("联盟编号")),
                    column("alliance_name", _("联盟")),
                    column("project", _("项目")),
                    column("due_on", _("计划完成日期"), "date"),
                    column("status", _("状态")),
                    column("overdue", _("逾期节点")),
                ],
                late,
                lambda project: [
                    project.alliance_code,
                    project.alliance__name,
                    project.title,
                    project.due_on.isoformat(),
                    status_labels[project.status_then],
                    milestones.get(project.pk) or past_due,
                ],
            ),
            project_table(
                "coordination",
                _("堵点难点与协调事项"),
                [
                    column("alliance", _("联盟编号")),
                    column("project", _("项目")),
                    column("blockers", _("堵点难点")),
                    column("request", _("协调事项")),
                ],
                waiting,
                lambda report: [
                    report.alliance_code,
                    report.title,
                    report.blockers,
                    report.request if report.needs_coordination else "",
                ],
            ),
            linked(
                table(
                    "tracked_items",
                    _("督办事项"),
                    [
                        column("alliance", _("联盟编号")),
                        column("alliance_name", _("联盟")),
                        column("item", _("事项")),
                        column("department", _("承办部门")),
                        column("deadline", _("办理期限"), "date"),
                        column("bucket", _("分类")),
                        column("state", _("状态")),
                        column("days_open", _("已历时（天）"), "int"),
                    ],
                    [
                        [
                            row.alliance__code,
                            row.alliance__name,
                            row.title,
                            row.department_then or "",
                            row.deadline_then.isoformat() if row.deadline_then else None,
                            bucket_labels[bucket],
                            state_labels[row.state_then],
                            days,
                        ]
                        for row, bucket, days in items
                    ],
                ),
                "item",
                "item",
                [row.pk for row, _bucket, _days in items],
            ),
            project_table(
                "movement",
                _("完成进度变化"),
                [
                    column("alliance", _("联盟编号")),
                    column("alliance_name", _("联盟")),
                    column("project", _("项目")),
                    column("before", _("上次进度"), "int"),
                    column("now", _("本周进度"), "int"),
                    column("change", _("变化"), "int"),
                ],
                week_reports,
                lambda report: [
                    report.alliance_code,
                    report.alliance__name,
                    report.title,
                    report.now - report.change,
                    report.now,
                    report.change,
                ],
            ),
            table(
                "workshops_missing",
                phrase(_("未报%(month)s数据的工坊"), month=month_param(month.start)),
                [column("workshop", _("工坊")), column("region", _("所在村社")), column("alliance", _("所属联盟"))],
                [[name, village, alliance or ""] for name, village, alliance in missing_workshops],
            ),
            table(
                "reminders",
                _("周五提醒及其后填报情况"),
                [column("user", _("账号")), column("person", _("带头人")), column("reported", _("提醒后已填报"))],
                [
                    [username, person or "", str(_("是") if reported_after else _("否"))]
                    for username, person, reported_after in reminders
                ],
            ),
        ],
    }


# ------------------------------------------------------------------- scores and rankings


# The first six digits of the lead region's code: its county's (of an assessment's or a
# project's alliance).
COUNTY_OF_ALLIANCE = Substr("alliance__lead_region__code", 1, 6)


def counties_of(region: Region) -> list[Region]:
    if region.level == "county":
        return [region]
    return list(Region.objects.subtree(region).filter(level="county").order_by("code"))


def ensure_scores(period: Period, region: Region, *, final: bool = False) -> list[str]:
    """Score every county of the region with the scheme that applies there. Returns the
    counties without an active scheme for the year (they are not ranked)."""
    plan: dict[AssessmentScheme, list[Region]] = {}
    unscored = []
    for county, scheme in AssessmentScheme.objects.for_regions(counties_of(region), period.start.year).items():
        if scheme is None:
            unscored.append(county.name)
        else:
            plan.setdefault(scheme, []).append(county)
    score_regions(plan, period, final=final)
    return unscored


def ranked(period: Period, region: Region, *, earlier: Period | None = None) -> list:
    """The period's assessments of the region in rank order (the county rank for a county,
    else the city rank), as light named rows: a province's 10,000 assessments as model
    instances with their alliance and region took three times the memory. With ``earlier``
    each row also holds the alliance's total of that period (``earlier_total``, None
    without one), read by the same query."""
    rank_field = "county_rank" if region.level == "county" else "city_rank"
    fields = ["alliance_id", "rank", "code", "name", "region_name", "base_score", "total_score", "grade", "vetoed"]
    rows = (
        Assessment.objects.filter(
            region.within("alliance__lead_region"), period_kind=period.kind, period_start=period.start
        )
        .annotate(
            rank=F(rank_field),
            code=F("alliance__code"),
            name=F("alliance__name"),
            region_name=F("alliance__lead_region__name"),
            county_code=COUNTY_OF_ALLIANCE,
            top_n=F("scheme__demonstration_top_n"),
        )
        .order_by(rank_field, "alliance__code")
    )
    if earlier is not None:
        rows = rows.annotate(earlier_total=Subquery(scores_of(earlier).filter(alliance=OuterRef("alliance"))[:1]))
        fields.append("earlier_total")
    return list(rows.values_list(*fields, "county_rank", "county_code", "top_n", named=True).iterator(chunk_size=2000))


def scores_of(period: Period) -> QuerySet:
    """The period's total scores (``total_score`` values; one per alliance)."""
    return (
        Assessment.objects.filter(period_kind=period.kind, period_start=period.start).order_by().values("total_score")
    )


def grade_labels() -> dict[str, str]:
    """Each grade's label, translated once per report rather than once per row (10,000 rows
    of a province spent a second in gettext)."""
    return {value: str(label) for value, label in Grade.choices}


def ranking_table(rows: list) -> dict:
    grades = grade_labels()
    yes = str(_("是"))
    return table(
        "ranking",
        _("联盟排名"),
        [
            column("rank", _("名次"), "int"),
            column("alliance", _("联盟编号")),
            column("alliance_name", _("联盟")),
            column("region", _("牵头区域")),
            column("base", _("指标得分"), "decimal"),
            column("total", _("总分"), "decimal"),
            column("grade", _("等次")),
            column("vetoed", _("触碰底线")),
        ],
        [
            [
                a.rank,
                a.code,
                a.name,
                a.region_name,
                str(a.base_score),
                str(a.total_score),
                grades[a.grade],
                yes if a.vetoed else "",
            ]
            for a in rows
        ],
    )


def flag_of(assessment, late_alliances: set[int]) -> str:
    if assessment.vetoed or assessment.grade == Grade.POOR:
        return "red"
    if assessment.grade == Grade.FAIR or assessment.alliance_id in late_alliances:
        return "yellow"
    return "green"


FLAG_LABELS = {"red": _("红"), "yellow": _("黄"), "green": _("绿")}


# ------------------------------------------------------------------- monthly bulletin


def monthly_bulletin(period: Period, region: Region) -> dict:
    unscored = ensure_scores(period, region)
    assessments = ranked(period, region)
    projects = projects_in(region)
    started = projects.filter(start_on__gte=period.start, start_on__lt=period.end).count()
    # Completed in the month by its completion day (docs/indicators.md), not by the week of
    # its last report: a project last reported in October and completed in November is November's.
    completed = projects.filter(completed_on__gte=period.start, completed_on__lt=period.end).count()
    # The year's projects' investment to date, by county (a city bulletin compares them).
    investment_by_county = {
        row["county"]: row
        for row in projects.filter(year=period.start.year)
        .exclude(cancelled_by(period.end))
        .with_investment_to_date(before=period.end)
        .annotate(county=COUNTY_OF_ALLIANCE)
        .values("county")
        .annotate(total_spent=Sum("spent", output_field=MONEY), total_planned=Sum("planned_investment"))
        .order_by()
    }
    investment = {
        key: sum((row[key] or Decimal(0) for row in investment_by_county.values()), Decimal(0))
        if any(row[key] is not None for row in investment_by_county.values())
        else None
        for key in ("total_spent", "total_planned")
    }
    workshops = WorkshopReport.objects.filter(region.within("workshop__region"), month=period.start).aggregate(
        workshops=Count("workshop", distinct=True),
        total_employed=Coalesce(Sum("employed"), 0),
        low_income=Coalesce(Sum("low_income_employed"), 0),
        wages=Coalesce(Sum("wages_paid"), Decimal(0), output_field=MONEY),
        sales=Coalesce(Sum("sales"), Decimal(0), output_field=MONEY),
        income_weighted=Coalesce(
            Sum(F("income_increase_per_person") * F("employed"), output_field=MONEY), Decimal(0), output_field=MONEY
        ),
    )
    # Late as the weekly dispatch counts it (ProjectQuerySet.with_late_flag): not finished by
    # the month's end, and its due date or one of its milestones' due dates passed by then.
    late_alliances = set(projects.with_late_flag(period.end).filter(is_late=True).values_list("alliance_id", flat=True))
    flags = [(a, flag_of(a, late_alliances)) for a in assessments]
    flag_labels = {key: str(label) for key, label in FLAG_LABELS.items()}
    vetoed_label, poor_label = str(_("触碰底线")), str(_("考评较差"))
    flag_counts = {key: sum(1 for _a, flag in flags if flag == key) for key in FLAG_LABELS}
    praise = take_with_ties([a for a, flag in flags if flag == "green"], OBSERVATION_SLOTS, lambda a: a.total_score)
    criticism = [a for a, flag in flags if flag == "red"]
    average_income = (
        (workshops["income_weighted"] / workshops["total_employed"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if workshops["total_employed"]
        else None
    )
    summary = [
        summary_item("alliances_ranked", _("参与排名的联盟"), len(assessments)),
        summary_item("projects_started", _("本月开工项目"), started),
        summary_item("projects_completed", _("本月完成项目"), completed),
        summary_item("investment_to_date", _("累计完成投资"), money(investment["total_spent"]), "money"),
        summary_item("investment_planned", _("计划投资"), money(investment["total_planned"]), "money"),
        summary_item(
            "investment_rate",
            _("投资完成率"),
            percent(investment["total_spent"], investment["total_planned"]),
            "percent",
        ),
        summary_item("workshops_reporting", _("报送数据的工坊"), workshops["workshops"]),
        summary_item("workshop_employed", _("工坊带动就业人数"), workshops["total_employed"]),
        summary_item("workshop_low_income", _("其中低收入人数"), workshops["low_income"]),
        summary_item("workshop_wages", _("发放工资"), money(workshops["wages"]), "money"),
        summary_item(
            "workshop_income_increase",
            _("人均月增收（元）"),
            money(average_income) if average_income else None,
            "decimal",  # yuan a person: not a total, so not in 万元
        ),
        summary_item("workshop_sales", _("销售额"), money(workshops["sales"]), "money"),
        summary_item("flag_red", _("红色预警联盟"), flag_counts["red"]),
        summary_item("flag_yellow", _("黄色提醒联盟"), flag_counts["yellow"]),
        summary_item("flag_green", _("绿色正常联盟"), flag_counts["green"]),
    ]
    report = {
        "summary": summary,
        "tables": [
            ranking_table(assessments),
            table(
                "flags",
                _("红黄绿分类"),
                [column("alliance", _("联盟编号")), column("alliance_name", _("联盟")), column("flag", _("标识"))],
                [[a.code, a.name, flag_labels[flag]] for a, flag in flags],
            ),
            table(
                "praise",
                _("通报表扬"),
                [
                    column("alliance", _("联盟编号")),
                    column("alliance_name", _("联盟")),
                    column("total", _("总分"), "decimal"),
                ],
                [[a.code, a.name, str(a.total_score)] for a in praise],
            ),
            table(
                "criticism",
                _("通报批评"),
                [column("alliance", _("联盟编号")), column("alliance_name", _("联盟")), column("reason", _("原因"))],
                [[a.code, a.name, vetoed_label if a.vetoed else poor_label] for a in criticism],
            ),
        ],
    }
    if region.level == "city":
        report["tables"].append(county_comparison(region, flags, investment_by_county))
    if unscored:
        report["notes"] = [
            phrase(_("以下区县本年度尚无启用的考评方案，未参与排名：%(counties)s"), counties=list_param(unscored))
        ]
    return report


def county_comparison(city: Region, flags: list, investment_by_county: dict) -> dict:
    """A city bulletin's counties side by side: their ranked alliances, average total, flags
    and the year's investment to date."""
    rows = []
    for county in counties_of(city):
        code = county.code[:6]
        here = [(a, flag) for a, flag in flags if a.county_code == code]
        totals = [a.total_score for a, _flag in here]
        spent = investment_by_county.get(code, {}).get("total_spent")
        planned = investment_by_county.get(code, {}).get("total_planned")
        rows.append(
            [
                county.name,
                len(here),
                score_text(sum(totals, Decimal(0)) / len(totals)) if totals else None,
                *(sum(1 for _a, flag in here if flag == key) for key in ("red", "yellow", "green")),
                money(spent),
                percent(spent, planned),
            ]
        )
    return table(
        "counties",
        _("各区县对比"),
        [
            column("county", _("区县")),
            column("alliances", _("参与排名的联盟"), "int"),
            column("average", _("平均总分"), "decimal"),
            column("red", _("红色预警"), "int"),
            column("yellow", _("黄色提醒"), "int"),
            column("green", _("绿色正常"), "int"),
            column("investment", _("累计完成投资"), "money"),
            column("investment_rate", _("投资完成率"), "percent"),
        ],
        rows,
    )


# ------------------------------------------------------------------- quarterly observation


def under_way_in(period: Period) -> Q:
    """A project under way at some time in the period (docs/indicators.md's "under way" on
    one of its days): started before its end, out of planning, not completed before it
    began, and not cancelled by its end. A project finished before the period adds nothing
    to it."""
    return (
        Q(start_on__lt=period.end)
        & ~Q(status=ProjectStatus.PLANNED)
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=period.start))
        & ~cancelled_by(period.end)
    )


def cancelled_by(day: datetime.date) -> Q:
    """A project cancelled before ``day``: by its cancellation day, or by its status where
    it has none (a row older than the day was recorded)."""
    return Q(status=ProjectStatus.CANCELLED) & (Q(cancelled_on__isnull=True) | Q(cancelled_on__lt=day))


def quarterly_observation(period: Period, region: Region) -> dict:
    ensure_scores(period, region)
    # The region's alliances are read once; the other queries name them by id, rather than
    # each joining the province's alliances to the region again.
    # Each alliance comes with its score of the quarter (a subquery: one assessment per
    # alliance and period).
    names = {}
    codes = {}
    scores = {}
    read = assessed_alliances([region], period).annotate(
        score=Subquery(scores_of(period).filter(alliance=OuterRef("pk"))[:1])
    )
    for pk, code, name, score in read.values_list("pk", "code", "name", "score"):
        codes[pk], names[pk] = code, name
        if score is not None:
            scores[pk] = score
    alliance_ids = list(codes)
    # Each project's standing report before the quarter's end and before its start (a
    # returned report's figures were not accepted: the one before it stands).
    at_end = latest_standing_report(period.end)
    at_start = latest_standing_report(period.start)
    movement = (
        Project.objects.filter(alliance__in=alliance_ids)
        .filter(under_way_in(period))
        .annotate(
            end_percent=Coalesce(Subquery(at_end.values("percent_complete")[:1]), 0),
            start_percent=Coalesce(Subquery(at_start.values("percent_complete")[:1]), 0),
        )
        .values("alliance_id")
        .annotate(gain=Sum(F("end_percent") - F("start_percent")), projects=Count("pk"))
    )
    gains = {row["alliance_id"]: Decimal(row["gain"] or 0) / max(1, row["projects"]) for row in movement}

    def row(alliance_id: int, reason) -> list:
        score = scores.get(alliance_id)
        return [
            codes[alliance_id],
            names[alliance_id],
            str(reason),
            str(gains.get(alliance_id, Decimal(0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
            score_text(score),
        ]

    ordered = sorted(codes, key=lambda pk: (-gains.get(pk, Decimal(0)), codes[pk]))
    movers = ordered[:OBSERVATION_SLOTS]
    by_score = sorted(
        (pk for pk in codes if pk not in movers),
        key=lambda pk: (scores.get(pk, Decimal(0)), codes[pk]),
    )
    laggards = take_with_ties(by_score, OBSERVATION_SLOTS, lambda pk: scores.get(pk, Decimal(0)))
    columns = [
        column("alliance", _("联盟编号")),
        column("alliance_name", _("联盟")),
        column("reason", _("推荐理由")),
        column("gain", _("季度平均进度提升（百分点）"), "decimal"),
        column("score", _("季度得分"), "decimal"),
    ]
    return {
        "summary": [
            summary_item("alliances", _("参评联盟"), len(codes)),
            summary_item("proposed", _("拟观摩联盟"), len(movers) + len(laggards)),
        ],
        "tables": [
            table("top_movers", _("进步明显（拟现场观摩）"), columns, [row(pk, _("进度提升快")) for pk in movers]),
            table("laggards", _("相对滞后（拟督导观摩）"), columns, [row(pk, _("得分靠后")) for pk in laggards]),
        ],
    }


def proposed_for_visit(report: dict) -> list[str]:
    """The codes of the alliances a quarterly observation report proposes for an on-site visit."""
    return [row[0] for t in report.get("tables", []) if t["key"] in OBSERVATION_TABLES for row in t["rows"]]


# ------------------------------------------------------------------- annual review


CONSEQUENCES = {
    "rectify": _("整顿"),
    "reorganize": _("调整重组"),
    "interview": _("提醒约谈"),
    "demonstration": _("示范候选"),
}


def consequence_of(assessment, top_n: int, below_four_stars: set[str] = frozenset()) -> str:
    """The key in CONSEQUENCES of what the year's result leads to ("" for nothing). A
    demonstration candidate has no member below four stars (``below_four_stars``: the codes
    of the alliances that have one)."""
    if assessment.vetoed:
        return "rectify"
    if assessment.grade == Grade.POOR:
        return "reorganize"
    if assessment.grade == Grade.FAIR:
        return "interview"
    if (
        assessment.grade == Grade.EXCELLENT
        and (assessment.county_rank or 999) <= top_n
        and assessment.code not in below_four_stars
    ):
        return "demonstration"
    return ""


def decided_consequences(
    period: Period, region: Region, assessments: list, below_four_stars: set[str] = frozenset()
) -> tuple[dict, list]:
    """What the year's results lead to, as staff decided it (issue: proposals, not verdicts).

    Once proposals were raised for the review (evaluations.services.proposals_raise), the
    confirmed ones apply and the undecided ones are shown pending; overruled ones are gone.
    Before that, the scheme's rule only proposes: every outcome is pending. Returns
    ({alliance id: (CONSEQUENCES key, status)}, [(organization id, name, region name,
    secretary, status)] of the 两优一先 losses, by region and name)."""
    proposals = Proposal.objects.filter(region.within("region"), year=period.start.year)
    if not proposals.exists():
        outcomes = {
            a.alliance_id: (consequence_of(a, a.top_n, below_four_stars), ProposalStatus.PROPOSED) for a in assessments
        }
        losing = MemberResult.objects.filter(
            region.within("organization__region"),
            period_kind=period.kind,
            period_start=period.start,
            loses_award_eligibility=True,
        ).annotate(decision=Value(ProposalStatus.PROPOSED.value))
    else:
        standing = proposals.exclude(status=ProposalStatus.OVERRULED)
        outcomes = {
            alliance_id: (kind, status)
            for alliance_id, kind, status in standing.filter(alliance__isnull=False).values_list(
                "alliance_id", "kind", "status"
            )
        }
        losing = standing.filter(kind=ProposalKind.AWARD_INELIGIBLE, organization__isnull=False).annotate(
            decision=F("status")
        )
    rows = losing.order_by("organization__region__code", "organization__name", "organization_id").values_list(
        "organization_id",
        "organization__name",
        "organization__region__name",
        "organization__secretary__name",
        "decision",
    )
    return outcomes, list(rows)


def annual_review(period: Period, region: Region) -> dict:
    unscored = ensure_scores(period, region, final=True)
    assessments = ranked(period, region, earlier=period.previous())
    rows = []
    consequences: dict[str, int] = {}
    labels = {key: str(label) for key, label in CONSEQUENCES.items()} | {"": ""}
    pending = str(_("（待确认）"))
    grades = grade_labels()
    below = members_below_four_stars(assessed_alliances([region], period), period.last_day)
    below_codes = {row[0] for row in below}
    consequence_by_alliance, losing = decided_consequences(period, region, assessments, below_codes)
    for a in assessments:
        outcome, status = consequence_by_alliance.get(a.alliance_id, ("", ""))
        if status == ProposalStatus.CONFIRMED:
            consequences[outcome] = consequences.get(outcome, 0) + 1
        before = a.earlier_total
        rows.append(
            [
                a.rank,
                a.code,
                a.name,
                str(a.total_score),
                grades[a.grade],
                labels[outcome] + (pending if outcome and status != ProposalStatus.CONFIRMED else ""),
                score_text(before),
                score_text(a.total_score - before) if before is not None else None,
            ]
        )
    decisions = {ProposalStatus.CONFIRMED: str(_("已确认")), ProposalStatus.PROPOSED: str(_("待确认"))}
    report = {
        "summary": [
            summary_item("alliances", _("参评联盟"), len(assessments)),
            summary_item("excellent", _("优秀"), sum(1 for a in assessments if a.grade == Grade.EXCELLENT)),
            summary_item("good", _("良好"), sum(1 for a in assessments if a.grade == Grade.GOOD)),
            summary_item("fair", _("一般"), sum(1 for a in assessments if a.grade == Grade.FAIR)),
            summary_item("poor", _("较差"), sum(1 for a in assessments if a.grade == Grade.POOR)),
            summary_item("vetoed", _("触碰底线"), sum(1 for a in assessments if a.vetoed)),
            summary_item("demonstration_candidates", _("示范候选"), consequences.get("demonstration", 0)),
            summary_item(
                "secretaries_ineligible",
                _("取消“两优一先”资格的书记"),
                sum(1 for row in losing if row[-1] == ProposalStatus.CONFIRMED),
            ),
        ],
        "tables": [
            table(
                "results",
                _("年度考评结果"),
                [
                    column("rank", _("名次"), "int"),
                    column("alliance", _("联盟编号")),
                    column("alliance_name", _("联盟")),
                    column("total", _("总分"), "decimal"),
                    column("grade", _("等次")),
                    column("consequence", _("结果运用")),
                    column("last_year", _("上年总分"), "decimal"),
                    column("change", _("同比变化"), "decimal"),
                ],
                rows,
            ),
            # One row per organization (a member result is one per organization and
            # period), with its region: two organizations may share a name.
            linked(
                table(
                    "ineligible",
                    _("取消“两优一先”评选资格的成员单位书记"),
                    [
                        column("organization", _("成员单位")),
                        column("region", _("所属区划")),
                        column("secretary", _("书记")),
                        column("decision", _("决定")),
                    ],
                    [
                        [organization, region_name, secretary or "", decisions[status]]
                        for _pk, organization, region_name, secretary, status in losing
                    ],
                ),
                "organization",
                "organization",
                [pk for pk, *_rest in losing],
            ),
        ],
    }
    below = [row[:4] for row in below if row[4]]  # the demonstration alliances'
    report["summary"].append(
        summary_item(
            "demonstration_below_four_stars", _("成员未全部达到四星的示范性联盟"), len({row[0] for row in below})
        )
    )
    report["tables"].append(
        table(
            "demonstration_below_four_stars",
            _("示范性联盟中未达到四星级的成员单位"),
            [
                column("alliance", _("联盟编号")),
                column("alliance_name", _("联盟")),
                column("organization", _("成员单位")),
                column("stars", _("星级"), "int"),
            ],
            below,
        )
    )
    if unscored:
        report["notes"] = [
            phrase(_("以下区县本年度尚无启用的考评方案，未参与考评：%(counties)s"), counties=list_param(unscored))
        ]
    return report


# ------------------------------------------------------------------- definitions (统计口径)
#
# One sentence for each summary figure and table of each kind, shown under it on the page
# (translated when the page is read, so a stored report needs none). docs/indicators.md
# says the same at more length.

RECEIVED = _("周报已提交且截至生成时点（所报周结束后的星期一 6:00）未处于退回待重报状态的，计为已报。")
ON_TIME = _(
    "已报且有效版本在截止时间（所报周周日加宽限天数，北京时间）前提交的，计为按时；生成时宽限期未满，已报的均为按时。"
)
UNDER_WAY = _("应报：所报周周日仍在建的项目（按开工、完成、取消日期），每个项目每周一份周报。")
GRADED = _("按年度总分对照考评方案的分数线评定等次的联盟数；触碰底线的为较差。")
LATE = _("逾期：未完成，且截至期末计划完成日期已过，或有节点在期末前到期而期末前未完成。")

DEFINITIONS: dict[str, dict[str, object]] = {
    WEEKLY_DISPATCH: {
        "reports_expected": UNDER_WAY,
        "reports_received": RECEIVED,
        "reports_on_time": ON_TIME,
        "reporting_rate": _("已报项目数除以应报项目数。"),
        "on_time_rate": _("按时报送数除以应报项目数。"),
        "silent_projects": _("应报项目数减已报项目数。"),
        "late_projects": LATE,
        "coordination_waiting": _("已报周报中填写了堵点难点或需要协调事项的项目数。"),
        "workshops_missing": _("上月最后一天前已开办、未关闭而没有上月数据的共富工坊数。"),
        "silent": _("应报而未报的项目：未填报、已退回未重报，或在生成时点之后才填报。"),
        "late": _(
            "逾期项目及其逾期节点（节点计划完成日期早于期末且期末前未完成）；无逾期节点的，为项目本身已过计划完成日期。"
        ),
        "coordination": _("本周已报周报中的堵点难点与需要协调的事项。"),
        "items_new": _("截至生成时点新提或已交办、承办部门尚未答复且未逾期的督办事项数。"),
        "items_in_progress": _("截至生成时点承办部门已答复或被要求重新办理、尚未办结且未逾期的督办事项数。"),
        "items_handled": _("截至生成时点承办部门已办结（含带头人已确认解决，本周之前确认的除外）的督办事项数。"),
        "items_overdue": _("截至生成时点已过办理期限、承办部门仍未办结的督办事项数。"),
        "tracked_items": _(
            "截至生成时点（周一 6:00）已提出、本周之前未确认解决的督办事项，按逾期、新提、办理中、已办结排列；"
            "状态、承办部门与期限取生成时点的办理记录；已历时为提出日至确认解决日（未解决的至生成日）的天数。"
        ),
        "movement": _("本周已报周报的完成进度与该项目此前最近一份未被退回的周报相比的变化（百分点）。"),
        "reminders": _("周五收到填报提醒的带头人，及其在提醒之后是否填报了本周周报。"),
    },
    MONTHLY_BULLETIN: {
        "alliances_ranked": _("本区域内有本月考评结果的联盟数。"),
        "projects_started": _("开工日期在本月内的项目数。"),
        "projects_completed": _("完成日期在本月内的项目数（按项目的完成日期，不看最后一份周报）。"),
        "investment_to_date": _(
            "本年度、月末前未取消的项目，各取月末以前最近一份未被退回的周报填报的累计完成投资，求和。"
        ),
        "investment_planned": _("本年度未取消项目的计划投资之和。"),
        "investment_rate": _("累计完成投资除以计划投资。"),
        "workshops_reporting": _("填报了本月数据的共富工坊数。"),
        "workshop_employed": _("各工坊本月带动就业人数之和（当月人数）。"),
        "workshop_low_income": _("其中低收入人员数之和。"),
        "workshop_wages": _("各工坊本月发放工资之和。"),
        "workshop_income_increase": _("各工坊人均月增收按带动就业人数加权的平均（元/人·月）。"),
        "workshop_sales": _("各工坊本月销售额之和。"),
        "flag_red": _("红色：触碰底线或考评较差。"),
        "flag_yellow": _("黄色：考评一般，或有逾期项目（与周调度同一逾期口径）。"),
        "flag_green": _("绿色：其余联盟。"),
        "ranking": _("按本月总分排名；总分＝指标得分加成员单位部分，触碰底线的排在最后。"),
        "flags": _("红色：触碰底线或考评较差；黄色：考评一般或有逾期项目（含逾期节点）；绿色：其余。"),
        "praise": _("绿色联盟中排名最前的三个。"),
        "criticism": _("红色联盟：触碰底线或考评较差。"),
        "counties": _("各区县参与排名的联盟数、平均总分、红黄绿联盟数与本年度投资完成情况，口径同上。"),
    },
    QUARTERLY_OBSERVATION: {
        "alliances": _("本区域内参加本季度考评的联盟数：季末前成立，季末时不在组建中、未撤销。"),
        "proposed": _("拟安排现场观摩的联盟数。"),
        "top_movers": _(
            "季度平均进度提升：本季度内曾在建的项目（季末前开工、已离开计划中、季初前未完成、未取消），"
            "季末与季初前最近一份未被退回的周报完成进度之差的平均；取前三。"
        ),
        "laggards": _("除进步明显者外，季度得分最低的三个联盟。"),
    },
    ANNUAL_REVIEW: {
        "alliances": _("本区域内有年度考评结果的联盟数。"),
        "excellent": GRADED,
        "good": GRADED,
        "fair": GRADED,
        "poor": GRADED,
        "vetoed": _("经确认触碰四条底线之一的联盟数，其等次为较差，排在最后。"),
        "demonstration_candidates": _("经工作人员确认为示范候选的联盟数（年度优秀且在区县排名前列者为建议）。"),
        "secretaries_ineligible": _("经工作人员确认取消“两优一先”评选资格的成员单位数（下表中“已确认”的行数）。"),
        "results": _(
            "按年度总分排名；同比变化为本年度总分减上年度总分。结果运用为工作人员确认的决定，"
            "未确认的建议标“待确认”，不予采纳的不列。"
        ),
        "ineligible": _(
            "所在联盟年度考评等次为较差的成员单位，其书记被建议取消“两优一先”评选资格；经确认的标“已确认”，"
            "尚未决定的标“待确认”，不予采纳的不列；按所属区划列出，每个成员单位一行。"
        ),
        "demonstration_below_four_stars": _(
            "年末有现任成员单位未达四星（含未评星）的示范性联盟数；示范性联盟的成员单位应全部在四星以上，"
            "这样的联盟也不能作为示范候选。"
        ),
    },
}


def yuan_label(label, type_: str) -> str:
    """A stored label for an Excel sheet, in the active language, where money stays in
    yuan: "（元）" added to a money figure's label (the pages add "（万元）" instead)."""
    label = stored_text(label)
    if type_ != "money" or label.endswith(YUAN_SUFFIXES):
        return label
    return label + str(_("（元）"))


def definition(kind: str, key: str):
    """The definition (统计口径) of a summary figure or table of a kind of rollup, or None."""
    return DEFINITIONS.get(kind, {}).get(key)


register(RollupKind(WEEKLY_DISPATCH, _("周调度"), "week", ("county",), weekly_dispatch))
register(RollupKind(MONTHLY_BULLETIN, _("月通报"), "month", ("county", "city"), monthly_bulletin))
register(RollupKind(QUARTERLY_OBSERVATION, _("季观摩"), "quarter", ("county",), quarterly_observation))
register(RollupKind(ANNUAL_REVIEW, _("年考评"), "year", ("county", "city"), annual_review))
