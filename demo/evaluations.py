"""Demo data for assessments: the "五有" schemes, staff scores with evidence, a few veto
findings, and the rollups of the periods that have just ended.

Ningbo and Zhoushan get a city default scheme for the current and the previous year;
鄞州区 overrides Ningbo's with its own (heavier on project results). Rollups are produced
through the same service the Celery tasks use, for the last complete week, month, quarter
and year before the real local date, so the demo opens with this Monday's dispatch and
this month's bulletin. Everything is keyed on natural keys: a second run changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from alliances.models import Alliance
from core.periods import YEAR, Period
from demo.data import load
from demo.members import DemoContext
from demo.projects import SHOWCASE
from evaluations.models import (
    AssessmentScheme,
    Indicator,
    ManualScore,
    Proposal,
    ProposalStatus,
    Rollup,
    SchemeStatus,
    VetoFinding,
)
from evaluations.reminders import send_progress_reminders
from evaluations.rollups import ANNUAL_REVIEW, KINDS, MONTHLY_BULLETIN, QUARTERLY_OBSERVATION, WEEKLY_DISPATCH
from evaluations.scoring import METRICS
from evaluations.services import (
    proposal_decide,
    rollup_due_period,
    rollup_produce,
    rollup_publish,
    rollup_regenerate,
    schedule_cutoffs,
)
from members.models import Region

# The schemes, their indicators and the evidence: demo/data/evaluations.json.
DATA = load("evaluations")

# (dimension, code, name, metric or "", target, max score)
STANDARD_INDICATORS = [
    (
        entry["dimension"],
        entry["code"],
        entry["name"],
        entry["metric"],
        Decimal(entry["target"]) if entry["target"] is not None else None,
        entry["max_score"],
    )
    for entry in DATA["standard_indicators"]
]
SCHEMES = [(entry["region"], entry["name"], entry["weights"]) for entry in DATA["schemes"]]
EVIDENCE: list[str] = DATA["evidence"]


def seed(ctx: DemoContext) -> None:
    years = [ctx.live_today.year - 1, ctx.live_today.year]
    schemes = [ensure_scheme(code, name, year, overrides) for code, name, overrides in SCHEMES for year in years]
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    seed_manual_scores(ctx, schemes, admin)
    seed_vetoes(ctx, admin, years[0])
    produce_recent_rollups(ctx, admin)
    if admin is not None:
        decide_last_years_proposals(admin)
    # This week's Friday reminder, so that the leaders' bell has something waiting.
    send_progress_reminders(today=ctx.live_today)


# Last year's proposals of one county of the demo city are left for its staff (or the
# city's) to decide, so that journey 3.3 has something waiting: 海曙区.
LEFT_TO_DECIDE = "330203"


def decide_last_years_proposals(staff) -> None:
    """Staff confirm what last year's annual reviews proposed, but for those of
    ``LEFT_TO_DECIDE``, then re-issue the reviews as version 2 so that they list the
    confirmed consequences (nothing applies unconfirmed). A second run finds nothing left to
    decide and changes nothing."""
    pending = list(
        Proposal.objects.filter(status=ProposalStatus.PROPOSED)
        .exclude(region__code__startswith=LEFT_TO_DECIDE)
        .select_related("rollup")
    )
    if not pending:
        return
    for proposal in pending:
        proposal_decide(
            actor=staff, proposal=proposal, decision=ProposalStatus.CONFIRMED, reason="经部务会研究，同意该项结果运用。"
        )
    years = {proposal.year for proposal in pending}
    reviews = (
        Rollup.objects.current()
        .filter(kind=ANNUAL_REVIEW, period_start__year__in=years)
        .exclude(region__code__startswith=LEFT_TO_DECIDE)
    )
    for review in reviews.order_by("-region__level", "region__code"):
        draft = rollup_regenerate(actor=staff, rollup=review)
        try:
            rollup_publish(actor=staff, rollup=draft, reason="结果运用经确认后重新发布。")
        except ValidationError:  # a staff score still pending: the correction stays a draft
            pass


def ensure_scheme(code: str, name: str, year: int, overrides: dict[str, int]) -> AssessmentScheme:
    region = Region.objects.get(code=code)
    scheme, _created = AssessmentScheme.objects.get_or_create(
        region=region,
        year=year,
        version=1,
        defaults={
            "name": f"{name}（{year}年）",
            "status": SchemeStatus.ACTIVE,
            "excellent_min": Decimal(85),
            "good_min": Decimal(75),
            "fair_min": Decimal(60),
        },
    )
    for order, (dimension, indicator_code, label, metric, target, max_score) in enumerate(STANDARD_INDICATORS):
        if metric and metric not in METRICS:
            continue
        Indicator.objects.get_or_create(
            scheme=scheme,
            code=indicator_code,
            defaults={
                "dimension": dimension,
                "name": label,
                "metric": metric,
                "target": target,
                "max_score": overrides.get(indicator_code, max_score),
                "order": order,
            },
        )
    return scheme


def seed_manual_scores(ctx: DemoContext, schemes: list[AssessmentScheme], scorer) -> None:
    """Staff scores with evidence for the manual indicators of last year and this year, each
    alliance under the scheme that applies to it (the most local one)."""
    for year in (ctx.live_today.year - 1, ctx.live_today.year):
        seed_year_scores(ctx, schemes, scorer, Period.parse(YEAR, str(year)))


def seed_year_scores(ctx: DemoContext, schemes: list[AssessmentScheme], scorer, previous: Period) -> None:
    candidates = sorted(
        (s for s in schemes if s.year == previous.start.year), key=lambda s: len(s.region.prefix), reverse=True
    )
    manual = {s.pk: list(s.indicators.filter(metric="")) for s in candidates}
    for alliance in Alliance.objects.select_related("lead_region").order_by("code"):
        scheme = next((s for s in candidates if alliance.lead_region.code.startswith(s.region.prefix)), None)
        if scheme is None:
            continue
        for indicator in manual[scheme.pk]:
            share = Decimal(ctx.rng.randint(55, 100)) / 100
            if alliance.name in SHOWCASE:  # first in its county in the sources
                share = max(share, Decimal("0.92"))
            ManualScore.objects.get_or_create(
                alliance=alliance,
                indicator=indicator,
                period_kind=previous.kind,
                period_start=previous.start,
                defaults={
                    "score": (indicator.max_score * share).quantize(Decimal("0.5")),
                    "evidence": ctx.rng.choice(EVIDENCE),
                    "scored_by": scorer,
                },
            )


def seed_vetoes(ctx: DemoContext, recorder, year: int) -> None:
    """One confirmed "样子货" and one finding still under verification, on the smallest
    alliances under rectification: a confirmed veto costs every member secretary their
    两优一先 eligibility, and the sources count 3 in Ningbo in a year."""
    alliances = list(
        Alliance.objects.filter(status="rectifying")
        .annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("members", "code")[:2]
    )
    notes = ["联盟活动仅见于展板，成员单位未实际参与，“联在纸上、建在墙上”。", "反映存在拉郎配情况，正在核实。"]
    for index, alliance in enumerate(alliances):
        VetoFinding.objects.get_or_create(
            alliance=alliance,
            kind="show_only" if index == 0 else "forced_pairing",
            year=year,
            defaults={"note": notes[index], "confirmed": index == 0, "recorded_by": recorder},
        )


def produce_recent_rollups(ctx: DemoContext, publisher) -> None:
    """Draft the rollups the schedule has drafted by today (the latest period of each kind
    whose data cut-off has come: in the first days of a month, the bulletin of the month
    before last, as the last week of last month is still being reported) and publish them
    (one left with a pending score stays a draft, showing what it lacks). The weekly dispatch of the week just ended
    stays a draft, as on a Monday morning: county staff open it, see what it lacks and
    publish it (journey 2.6)."""
    regions = {level: list(Region.objects.filter(level=level).order_by("code")) for level in ("county", "city")}
    for kind in (WEEKLY_DISPATCH, MONTHLY_BULLETIN, QUARTERLY_OBSERVATION, ANNUAL_REVIEW):
        cutoffs = schedule_cutoffs(kind)  # the schedule, read once a kind
        for level in KINDS[kind].region_levels:
            for region in regions[level]:
                period = rollup_due_period(kind, region, ctx.live_today, cutoffs)
                rollup, _created = rollup_produce(kind=kind, period=period, region=region)
                if rollup.is_draft and publisher is not None and kind != WEEKLY_DISPATCH:
                    try:
                        rollup_publish(actor=publisher, rollup=rollup)
                    except ValidationError:
                        pass
