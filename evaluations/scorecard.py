"""An alliance's scorecard for an assessed period: its total opened down to the rows.

    total = Σ dimensions' points + member part's points
    a dimension's points = Σ its indicators' points
    an indicator's points = (1 − member weight) × 100 × weight·max·attainment ÷ Σ weight·max

the last sum over the indicators that apply (a not applicable indicator's weight goes to the
others in proportion: docs/indicators.md). The figures shown are those of the stored
assessment; the rows behind each computed indicator are read by the same queryset functions
that scoring reads (``metrics.py``, ``scoring.py``), and the attainment is recomputed from
them so that a reader can check the arithmetic.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from alliances.models import Alliance
from core.periods import MONTH, PATTERNS, QUARTER, WEEK, YEAR, Period
from projects import reporting
from projects.models import ProgressReport, Project

from . import metrics
from .models import (
    Assessment,
    Dimension,
    Grade,
    Indicator,
    ManualScore,
    ObservationVisit,
    Rollup,
    RollupStatus,
    VetoFinding,
)
from .rollups import PERIOD_OF_KIND
from .scoring import (
    METRICS,
    NOT_APPLICABLE,
    ONE,
    ZERO,
    clamp,
    half_up,
    manual_score_rows,
    members_with_stars,
    ratio,
)


def period_of_key(key: str) -> Period:
    """The period a key names (``2025``, ``2025-Q3``, ``2025-10``, ``2025-W40``); 404 for
    anything else."""
    for kind in (WEEK, QUARTER, MONTH, YEAR):
        if PATTERNS[kind].match(key or ""):
            try:
                return Period.parse(kind, key)
            except ValidationError as exc:  # a well-formed key of no period (2025-13)
                raise Http404(str(exc)) from exc
    raise Http404(_("没有这个期间。"))


def exact(value) -> Fraction:
    """A decimal as an exact fraction: the points add up without rounding on the way."""
    return Fraction(Decimal(value))


def shown(value: Fraction) -> Decimal:
    """An exact figure at two places, half up, for display."""
    return half_up(Decimal(value.numerator) / Decimal(value.denominator))


# ------------------------------------------------------------------- rows behind an indicator


@dataclass
class Row:
    cells: list
    mark: str = ""  # "bad" for a row that lowered the figure (a late week, an open claim…)


@dataclass
class Rows:
    """The rows behind a computed indicator and the attainment they give."""

    columns: list[str]
    rows: list[Row]
    attainment: Decimal | None  # recomputed from the rows; None: not applicable
    note: str = ""


def week_label(monday: datetime.date) -> str:
    return Period(WEEK, monday).short_label


def reporting_rows(alliances: QuerySet, period: Period, indicator: Indicator) -> Rows:
    """Per project: the weeks due, and which of them were on time, late, missing or left
    returned at the period's cut-off, by the one weekly reporting rule (projects.reporting)
    the indicator counts with."""
    weeks, cutoff = reporting.weeks_of(period), reporting.period_cutoff(period)
    columns = [_("项目"), _("应报（周）"), _("按时"), _("逾期报送的周"), _("未报的周"), _("退回未重报的周")]
    if not weeks:
        return Rows(columns, [], NOT_APPLICABLE)
    projects = Project.objects.filter(alliance__in=alliances)
    due_by_project = defaultdict(list)
    for project_id, week in reporting.reports_due(projects, weeks):
        due_by_project[project_id].append(week)
    reports = ProgressReport.objects.filter(project__in=projects, period__gte=weeks[0], period__lte=weeks[-1])

    def pairs(queryset: QuerySet) -> set[tuple[int, datetime.date]]:
        return set(queryset.filter(project__in=projects, period__in=weeks).values_list("project_id", "period"))

    on_time, late = pairs(reporting.on_time(cutoff)), pairs(reporting.late(cutoff))
    returned = pairs(reports.filter(reporting.left_returned(cutoff)))
    rows, due_total, on_time_total = [], 0, 0
    for project in Project.objects.filter(pk__in=due_by_project).order_by("title", "pk").only("pk", "title"):
        due = due_by_project[project.pk]
        weeks_on_time = [w for w in due if (project.pk, w) in on_time]
        weeks_late = [w for w in due if (project.pk, w) in late]
        weeks_returned = [w for w in due if (project.pk, w) in returned]
        weeks_missing = [w for w in due if w not in weeks_on_time and w not in weeks_late and w not in weeks_returned]
        due_total += len(due)
        on_time_total += len(weeks_on_time)
        rows.append(
            Row(
                [
                    project.title,
                    len(due),
                    len(weeks_on_time),
                    "、".join(week_label(w) for w in weeks_late),
                    "、".join(week_label(w) for w in weeks_missing),
                    "、".join(week_label(w) for w in weeks_returned),
                ],
                "bad" if len(weeks_on_time) < len(due) else "",
            )
        )
    attainment = ratio(on_time_total, due_total) if due_total else NOT_APPLICABLE
    note = _("应报 %(due)s 期，按时报送 %(on_time)s 期。") % {"due": due_total, "on_time": on_time_total}
    return Rows(columns, rows, attainment, note)


def latest_week(period: Period) -> Subquery:
    """The week (Monday) of a project's latest report that stands at the period's end."""
    return Subquery(metrics.latest_standing_report(period.end).values("period")[:1])


def completion_rows(alliances: QuerySet, period: Period, indicator: Indicator) -> Rows:
    projects = list(
        metrics.completion_rows(alliances, period)
        .annotate(week=latest_week(period))
        .order_by("title", "pk")
        .values_list("title", "completed_on", "week", "percent")
    )
    rows = []
    for title, completed_on, week, percent in projects:
        completed = completed_on if completed_on and completed_on < period.end else ""
        rows.append(Row([title, completed, week_label(week) if week else "", percent], "" if percent == 100 else "bad"))
    percents = [percent for *_rest, percent in projects]
    attainment = clamp(Decimal(sum(percents)) / len(percents) / 100) if percents else absent(indicator)
    return Rows([_("项目"), _("完成日期"), _("依据周报"), _("完成进度（%）")], rows, attainment)


def investment_rows(alliances: QuerySet, period: Period, indicator: Indicator) -> Rows:
    projects = list(
        metrics.investment_rows(alliances, period)
        .annotate(week=latest_week(period))
        .order_by("title", "pk")
        .values_list("title", "week", "planned_investment", "spent")
    )
    columns = [_("项目"), _("依据周报"), _("计划投资（元）"), _("累计完成投资（元）")]
    rows = [
        Row([title, week_label(week) if week else "", planned, spent], "bad" if spent < planned else "")
        for title, week, planned, spent in projects
    ]
    if not projects:
        return Rows(columns, [], absent(indicator))
    attainment = ratio(sum(spent for *_rest, spent in projects), sum(planned for _t, _w, planned, _s in projects))
    return Rows(columns, rows, attainment)


def workshop_rows(alliances: QuerySet, period: Period, indicator: Indicator) -> Rows:
    reports = list(
        metrics.workshop_rows(alliances, period)
        .order_by("workshop__name", "month")
        .values_list("workshop__name", "month", "employed", "low_income_employed")
    )
    rows = [Row([name, f"{month:%Y-%m}", employed, low]) for name, month, employed, low in reports]
    target = metrics.workshop_target(indicator)
    attainment = (
        clamp(Decimal(sum(low for *_rest, low in reports)) / period.months / target) if reports else absent(indicator)
    )
    note = _("目标：月均 %(target)s 人，期间 %(months)s 个月。") % {"target": target, "months": period.months}
    return Rows([_("共富工坊"), _("月份"), _("带动就业人数"), _("其中低收入人数")], rows, attainment, note)


def meeting_rows(alliances: QuerySet, period: Period, indicator: Indicator) -> Rows:
    """Each meeting of the period; those beyond the number a kind expects count no further."""
    expected = metrics.meetings_expected(period)
    seen: Counter = Counter()
    rows = []
    meetings = metrics.meeting_rows(alliances, period).order_by("held_on", "pk")
    for meeting in meetings.only("kind", "held_on", "topics"):
        seen[meeting.kind] += 1
        counted = seen[meeting.kind] <= expected.get(meeting.kind, 0)
        rows.append(
            Row([meeting.held_on, meeting.get_kind_display(), meeting.topics, _("计入") if counted else _("不计入")])
        )
    if not rows:
        attainment = absent(indicator)
    else:
        attainment = ratio(sum(min(seen[kind], count) for kind, count in expected.items()), sum(expected.values()))
    note = _("应开：月度碰头会 %(monthly)s 次，季度专题会 %(quarterly)s 次，年度述职会 %(annual)s 次。") % {
        "monthly": expected["monthly"],
        "quarterly": expected["quarterly"],
        "annual": expected["annual"],
    }
    return Rows([_("召开日期"), _("会议类型"), _("议题"), _("是否计入")], rows, attainment, note)


def activity_rows(alliances: QuerySet, period: Period, indicator: Indicator) -> Rows:
    activities = metrics.activity_rows(alliances, period).order_by("held_on", "pk").only("kind", "title", "held_on")
    rows = [Row([a.held_on, a.get_kind_display(), a.title]) for a in activities]
    target = metrics.activities_target(period, indicator)
    attainment = ratio(len(rows), target) if rows else absent(indicator)
    note = _("期间目标：%(target)s 次。") % {"target": half_up(target)}
    return Rows([_("活动日期"), _("活动类型"), _("活动名称")], rows, attainment, note)


def claim_rows(alliances: QuerySet, period: Period, indicator: Indicator) -> Rows:
    claims = (
        metrics.claim_rows(alliances, period)
        .select_related("need", "claimant_alliance", "claimant_organization")
        .order_by("claimed_on", "pk")
    )
    rows = [
        Row(
            [
                claim.need.title,
                claim.claimant_alliance or claim.claimant_organization or "",
                claim.claimed_on,
                _("已办结") if claim.resolved else _("未办结"),
                claim.closed_on if claim.resolved else "",
            ],
            "" if claim.resolved else "bad",
        )
        for claim in claims
    ]
    items = metrics.item_rows(alliances, period).select_related("assignee").order_by("raised_on", "pk")
    for item in items:
        if item.on_time:
            state = _("督办事项按期解决")
        elif item.solved:
            state = _("督办事项逾期解决")
        else:
            state = _("督办事项未解决")
        rows.append(
            Row(
                [
                    item.title,
                    item.assignee.name if item.assignee_id else "",
                    item.raised_on,
                    state,
                    item.closed_day if item.solved else "",
                ],
                "" if item.on_time else "bad",
            )
        )
    resolved = sum(1 for row in rows if not row.mark)
    attainment = ratio(resolved, len(rows)) if rows else absent(indicator)
    note = _("含认领记录与督办事项：督办事项在办理期限内办结且期末前经带头人确认解决的，计为已办结。")
    return Rows(
        [_("需求或督办事项"), _("认领方或承办部门"), _("认领或提出日期"), _("期末状态"), _("办结日期")],
        rows,
        attainment,
        note,
    )


def absent(indicator: Indicator) -> Decimal | None:
    """The attainment of an alliance the metric has no rows for (0, or not applicable)."""
    return METRICS[indicator.metric].absent


# metric key -> function(alliances, period, indicator) -> the rows behind its figure
ROWS: dict[str, Callable[[QuerySet, Period, Indicator], Rows]] = {
    "reporting_timeliness": reporting_rows,
    "project_completion": completion_rows,
    "investment_vs_target": investment_rows,
    "workshop_low_income": workshop_rows,
    "meetings_on_rhythm": meeting_rows,
    "activities_held": activity_rows,
    "claims_resolved": claim_rows,
}


# ------------------------------------------------------------------- the scorecard


@dataclass
class IndicatorLine:
    indicator: Indicator
    attainment: Decimal | None  # None: not applicable
    score: Decimal | None  # max × attainment
    nominal_share: Fraction  # of weight·max among all the scheme's indicators
    share: Fraction | None  # among the applicable ones (after redistribution)
    points: Fraction  # toward the total
    rows: Rows | None = None  # computed indicators
    manual: ManualScore | None = None  # staff-scored indicators: the score that stands

    @property
    def applicable(self) -> bool:
        return self.attainment is not None

    @property
    def changed_since(self) -> bool:
        """The rows read now give another attainment than the one scored: the period's data
        changed after the assessment was computed (a report of its weeks returned or amended
        since). The score stands as computed; the page says so, and how to correct it."""
        return self.rows is not None and self.rows.attainment != self.attainment

    @property
    def shown_points(self) -> Decimal:
        return shown(self.points)

    @property
    def shown_nominal_share(self) -> Decimal:
        return shown(self.nominal_share * 100)

    @property
    def shown_share(self) -> Decimal | None:
        return shown(self.share * 100) if self.share is not None else None


@dataclass
class DimensionLine:
    key: str
    label: str
    indicators: list[IndicatorLine] = field(default_factory=list)

    @property
    def points(self) -> Fraction:
        return sum((line.points for line in self.indicators), Fraction(0))

    @property
    def shown_points(self) -> Decimal:
        return shown(self.points)


@dataclass
class MemberLine:
    name: str
    organization_id: int
    stars: int | None

    @property
    def own_score(self) -> Decimal | None:
        return Decimal(self.stars * 20) if self.stars is not None else None


@dataclass
class Scorecard:
    alliance: Alliance
    period: Period
    assessment: Assessment
    dimensions: list[DimensionLine]
    member_points: Fraction
    members: list[MemberLine]
    vetoes: list[VetoFinding]
    visits: list[ObservationVisit]

    @property
    def total(self) -> Decimal:
        return self.assessment.total_score

    @property
    def exact_total(self) -> Fraction:
        """The total before rounding: the dimensions' points and the member part's."""
        return sum((d.points for d in self.dimensions), Fraction(0)) + self.member_points

    @property
    def shown_member_points(self) -> Decimal:
        return shown(self.member_points)

    @property
    def member_rest_weight(self) -> Decimal:
        """The member part's weight of the members' own results: what the four-star share leaves."""
        return ONE - self.assessment.scheme.four_star_weight

    @property
    def four_star_share_recomputed(self) -> Decimal:
        return ratio(sum(1 for m in self.members if (m.stars or 0) >= 4), len(self.members))

    @property
    def member_average_recomputed(self) -> Decimal:
        rated = [m.stars for m in self.members if m.stars is not None]
        return half_up(Decimal(sum(rated)) / len(rated) * 20) if rated else ZERO

    @property
    def confirmed_vetoes(self) -> list[VetoFinding]:
        return [v for v in self.vetoes if v.confirmed]


@dataclass
class PublishedTotal:
    """An alliance's total as the latest published version of a rollup ranks it."""

    rollup: Rollup
    total: Decimal


