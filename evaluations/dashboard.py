"""The staff dashboard and the big-screen API: every figure for the user's scope, each with
the link to the filtered list that shows the same number.

All figures are counted by the database in a fixed number of grouped queries, through the
same ``visible_to`` as the lists they link to, so a figure and its list cannot disagree.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Alliance, AllianceStatus, FormationMode
from core.charts import ChartSpec
from core.periods import MONTH, WEEK, YEAR, Period, local_zone
from members.access import scope_for
from projects import reporting as reporting_rule
from projects.models import (
    ACTIVE_STATUSES,
    ProgressReport,
    Project,
    ProjectCategory,
    ProjectStatus,
    ReportStatus,
)
from tracking.figures import year_figures
from tracking.models import Bucket, TrackedItem
from workshops.filters import WorkshopFilterSet
from workshops.models import Workshop, WorkshopReport, WorkshopStatus

from .filters import VetoState
from .models import Proposal, ProposalStatus, Rollup, RollupStatus, VetoFinding
from .rollups import MONTHLY_BULLETIN, percent
from .texts import rendered_table

# Region levels from the top: the deeper a bulletin's region, the closer to the user's own.
LEVELS = ("province", "city", "county", "township", "village")


def link(name: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(query) if query else "")


# The group of the figures of the week under way, shown apart from the others.
CURRENT_WEEK = "current_week"
# What waits for the user to act on, shown first to those who may act (staff).
TO_DO = "to_do"


@dataclass
class Figure:
    key: str
    label: str
    value: Any
    url: str | None = None
    type: str = "int"
    help: str = ""  # the figure's definition (统计口径), one sentence
    group: str = ""


@dataclass
class Breakdown:
    key: str
    label: str
    rows: list[Figure] = field(default_factory=list)

    def chart(self, kind: str = "bar") -> dict:
        spec = ChartSpec(labels=[row.label for row in self.rows], type=kind)
        return spec.add(self.label, [row.value for row in self.rows]).as_dict()


@dataclass
class Dashboard:
    today: datetime.date
    year: int
    month: Period
    week_start: datetime.date
    last_week: Period
    figures: list[Figure]
    breakdowns: list[Breakdown]
    bulletin: Rollup | None
    counties: dict | None  # a city bulletin's county comparison table
    top: list[list]
    bottom: list[list]  # the last five in rank order, never one of the top five
    rows_left_out: bool  # whether rows between the top and the bottom are not shown ("…")

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def week_label(self) -> str:
        """The week under way, as 2026年第49周（11月30日–12月6日）."""
        return Period(WEEK, self.week_start).label

    @property
    def main_figures(self) -> list[Figure]:
        return [f for f in self.figures if f.group not in {CURRENT_WEEK, TO_DO}]

    @property
    def to_do(self) -> list[Figure]:
        return [f for f in self.figures if f.group == TO_DO]

    @property
    def current_week_figures(self) -> list[Figure]:
        return [f for f in self.figures if f.group == CURRENT_WEEK]

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


def build(user: Any, *, now: datetime.datetime | None = None) -> Dashboard:
    """The dashboard at ``now`` (default: the real now), its days and weeks in Asia/Shanghai."""
    now = now or timezone.now()
    today = timezone.localdate(now, local_zone())
    year = today.year
    month = Period.containing(MONTH, today).previous()  # the last complete month
    this_week = Period.containing(WEEK, today)
    last_week = this_week.previous()  # the last complete ISO week

    # Each breakdown of the alliances, and of the year's projects, from one grouped count.
    alliances = Alliance.objects.visible_to(user)
    by_mode, by_status, by_demonstration = tallies(alliances, "formation_mode", "status", "is_demonstration")
    demonstration = by_demonstration.get(True, 0)

    projects = Project.objects.visible_to(user).filter(year=year)
    by_project_status, by_category = tallies(projects, "status", "category")
    investment = projects.investment_totals()
    # The last complete week by the reporting rule (projects.reporting), read as of now; the
    # current week's progress apart, with silent as ProjectQuerySet.with_flags's rule, the
    # same the "本周未报" list filter applies.
    received_last_week = reporting_rule.received(now).filter(project=OuterRef("pk"), period=last_week.start)
    last_week_figures = reporting_rule.projects_under_way(last_week.start, Project.objects.visible_to(user)).aggregate(
        due_last_week=Count("pk"), received_last_week=Count("pk", filter=Q(Exists(received_last_week)))
    )
    reporting = (
        Project.objects.visible_to(user)
        .filter(status__in=ACTIVE_STATUSES)
        .with_flags(today)
        .aggregate(expected=Count("pk"), silent=Count("pk", filter=Q(is_silent=True)))
    ) | last_week_figures
    reporting["received"] = reporting["expected"] - reporting["silent"]

    workshops = Workshop.objects.visible_to(user)
    workshop_count = workshops.filter(status=WorkshopStatus.ACTIVE).count()
    employment = WorkshopReport.objects.filter(workshop__in=workshops, month=month.start).aggregate(
        total_employed=Coalesce(Sum("employed"), 0), total_low_income=Coalesce(Sum("low_income_employed"), 0)
    )

    # Tracked items as of today, by the dispatch's buckets (the list's bucket filter), and
    # the year's outcomes (tracking.figures).
    items = TrackedItem.objects.visible_to(user)
    by_bucket = items.bucket_counts(today)
    item_year = year_figures(items, Period.containing(YEAR, today))

    waiting = waiting_for(user, month, workshops)
    bulletin = own_bulletin(user)
    tables = {t["key"]: t for t in bulletin.report.get("tables", [])} if bulletin else {}
    ranking = tables["ranking"]["rows"] if "ranking" in tables else []

    year_param = {"year": year}
    year_text = {"year": year}
    week_text = {"week": last_week.label}
    figures = [
        Figure(
            "alliances",
            _("党建联盟"),
            sum(by_status.values()),
            link("alliances:list"),
            help=_("您范围内的党建联盟数，含各运行状态。"),
        ),
        Figure(
            "demonstration",
            _("示范性联盟"),
            demonstration,
            link("alliances:list", is_demonstration="true"),
            help=_("已认定为示范性联盟的联盟数。"),
        ),
        Figure(
            "projects",
            _("%(year)s年项目") % year_text,
            sum(by_project_status.values()),
            link("projects:list", **year_param),
            help=_("列入%(year)s年项目清单的项目数，含各状态。") % year_text,
        ),
        Figure(
            "investment_to_date",
            _("累计完成投资"),
            investment["spent"],
            link("projects:list", totals=1, **year_param),
            "money",
            help=_("%(year)s年未取消项目最近一期未被退回的周报填报的累计完成投资之和。") % year_text,
        ),
        Figure(
            "investment_planned",
            _("计划投资"),
            investment["planned"],
            link("projects:list", totals=1, **year_param),
            "money",
            help=_("%(year)s年未取消项目的计划投资之和。") % year_text,
        ),
        Figure(
            "investment_rate",
            _("投资完成率"),
            percent(investment["spent"], investment["planned"]),
            None,
            "percent",
            help=_("累计完成投资除以计划投资。"),
        ),
        Figure(
            "reports_expected",
            _("上周应报项目"),
            reporting["due_last_week"],
            link("projects:list", due_week=last_week.start.isoformat()),
            help=_("上周即%(week)s，周末仍在建的项目数：已开工、周日前未完成也未取消，每个项目每周应报一期。")
            % week_text,
        ),
        Figure(
            "reports_received",
            _("上周已报项目"),
            reporting["received_last_week"],
            link("projects:list", due_week=last_week.start.isoformat(), received_week=last_week.start.isoformat()),
            help=_("其中%(week)s的周报已提交且未处于退回待重报状态的项目数。") % week_text,
        ),
        Figure(
            "reporting_rate",
            _("上周报送率"),
            percent(reporting["received_last_week"], reporting["due_last_week"]),
            None,
            "percent",
            help=_("最近一个完整周即%(week)s，已报项目数除以应报项目数，按北京时间计周。") % week_text,
        ),
        Figure(
            "current_week_received",
            _("本周已报项目（本周未结束）"),
            reporting["received"],
            None,
            group=CURRENT_WEEK,
            help=_("本周即%(week)s，截至目前已提交周报的推进中或延期项目数；本周尚未结束，仅反映进度。")
            % {"week": this_week.label},
        ),
        Figure(
            "reports_silent",
            _("本周尚未填报（本周未结束）"),
            reporting["silent"],
            link("projects:list", silent="true"),
            group=CURRENT_WEEK,
            help=_("推进中或延期、本周尚无周报的项目数；本周结束前仍可填报。"),
        ),
        Figure(
            "current_week_rate",
            _("本周填报进度（本周未结束）"),
            percent(reporting["received"], reporting["expected"]),
            None,
            "percent",
            group=CURRENT_WEEK,
            help=_("本周已报项目数除以应报项目数；本周尚未结束，不是报送率。"),
        ),
        Figure(
            "workshops",
            _("运营中的共富工坊"),
            workshop_count,
            link("workshops:list", status="active"),
            help=_("状态为运营中的共富工坊数。"),
        ),
        Figure(
            "workshop_employed",
            _("工坊带动就业（%(month)s）") % {"month": month.label},
            employment["total_employed"],
            None,
            help=_("最近一个完整月各工坊填报的带动就业人数之和（当月人数，不是人·月累计）。"),
        ),
        Figure(
            "workshop_low_income",
            _("其中低收入人员"),
            employment["total_low_income"],
            None,
            help=_("同月带动就业中的低收入人员数之和。"),
        ),
        Figure(
            "low_income_share",
            _("低收入人员占比"),
            percent(employment["total_low_income"], employment["total_employed"]),
            None,
            "percent",
            help=_("低收入人员数除以带动就业人数（同一月）。"),
        ),
        Figure(
            "items_overdue",
            _("逾期督办事项"),
            by_bucket.get(Bucket.OVERDUE, 0),
            link("tracking:list", overdue="true"),
            help=_("已过办理期限、承办部门仍未办结的督办事项数（办理期限当天不算逾期）。"),
            group=TO_DO if waiting else "",
        ),
        Figure(
            "items_year",
            _("%(year)s年督办事项") % year_text,
            item_year.items,
            link("tracking:list", year=year),
            help=_("%(year)s年提出的督办事项数，含各状态。") % year_text,
        ),
        Figure(
            "items_on_time_rate",
            _("督办事项按期解决率"),
            item_year.on_time_rate,
            None,
            "percent",
            help=_("%(year)s年提出的督办事项中，承办部门在办理期限内办结、且已经带头人确认解决的比例。") % year_text,
        ),
        Figure(
            "items_median_days",
            _("督办事项办理天数（中位数）"),
            str(item_year.median_days) if item_year.median_days is not None else None,
            None,
            "decimal",
            help=_("%(year)s年已确认解决的督办事项，从提出日到确认解决日的天数的中位数。") % year_text,
        ),
        Figure(
            "items_satisfaction",
            _("督办事项平均满意度"),
            str(item_year.mean_rating) if item_year.mean_rating is not None else None,
            None,
            "decimal",
            help=_("%(year)s年已确认解决的督办事项的满意度评分（1–5 分）的平均。") % year_text,
        ),
    ]
    figures[:0] = waiting
    breakdowns = [
        Breakdown(
            "items",
            _("督办事项按调度分类"),
            [
                Figure(value, str(label), by_bucket.get(value, 0), link("tracking:list", bucket=value))
                for value, label in Bucket.choices
            ],
        ),
        Breakdown(
            "formation_mode",
            _("按组建模式"),
            [
                Figure(value, str(label), by_mode.get(value, 0), link("alliances:list", formation_mode=value))
                for value, label in FormationMode.choices
            ],
        ),
        Breakdown(
            "status",
            _("按运行状态"),
            [
                Figure(value, str(label), by_status.get(value, 0), link("alliances:list", status=value))
                for value, label in AllianceStatus.choices
            ],
        ),
        Breakdown(
            "project_status",
            _("项目按状态"),
            [
                Figure(
                    value,
                    str(label),
                    by_project_status.get(value, 0),
                    link("projects:list", status=value, **year_param),
                )
                for value, label in ProjectStatus.choices
            ],
        ),
        Breakdown(
            "project_category",
            _("项目按类别"),
            [
                Figure(
                    value, str(label), by_category.get(value, 0), link("projects:list", category=value, **year_param)
                )
                for value, label in ProjectCategory.choices
            ],
        ),
    ]
    # The bulletin's stored words (grades, labels) in the reader's language, for the page and the API.
    ends = ends_of(ranking)
    if "ranking" in tables:
        for end in ("top", "bottom"):
            ends[end] = rendered_table({**tables["ranking"], "rows": ends[end]})["rows"]
    return Dashboard(
        today=today,
        year=year,
        month=month,
        week_start=this_week.start,
        last_week=last_week,
        figures=figures,
        breakdowns=breakdowns,
        bulletin=bulletin,
        counties=rendered_table(tables["counties"]) if "counties" in tables else None,
        **ends,
    )


def waiting_for(user: Any, month: Period, workshops) -> list[Figure]:
    """What waits for staff to act on, each the count of the list it links to, through the
    same filter: reports to review, drafts to publish, the annual reviews' proposals to
    decide, bottom-line findings someone else recorded for the user to confirm, the
    ``workshops`` that owe ``month``'s figures. Nothing for those who may not act
    (viewers, leaders); drafts and proposals only for the county and city staff who publish
    the rollups and decide what they propose (township staff do neither)."""
    scope = scope_for(user)
    if not scope.can_write:
        return []
    unreported = {"unreported": f"{month.start:%Y-%m}"}
    month_text = {"month": month.label}
    figures = [
        Figure(
            "reports_waiting",
            _("待审核周报"),
            ProgressReport.objects.visible_to(user).filter(status=ReportStatus.SUBMITTED).count(),
            link("projects:review-queue", status=ReportStatus.SUBMITTED),
            group=TO_DO,
            help=_("已提交、尚未审核的周报数，各周合计。"),
        )
    ]
    if scope.publishes:
        figures.append(
            Figure(
                "drafts_waiting",
                _("待发布的通报草稿"),
                Rollup.objects.visible_to(user).filter(status=RollupStatus.DRAFT).count(),
                link("evaluations:rollup-list", status=RollupStatus.DRAFT),
                group=TO_DO,
                help=_("已生成、尚未发布的调度通报草稿数（本区域及下级）。"),
            )
        )
        figures.append(
            Figure(
                "proposals_waiting",
                _("待决定的结果运用建议"),
                Proposal.objects.visible_to(user).filter(status=ProposalStatus.PROPOSED).count(),
                link("evaluations:proposal-list", status=ProposalStatus.PROPOSED),
                group=TO_DO,
                help=_("年度考评提出、尚未确认或不予采纳的结果运用建议数（本区域及下级），确认后才生效。"),
            )
        )
    if scope.is_staff_role:
        figures.append(
            Figure(
                "vetoes_waiting",
                _("待您核实确认的底线问题"),
                VetoFinding.objects.visible_to(user).to_confirm_by(user).count(),
                link("evaluations:veto-list", state=VetoState.TO_CONFIRM),
                group=TO_DO,
                help=_("他人记录、尚未核实确认的底线问题数；确认后该联盟当年考评等次为较差。"),
            )
        )
    figures.append(
        Figure(
            "workshops_unreported",
            _("%(month)s未报数据的工坊") % month_text,
            WorkshopFilterSet(unreported, queryset=workshops).qs.count(),
            link("workshops:list", **unreported),
            group=TO_DO,
            help=_("未关闭、当月已开办而未填报%(month)s数据的共富工坊数。") % month_text,
        )
    )
    return figures


def tallies(queryset, *fields: str) -> list[Counter]:
    """The rows of ``queryset`` counted by each of ``fields`` (a value to its count), from
    one query grouped by all of them."""
    counts = [Counter() for _ in fields]
    for *values, n in queryset.order_by().values_list(*fields).annotate(n=Count("pk")):
        for count, value in zip(counts, values, strict=True):
            count[value] += n
    return counts


def ends_of(ranking: list[list], shown: int = 5) -> dict:
    """The first and the last ``shown`` rows of a ranking, in rank order and never a row twice
    (a ranking of nine shows 1–5 and 6–9), and whether rows between them are left out."""
    return {
        "top": ranking[:shown],
        "bottom": ranking[max(shown, len(ranking) - shown) :],
        "rows_left_out": len(ranking) > 2 * shown,
    }


def as_json(board: Dashboard) -> dict:
    """The dashboard as the big-screen API serves it."""

    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    return {
        "date": board.today.isoformat(),
        "year": board.year,
        "month": board.month.key,
        "week": board.week_start.isoformat(),
        "last_week": board.last_week.start.isoformat(),
        "figures": {
            f.key: {"label": f.label, "value": plain(f.value), "type": f.type, "help": f.help} for f in board.figures
        },
        "breakdowns": {
            b.key: {"label": b.label, "rows": [{"key": r.key, "label": r.label, "value": r.value} for r in b.rows]}
            for b in board.breakdowns
        },
        "bulletin": {
            "period": board.bulletin.period_key,
            "region": board.bulletin.region.code,
            "top": board.top,
            "counties": board.counties["rows"] if board.counties else [],
            "bottom": board.bottom,
        }
        if board.bulletin
        else None,
    }


def own_bulletin(user: Any) -> Rollup | None:
    """The latest monthly bulletin of the user's own region, else of the nearest region above
    it (a township's county); never a sibling's or one below. Without a region (a superuser),
    the highest region's (a province's, else the first city's)."""
    bulletins = Rollup.objects.visible_to(user).current().filter(kind=MONTHLY_BULLETIN).select_related("region")
    scope = scope_for(user)
    depth = Case(*(When(region__level=level, then=n) for n, level in enumerate(LEVELS)), default=len(LEVELS))
    if scope.kind == "region":
        bulletins = bulletins.filter(region__code__in=scope.lineage_codes()).order_by("-period_start", depth.desc())
    else:
        bulletins = bulletins.order_by("-period_start", depth, "region__code")
    return bulletins.first()


def timeseries(user: Any, metric: str, *, months: int = 12, today: datetime.date | None = None) -> list[dict]:
    """Monthly series for a big screen, for the user's scope, ending with the last complete month."""
    today = today or timezone.localdate()
    last = Period.containing(MONTH, today).previous()
    first = last
    for _step in range(months - 1):
        first = first.previous()
    if metric in {"workshop_employed", "workshop_low_income"}:
        field_name = "employed" if metric == "workshop_employed" else "low_income_employed"
        rows = dict(
            WorkshopReport.objects.filter(
                workshop__in=Workshop.objects.visible_to(user), month__gte=first.start, month__lt=last.end
            )
            .order_by()
            .values_list("month")
            .annotate(total=Sum(field_name))
        )
    elif metric == "reports_received":
        # Received as the dashboard's "上周已报" counts (projects.reporting, as of now): sent,
        # and not standing returned; each in the month its week begins in.
        rows = dict(
            reporting_rule.received(timezone.now())
            .filter(project__in=Project.objects.visible_to(user), period__gte=first.start, period__lt=last.end)
            .annotate(month=TruncMonth("period"))
            .order_by()
            .values_list("month")
            .annotate(n=Count("pk"))
        )
    else:
        raise ValueError(metric)
    series = []
    period = first
    while period <= last:
        series.append({"period": period.key, "value": rows.get(period.start, 0)})
        period = period.next()
    return series


TIMESERIES_METRICS = ("workshop_employed", "workshop_low_income", "reports_received")
