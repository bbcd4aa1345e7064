"""The staff dashboard and the big-screen API: every figure for the user's scope, each with
the link to the filtered list that shows the same number.

All figures are counted by the database in a fixed number of grouped queries, through the
same ``visible_to`` as the lists they link to, so a figure and its list cannot disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Alliance, AllianceStatus, FormationMode
from core.charts import ChartSpec
from core.periods import MONTH, Period
from projects.models import ACTIVE_STATUSES, MONEY, ProgressReport, Project, ProjectCategory, ProjectStatus
from projects.weeks import current_week
from workshops.models import Workshop, WorkshopReport, WorkshopStatus

from .models import Rollup
from .rollups import MONTHLY_BULLETIN, percent


def link(name: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(query) if query else "")


@dataclass
class Figure:
    key: str
    label: str
    value: Any
    url: str | None = None
    type: str = "int"


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
    figures: list[Figure]
    breakdowns: list[Breakdown]
    bulletin: Rollup | None
    top: list[list]
    bottom: list[list]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


def build(user: Any, *, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    year = today.year
    month = Period.containing(MONTH, today).previous()  # the last complete month
    week = current_week(today)

    alliances = Alliance.objects.visible_to(user)
    by_mode = dict(alliances.order_by().values_list("formation_mode").annotate(n=Count("pk")))
    by_status = dict(alliances.order_by().values_list("status").annotate(n=Count("pk")))
    demonstration = alliances.filter(is_demonstration=True).count()

    projects = Project.objects.visible_to(user).filter(year=year)
    by_project_status = dict(projects.order_by().values_list("status").annotate(n=Count("pk")))
    by_category = dict(projects.order_by().values_list("category").annotate(n=Count("pk")))
    investment = (
        projects.exclude(status=ProjectStatus.CANCELLED)
        .with_investment_to_date()
        .aggregate(total_spent=Sum("spent", output_field=MONEY), total_planned=Sum("planned_investment"))
    )
    # Silent is ProjectQuerySet.with_flags's rule, the same the "本周未报" list filter applies.
    reporting = (
        Project.objects.visible_to(user)
        .filter(status__in=ACTIVE_STATUSES)
        .with_flags(today)
        .aggregate(expected=Count("pk"), silent=Count("pk", filter=Q(is_silent=True)))
    )
    reporting["received"] = reporting["expected"] - reporting["silent"]

    workshops = Workshop.objects.visible_to(user)
    workshop_count = workshops.filter(status=WorkshopStatus.ACTIVE).count()
    employment = WorkshopReport.objects.filter(workshop__in=workshops, month=month.start).aggregate(
        total_employed=Coalesce(Sum("employed"), 0), total_low_income=Coalesce(Sum("low_income_employed"), 0)
    )

    bulletin = (
        Rollup.objects.visible_to(user)
        .current()
        .filter(kind=MONTHLY_BULLETIN)
        .select_related("region")
        .order_by("-period_start", "-region__code")
        .first()
    )
    ranking = next((t["rows"] for t in bulletin.report["tables"] if t["key"] == "ranking"), []) if bulletin else []

    year_param = {"year": year}
    figures = [
        Figure("alliances", _("党建联盟"), sum(by_status.values()), link("alliances:list")),
        Figure("demonstration", _("示范性联盟"), demonstration, link("alliances:list", is_demonstration="true")),
        Figure(
            "projects",
            _("%(year)s年项目") % {"year": year},
            sum(by_project_status.values()),
            link("projects:list", **year_param),
        ),
        Figure(
            "investment_to_date",
            _("累计完成投资（元）"),
            investment["total_spent"] or Decimal(0),
            link("projects:list", **year_param),
            "money",
        ),
        Figure(
            "investment_planned",
            _("计划投资（元）"),
            investment["total_planned"] or Decimal(0),
            link("projects:list", **year_param),
            "money",
        ),
        Figure(
            "investment_rate",
            _("投资完成率"),
            percent(investment["total_spent"], investment["total_planned"]),
            None,
            "percent",
        ),
        Figure("reports_expected", _("本周应报项目"), reporting["expected"], None),
        Figure(
            "reports_silent",
            _("本周未报项目"),
            reporting["silent"],
            link("projects:list", silent="true"),
        ),
        Figure(
            "reporting_rate", _("本周报送率"), percent(reporting["received"], reporting["expected"]), None, "percent"
        ),
        Figure("workshops", _("运营中的共富工坊"), workshop_count, link("workshops:list", status="active")),
        Figure(
            "workshop_employed",
            _("工坊带动就业（%(month)s）") % {"month": month.label},
            employment["total_employed"],
            None,
        ),
        Figure("workshop_low_income", _("其中低收入人员"), employment["total_low_income"], None),
        Figure(
            "low_income_share",
            _("低收入人员占比"),
            percent(employment["total_low_income"], employment["total_employed"]),
            None,
            "percent",
        ),
    ]
    breakdowns = [
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
    return Dashboard(
        today=today,
        year=year,
        month=month,
        week_start=week,
        figures=figures,
        breakdowns=breakdowns,
        bulletin=bulletin,
        top=ranking[:5],
        bottom=ranking[-5:][::-1] if len(ranking) > 5 else [],
    )


def as_json(board: Dashboard) -> dict:
    """The dashboard as the big-screen API serves it."""

    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    return {
        "date": board.today.isoformat(),
        "year": board.year,
        "month": board.month.key,
        "week": board.week_start.isoformat(),
        "figures": {f.key: {"label": f.label, "value": plain(f.value), "type": f.type} for f in board.figures},
        "breakdowns": {
            b.key: {"label": b.label, "rows": [{"key": r.key, "label": r.label, "value": r.value} for r in b.rows]}
            for b in board.breakdowns
        },
        "bulletin": {
            "period": board.bulletin.period_key,
            "region": board.bulletin.region.code,
            "top": board.top,
            "bottom": board.bottom,
        }
        if board.bulletin
        else None,
    }


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
        rows = dict(
            ProgressReport.objects.filter(
                project__in=Project.objects.visible_to(user), period__gte=first.start, period__lt=last.end
            )
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