def published_total(alliance: Alliance, period: Period, user) -> PublishedTotal | None:
    """The alliance's total in the latest published version of the period's rollup that
    ranks it (its county's, else its city's), among the rollups the user may see; None when
    no published rollup of the period ranks it yet."""
    kinds = [kind for kind, period_kind in PERIOD_OF_KIND.items() if period_kind == period.kind]
    rollups = (
        Rollup.objects.visible_to(user)
        .current()
        .filter(kind__in=kinds, period_start=period.start, region__code__in=alliance.lead_region.lineage_codes())
        .select_related("region")
        .order_by("-region__code")
    )
    for rollup in rollups:
        ranking = next((t for t in rollup.report.get("tables", []) if t.get("key") == "ranking"), None)
        if ranking is None:
            continue
        column = [c["key"] for c in ranking["columns"]]
        for row in ranking["rows"]:
            if row[column.index("alliance")] == alliance.code:
                return PublishedTotal(rollup, Decimal(row[column.index("total")]))
    return None


def assessment_of(alliance: Alliance, period: Period) -> Assessment:
    """The alliance's assessment of the period (404 when it was not assessed)."""
    found = (
        Assessment.objects.filter(alliance=alliance, period_kind=period.kind, period_start=period.start)
        .select_related("scheme")
        .first()
    )
    if found is None:
        raise Http404(_("该联盟在这一期间没有考评结果。"))
    return found


