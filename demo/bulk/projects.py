"""Generated projects and weekly progress reports for ``seed_demo --scale county|province``
(see demo.bulk.members).

Each alliance gets half its projects in last year's list (mostly completed) and half in
this year's (under way, reporting up to last week, a few silent for some weeks). Every
project has the same number of consecutive weekly reports, with a percent complete and an
investment to date that only grow; reports are submitted by the alliance's leader side
(no log-in account is attached: ``submitted_by`` stays empty), mostly accepted, the latest
ones of this year's projects often still awaiting review. A completed or cancelled project
carries the day it finished (``completed_on``/``cancelled_on``): a few days after the week of
its last report, never after today."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from demo.bulk.members import BulkPlan
from projects.models import ProgressReport, Project, ProjectCategory, ProjectStatus, ReportStatus
from projects.weeks import week_start

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = datetime.timedelta(days=7)
TOPICS = {
    ProjectCategory.INDUSTRY: ["特色果蔬基地", "农产品冷链仓储", "民宿集群", "茶园提升", "电商直播基地"],
    ProjectCategory.GOVERNANCE: ["网格联治", "矛盾联调", "平安联防", "数字乡村平台"],
    ProjectCategory.SERVICE: ["幸福食堂", "党群服务中心提升", "便民服务驿站", "医疗巡诊"],
    ProjectCategory.PLANNING: ["村庄规划编制", "道路联通工程", "污水管网改造", "农房风貌提升"],
    ProjectCategory.LIVELIHOOD: ["饮水安全", "公共照明", "老年活动中心", "农村公交"],
}
WORK = ["完成土建施工", "完成设备采购", "召开联席会议推进", "完成主体工程", "开展现场验收准备", "组织成员单位协调"]
BLOCKERS = ["用地指标待落实", "资金拨付滞后", "施工受天气影响", "部分农户意见不一"]


def load(ctx) -> None:
    plan: BulkPlan = ctx.shared["bulk"]
    rng = ctx.rng
    spec = plan.spec
    this_year = ctx.live_today.year
    last_week = week_start(ctx.live_today) - WEEK  # the last complete week
    projects: list[tuple] = []
    timelines: list[tuple] = []  # (project id, first week, status, planned, silent weeks, this year)
    project_id = 0
    for item in plan.townships:
        for alliance_id in item.alliance_ids:
            leader = plan.leader_person_of[alliance_id]
            for number in range(spec.projects_per_alliance):
                project_id += 1
                current = number % 2 == 1
                category = rng.choice(ProjectCategory.values)
                title = f"{rng.choice(TOPICS[category])}项目（{number // 2 + 1}）"
                planned = rng.randint(20, 800) * 10_000
                if current:
                    silent = 0 if rng.random() < 0.85 else rng.randint(1, 3)
                    first = last_week - WEEK * (spec.reports_per_project - 1 + silent)
                    status = ProjectStatus.IN_PROGRESS if rng.random() < 0.85 else ProjectStatus.DELAYED
                    year = this_year
                else:
                    silent = 0
                    first = week_start(datetime.date(this_year - 1, rng.randint(2, 5), rng.randint(1, 28)))
                    status = rng.choices(
                        [ProjectStatus.COMPLETED, ProjectStatus.CANCELLED, ProjectStatus.DELAYED], weights=[80, 10, 10]
                    )[0]
                    year = this_year - 1
                end = first + WEEK * spec.reports_per_project
                due = end + datetime.timedelta(days=rng.choice([-30, 14, 60, 120]))
                due = max(due, first)
                # Finished in the week after its last report, so the last report was its last one due.
                finished = min(end + datetime.timedelta(days=rng.randint(0, 4)), ctx.live_today)
                projects.append(
                    (
                        project_id,
                        alliance_id,
                        year,
                        title,
                        category,
                        rng.choice(item.org_ids),
                        leader,
                        planned,
                        rng.randint(5, 200) * 1000,
                        rng.randint(10, 500),
                        rng.randint(2, 60),
                        planned // 2,
                        planned // 4,
                        0,
                        planned - planned // 2 - planned // 4,
                        first,
                        due,
                        status,
                        finished if status == ProjectStatus.COMPLETED else None,
                        finished if status == ProjectStatus.CANCELLED else None,
                    )
                )
                timelines.append((project_id, first, status, planned, current))
    writer = plan.writer
    writer.write(
        Project,
        [
            "id",
            "alliance_id",
            "year",
            "title",
            "category",
            "responsible_organization_id",
            "responsible_person_id",
            "planned_investment",
            "expected_income_increase",
            "households_benefited",
            "people_employed",
            "funds_higher_level",
            "funds_self_raised",
            "funds_common_prosperity",
            "funds_social_capital",
            "start_on",
            "due_on",
            "status",
            "completed_on",
            "cancelled_on",
        ],
        projects,
    )
    writer.write(
        ProgressReport,
        [
            "id",
            "project_id",
            "period",
            "percent_complete",
            "investment_to_date",
            "work_done",
            "blockers",
            "needs_coordination",
            "coordination_request",
            "submitted_at",
            "status",
            "review_comment",
            "reviewed_at",
        ],
        report_rows(rng, timelines, spec.reports_per_project),
    )
    writer.reset_sequences()


def report_rows(rng, timelines: list[tuple], weeks: int) -> Iterator[tuple]:
    """The reports of every project, generated lazily (millions of rows at province scale)."""
    report_id = 0
    for project_id, first, status, planned, current in timelines:
        final = 100 if status == ProjectStatus.COMPLETED else rng.randint(30, 95)
        percent = 0
        for week in range(weeks):
            report_id += 1
            period = first + WEEK * week
            remaining = weeks - week
            percent = (
                final
                if remaining == 1
                else min(final, percent + rng.randint(0, 2 * (final - percent) // remaining + 1))
            )
            latest = current and remaining <= 2
            days = rng.choice([3, 4, 5]) if latest else rng.choice([3, 4, 4, 4, 5, 6, 8])  # 8: a late report
            submitted = datetime.datetime.combine(
                period + datetime.timedelta(days=days),
                datetime.time(rng.randint(8, 20), rng.randint(0, 59)),
                tzinfo=SHANGHAI,
            )
            if latest and rng.random() < 0.5:
                review = (ReportStatus.SUBMITTED, "", None)
            elif rng.random() < 0.03:
                review = (
                    ReportStatus.RETURNED,
                    "请补充现场照片和资金使用明细。",
                    submitted + datetime.timedelta(days=1),
                )
            else:
                review = (ReportStatus.ACCEPTED, "", submitted + datetime.timedelta(days=1))
            blocked = rng.random() < 0.08
            coordination = blocked and rng.random() < 0.5
            yield (
                report_id,
                project_id,
                period,
                percent,
                planned * percent // 100,
                rng.choice(WORK),
                rng.choice(BLOCKERS) if blocked else "",
                coordination,
                "请县级部门协调解决" if coordination else "",
                submitted,
                review[0],
                review[1],
                review[2],
            )