def build(alliance: Alliance, period: Period) -> Scorecard:
    """The scorecard of an assessed alliance for the period (404 when not assessed)."""
    assessment = assessment_of(alliance, period)
    scheme = assessment.scheme
    one = Alliance.objects.filter(pk=alliance.pk)
    indicators = list(scheme.indicators.order_by("order", "code"))
    stored = {s.indicator_id: s for s in assessment.indicator_scores.all()}
    manual = {score.indicator_id: score for score in manual_score_rows(one, indicators, period)}
    weighted = {i.pk: exact(i.weight) * exact(i.max_score) for i in indicators}
    possible_all = sum(weighted.values(), Fraction(0))
    possible = sum((weighted[i.pk] for i in indicators if i.pk in stored), Fraction(0))
    base_part = ONE - scheme.member_weight
    dimensions = {key: DimensionLine(key, str(label)) for key, label in Dimension.choices}
    for indicator in indicators:
        score = stored.get(indicator.pk)
        attainment = score.attainment if score else None
        line = IndicatorLine(
            indicator=indicator,
            attainment=attainment,
            score=score.score if score else None,
            nominal_share=weighted[indicator.pk] / possible_all if possible_all else Fraction(0),
            share=weighted[indicator.pk] / possible if score and possible else None,
            points=(
                exact(base_part) * 100 * weighted[indicator.pk] * exact(attainment) / possible
                if score and possible
                else Fraction(0)
            ),
            rows=ROWS[indicator.metric](one, period, indicator) if indicator.metric else None,
            manual=None if indicator.metric else manual.get(indicator.pk),
        )
        dimensions[indicator.dimension].indicators.append(line)
    member_part = exact(scheme.four_star_weight) * exact(assessment.four_star_share) * 100 + (
        1 - exact(scheme.four_star_weight)
    ) * exact(assessment.member_average)
    members = [
        MemberLine(name, organization_id, stars)
        for name, organization_id, stars in members_with_stars(one, period.last_day)
        .order_by("organization__name")
        .values_list("organization__name", "organization_id", "stars")
    ]
    return Scorecard(
        alliance=alliance,
        period=period,
        assessment=assessment,
        dimensions=list(dimensions.values()),
        member_points=exact(scheme.member_weight) * member_part,
        members=members,
        vetoes=list(
            VetoFinding.objects.filter(alliance=alliance, year=period.start.year)
            .select_related("recorded_by__person", "confirmed_by__person")
            .order_by("-confirmed", "kind")
        ),
        visits=list(
            ObservationVisit.objects.filter(
                alliance=alliance, rollup__period_start__gte=period.start, rollup__period_start__lt=period.end
            )
            .select_related("rollup")
            .order_by("visited_on")
        ),
    )


@dataclass
class Assessed:
    """A period an alliance was assessed for, with its total and grade."""

    period: Period
    total: Decimal
    grade: str

    @property
    def grade_label(self) -> str:
        return str(dict(Grade.choices).get(self.grade, ""))


def readable_periods(region_codes: list[str], user) -> set[tuple[str, datetime.date]]:
    """The periods (kind, start) whose scores ``user`` may read for a region of this lineage
    (``region_codes``): those of a rollup of the region or one above it that is published,
    or that the user may see as a draft. Scores are computed when a rollup is drafted; until
    it is published only the staff who may see the draft read them (a leader reads their
    alliance's score once it is out)."""
    kind_of = dict(PERIOD_OF_KIND)
    rows = (
        Rollup.objects.filter(region__code__in=region_codes, kind__in=list(kind_of))
        .filter(Q(status=RollupStatus.PUBLISHED) | Q(pk__in=Rollup.objects.visible_to(user).values("pk")))
        .values_list("kind", "period_start")
        .distinct()
    )
    return {(kind_of[kind], start) for kind, start in rows}


def readable(alliance: Alliance, period: Period, user) -> bool:
    return (period.kind, period.start) in readable_periods(alliance.lead_region.lineage_codes(), user)


def assessed_periods(alliance: Alliance, user) -> list[Assessed]:
    """The periods the alliance was assessed for that ``user`` may read
    (:func:`readable_periods`): years first, then the latest first."""
    readable_here = readable_periods(alliance.lead_region.lineage_codes(), user)
    rows = Assessment.objects.filter(alliance=alliance).values_list(
        "period_kind", "period_start", "total_score", "grade"
    )
    found = [
        Assessed(Period(kind, start), total, grade)
        for kind, start, total, grade in rows
        if (kind, start) in readable_here
    ]
    order = {YEAR: 0, QUARTER: 1, MONTH: 2, WEEK: 3}
    return sorted(found, key=lambda a: (-a.period.start.year, order[a.period.kind], -a.period.start.toordinal()))


def as_json(card: Scorecard) -> dict:
    """The scorecard for the API: figures as decimal strings, rows as lists of cells."""

    def cell(value):
        if isinstance(value, datetime.date | Decimal):
            return str(value)
        return value if isinstance(value, int | str) or value is None else str(value)

    def rows(found: Rows | None) -> dict | None:
        if found is None:
            return None
        return {
            "columns": [str(c) for c in found.columns],
            "rows": [[cell(v) for v in row.cells] for row in found.rows],
            "attainment": cell(found.attainment),
            "note": str(found.note),
        }

    assessment = card.assessment
    return {
        "alliance": {"id": card.alliance.pk, "code": card.alliance.code, "name": card.alliance.name},
        "period": {"kind": card.period.kind, "key": card.period.key, "label": str(card.period.label)},
        "scheme": {"id": assessment.scheme_id, "name": assessment.scheme.name},
        "total": str(assessment.total_score),
        "base_score": str(assessment.base_score),
        "grade": assessment.grade,
        "vetoed": assessment.vetoed,
        "county_rank": assessment.county_rank,
        "city_rank": assessment.city_rank,
        "dimensions": [
            {
                "key": d.key,
                "label": d.label,
                "points": str(d.shown_points),
                "indicators": [
                    {
                        "code": line.indicator.code,
                        "name": line.indicator.name,
                        "metric": line.indicator.metric,
                        "weight": str(line.indicator.weight),
                        "max_score": str(line.indicator.max_score),
                        "applicable": line.applicable,
                        "attainment": cell(line.attainment),
                        "score": cell(line.score),
                        "share": cell(line.shown_share),
                        "nominal_share": str(line.shown_nominal_share),
                        "points": str(line.shown_points),
                        "rows": rows(line.rows),
                    }
                    for line in d.indicators
                ],
            }
            for d in card.dimensions
        ],
        "member_part": {
            "points": str(card.shown_member_points),
            "four_star_share": str(assessment.four_star_share),
            "member_average": str(assessment.member_average),
            "members": [{"name": m.name, "stars": m.stars, "own_score": cell(m.own_score)} for m in card.members],
        },
        "vetoes": [
            {
                "kind": v.kind,
                "label": str(v.get_kind_display()),
                "confirmed": v.confirmed,
                "note": v.note,
                "verification": v.verification,
            }
            for v in card.vetoes
        ],
        "visits": [{"visited_on": str(v.visited_on), "score": str(v.score), "notes": v.notes} for v in card.visits],
    }
