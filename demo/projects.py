"""Demo data for the projects app: each alliance's project list, milestones and a year of
weekly progress reports ending in the current week (``ctx.live_today``).

Called by ``manage.py seed_demo`` after the alliances. The plan is drawn from the
context's generator and the (deterministic) alliances alone, then written: projects and
milestones through ``projects.services`` keyed on (alliance, year, title) and (project,
title); the thousands of weekly reports with ``bulk_create`` keyed on (project, week),
their review history on (report, version number). Most projects report on time; some
reports come in after the deadline, some were returned and resubmitted, a few wait to be
fixed, some projects have gone silent and some are late. Last year's list (a project or
two an alliance, mostly completed) gives last year's annual review a year of reports;
it is drawn from a generator of its own, so this year's plan does not move with it.
匡堰镇南部片区, first in 慈溪's ranking in the sources, keeps every project steady.
A second run on the same day writes nothing.

Dissolved alliances get no projects: the services refuse new projects for them.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from alliances.models import Alliance, AllianceStatus, Membership, MembershipRole, TeamRole, TeamRoleKind
from demo.data import load
from demo.members import COUNTY_BY_CODE6, DEMO_SEED, PRODUCTS, DemoContext, changes, short_name
from members.models import MemberOrganization, Person
from projects.models import (
    CONTENT_FIELDS,
    STATUS_TRANSITIONS,
    Milestone,
    ProgressReport,
    ProgressReportRevision,
    Project,
    ProjectCategory,
    ProjectStatus,
    ReportStatus,
)
from projects.services import (
    milestone_create,
    milestone_update,
    notify_report_returned,
    project_change_status,
    project_create,
    project_update,
)
from projects.weeks import current_week

Date = datetime.date
# Alliances whose projects all run steadily and report on time (the sources rank them first).
SHOWCASE = {"匡堰镇南部片区党建联盟"}
# Chance that a report of an older week came in after its deadline, by project behaviour;
# twice as likely in an alliance under rectification.
LATE_REPORTS = {"steady": 0.04, "gappy": 0.1, "silent": 0.12, "late": 0.25, "completed": 0.05}
WEEK = datetime.timedelta(weeks=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------- catalogue

# Featured projects and the words of the generated ones: demo/data/projects.json.
DATA = load("projects")

TITLES: dict[str, list[str]] = DATA["titles"]
STYLE_TITLES: dict[str, list[str]] = DATA["style_titles"]
CATEGORY_WEIGHTS = {
    ProjectCategory.INDUSTRY: 5,
    ProjectCategory.PLANNING: 3,
    ProjectCategory.GOVERNANCE: 2,
    ProjectCategory.SERVICE: 2,
    ProjectCategory.LIVELIHOOD: 2,
}
# Planned investment range in units of 10,000 yuan (万元), by category.
INVESTMENT = {
    ProjectCategory.INDUSTRY: (50, 2000),
    ProjectCategory.PLANNING: (30, 600),
    ProjectCategory.GOVERNANCE: (5, 80),
    ProjectCategory.SERVICE: (10, 150),
    ProjectCategory.LIVELIHOOD: (10, 200),
}
MILESTONES: dict[str, list[str]] = DATA["milestones"]
WORK: dict[str, list[str]] = DATA["work"]
BLOCKERS: list[str] = DATA["blockers"]
COORDINATION: list[str] = DATA["coordination"]
RETURN_COMMENTS: list[str] = DATA["return_comments"]
DECREASE_NOTE: str = DATA["decrease_note"]
# Reviewer accounts of the demo (demo.members), by the longest matching region prefix.
REVIEWERS = [
    ("330212001", "township_staff"),
    ("330212", "yinzhou_county"),
    ("330921", "daishan_county"),
    ("3302", "ningbo_city"),
]


@dataclass(frozen=True)
class FeaturedProject:
    title: str
    category: str
    description: str
    investment: int  # yuan
    income: int | None = None
    households: int | None = None
    employed: int | None = None
    land_mu: int | None = None
    funds: tuple[int, int, int, int] = (0, 0, 0, 0)  # higher-level, self-raised, fund, social capital


# Projects named in the sources, by alliance name.
FEATURED: dict[str, list[FeaturedProject]] = {
    alliance: [FeaturedProject(**{**entry, "funds": tuple(entry.get("funds", (0, 0, 0, 0)))}) for entry in entries]
    for alliance, entries in DATA["featured"].items()
}


# --------------------------------------------------------------------------- plan


@dataclass
class MilestonePlan:
    title: str
    due_on: Date
    done_on: Date | None


@dataclass
class RevisionPlan:
    number: int
    decision: str
    comment: str
    submitted_at: datetime.datetime
    reviewed_at: datetime.datetime
    percent: int


@dataclass
class ReportPlan:
    period: Date
    percent: int
    investment: Decimal
    work_done: str
    blockers: str
    coordination: str
    status: str
    revision: int
    review_comment: str
    submitted_at: datetime.datetime
    reviewed_at: datetime.datetime | None
    revisions: list[RevisionPlan] = field(default_factory=list)


@dataclass
class ProjectPlan:
    alliance_code: str
    year: int
    title: str
    category: str
    description: str
    start_on: Date
    due_on: Date
    status: str
    values: dict[str, Any]
    milestones: list[MilestonePlan] = field(default_factory=list)
    reports: list[ReportPlan] = field(default_factory=list)
    reviewer: str | None = None
    submitter: int | None = None  # user id of the leader, when the leader has an account
    finished_on: Date | None = None  # the day a completed project was completed
    lateness: float = 0.05  # chance that a report of an older week came in after its deadline


@dataclass(frozen=True)
class AllianceFacts:
    """What the plan needs from an alliance, read once from the database."""

    code: str
    name: str
    status: str
    founded_on: Date
    region_code: str
    region_name: str
    lead_org_id: int | None
    member_org_ids: tuple[int, ...]
    leader_id: int | None
    leader_user_id: int | None


def signs_in(user: Any) -> bool:
    """A leader with a login files the reports; one whose account cannot sign in (made by the
    tracking demo for a leader who confirms an item) never filed any."""
    return user is not None and user.has_usable_password()


def alliance_facts() -> list[AllianceFacts]:
    alliances = (
        Alliance.objects.select_related("lead_region")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(left_on__isnull=True).order_by("role", "pk")),
            Prefetch(
                "team_roles",
                queryset=TeamRole.objects.filter(role=TeamRoleKind.LEADER, ended_on__isnull=True).select_related(
                    "person__user"
                ),
            ),
        )
        .order_by("code")
    )
    facts = []
    for alliance in alliances:
        members = list(alliance.memberships.all())
        lead = next((m.organization_id for m in members if m.role == MembershipRole.LEAD), None)
        leader = next(iter(alliance.team_roles.all()), None)
        facts.append(
            AllianceFacts(
                code=alliance.code,
                name=alliance.name,
                status=alliance.status,
                founded_on=alliance.founded_on,
                region_code=alliance.lead_region.code,
                region_name=alliance.lead_region.name,
                lead_org_id=lead,
                member_org_ids=tuple(m.organization_id for m in members),
                leader_id=leader.person_id if leader else None,
                leader_user_id=leader.person.user_id if leader and signs_in(leader.person.user) else None,
            )
        )
    return facts


class Planner:
    def __init__(self, ctx: DemoContext) -> None:
        self.rng: random.Random = ctx.rng
        self.today: Date = ctx.live_today
        self.week: Date = current_week(ctx.live_today)
        # The latest moment a demo row may carry: just after midnight of the real today, so
        # every run on the same day plans the same timestamps.
        self.cap = datetime.datetime.combine(ctx.live_today, datetime.time(0, 5), tzinfo=SHANGHAI)
        # Share of this week's reports already in, growing from Monday to Sunday.
        self.this_week_share = min(0.9, 0.15 + 0.13 * ctx.live_today.weekday())
        # Which reports came in late: drawn apart, so the rest of the plan does not move.
        self.late_rng = random.Random(f"{DEMO_SEED}:projects:late")

    # ----------------------------------------------------------------- per alliance

    def plan(self, facts: AllianceFacts, demo_leader: bool) -> list[ProjectPlan]:
        rng = self.rng
        if facts.status == AllianceStatus.DISSOLVED:
            return []
        style = COUNTY_BY_CODE6[facts.region_code[:6]].style if facts.region_code[:6] in COUNTY_BY_CODE6 else "south"
        place = short_name(facts.region_name)
        used: set[str] = set()
        featured = list(FEATURED.get(facts.name, []))
        plans: list[ProjectPlan] = []
        if facts.status == AllianceStatus.FORMING:
            count = rng.randint(1, 2)
            for _ in range(count):
                plans.append(self.project(facts, style, place, used, featured, kind="planned"))
            return plans
        kinds = ["carried"] + ["current"] * rng.randint(1, 3)
        if rng.random() < 0.3:
            kinds.append("planned")
        for kind in kinds:
            plan = self.project(facts, style, place, used, featured, kind=kind)
            if plan is not None:
                plans.append(plan)
        behaviours = self.behaviours(facts, plans, demo_leader)
        for plan, behaviour in zip(plans, behaviours, strict=True):
            self.schedule(plan, behaviour, facts, demo_leader)
        return plans

    def last_year(self, facts: AllianceFacts, this_year: list[ProjectPlan]) -> list[ProjectPlan]:
        """Last year's list of an alliance founded by its middle: one project started in its
        first half (two for some), most of them completed since."""
        rng = self.rng
        year = self.today.year - 1
        if facts.status not in (AllianceStatus.ACTIVE, AllianceStatus.RECTIFYING) or facts.founded_on > Date(
            year, 6, 30
        ):
            return []
        style = COUNTY_BY_CODE6[facts.region_code[:6]].style if facts.region_code[:6] in COUNTY_BY_CODE6 else "south"
        place = short_name(facts.region_name)
        used = {plan.title for plan in this_year}
        count = 2 if rng.random() < 0.3 else 1
        plans = [self.project(facts, style, place, used, [], kind="last_year") for _ in range(count)]
        plans = [plan for plan in plans if plan is not None]
        for plan, behaviour in zip(plans, self.behaviours(facts, plans, demo_leader=False), strict=True):
            self.schedule(plan, behaviour, facts, demo_leader=False)
        return plans

    def behaviours(self, facts: AllianceFacts, plans: list[ProjectPlan], demo_leader: bool) -> list[str]:
        rng = self.rng
        weights = {"steady": 60, "silent": 14, "late": 14, "gappy": 12}
        if facts.status == AllianceStatus.RECTIFYING:
            weights = {"steady": 30, "silent": 30, "late": 30, "gappy": 10}
        if facts.name in SHOWCASE:
            weights = {"steady": 1}
        chosen = []
        for index, plan in enumerate(plans):
            if plan.status == ProjectStatus.PLANNED:
                chosen.append("planned")
            elif demo_leader:
                # The demo leader's first projects show each case: one to fix, one waiting, one to report.
                chosen.append(["fix", "pending", "due"][index % 3])
            elif plan.due_on < self.today - 2 * WEEK and rng.random() < 0.85:
                chosen.append("completed")
            else:
                chosen.append(rng.choices(list(weights), weights=list(weights.values()))[0])
        return chosen

    def project(
        self,
        facts: AllianceFacts,
        style: str,
        place: str,
        used: set[str],
        featured: list[FeaturedProject],
        *,
        kind: str,
    ) -> ProjectPlan | None:
        rng, week = self.rng, self.week
        founded = facts.founded_on
        if kind == "carried":
            start = week - rng.randint(44, 56) * WEEK + datetime.timedelta(days=rng.randint(0, 4))
            if start < founded:
                start = founded + datetime.timedelta(days=rng.randint(14, 60))
            duration = rng.randint(30, 60)
        elif kind == "current":
            january = Date(self.today.year, 1, 5)
            earliest = max(january, founded + datetime.timedelta(days=14))
            latest = week - 2 * WEEK
            if earliest > latest:
                earliest = latest - 8 * WEEK
            start = earliest + datetime.timedelta(days=rng.randint(0, max((latest - earliest).days, 0)))
            duration = rng.randint(16, 60)
        elif kind == "last_year":
            earliest = max(Date(self.today.year - 1, 1, 6), founded + datetime.timedelta(days=14))
            start = earliest + datetime.timedelta(
                days=rng.randint(0, max((Date(earliest.year, 6, 30) - earliest).days, 0))
            )
            duration = rng.randint(20, 44)
        else:  # planned: starts in the coming weeks
            start = max(week + rng.randint(1, 8) * WEEK, founded) + datetime.timedelta(days=rng.randint(0, 4))
            duration = rng.randint(20, 50)
        if start > self.today and kind != "planned":
            return None
        due = start + duration * WEEK
        if featured and kind != "planned":
            spec = featured.pop(0)
            title, category, description = spec.title, spec.category, spec.description
            values = {
                "planned_investment": Decimal(spec.investment),
                "expected_income_increase": Decimal(spec.income) if spec.income else None,
                "households_benefited": spec.households,
                "people_employed": spec.employed,
                "land_mu": Decimal(spec.land_mu) if spec.land_mu else None,
                "funds_higher_level": Decimal(spec.funds[0]),
                "funds_self_raised": Decimal(spec.funds[1]),
                "funds_common_prosperity": Decimal(spec.funds[2]),
                "funds_social_capital": Decimal(spec.funds[3]),
            }
        else:
            category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
            templates = TITLES[category] + (STYLE_TITLES[style] if category == ProjectCategory.INDUSTRY else [])
            product = rng.choice(PRODUCTS[style])
            for _ in range(20):
                title = rng.choice(templates).format(place=place, product=product)
                if title not in used:
                    break
            else:
                title = f"{title}（二期）"
            description = self.description(category, place)
            values = self.targets(category)
        used.add(title)
        status = ProjectStatus.PLANNED if kind == "planned" else ProjectStatus.IN_PROGRESS
        values |= {
            "description": description,
            "responsible_organization_id": facts.lead_org_id,
            "responsible_person_id": facts.leader_id,
        }
        plan = ProjectPlan(
            alliance_code=facts.code,
            year=start.year,
            title=title,
            category=category,
            description=description,
            start_on=start,
            due_on=due,
            status=status,
            values=values,
            submitter=facts.leader_user_id,
        )
        plan.reviewer = next((user for prefix, user in REVIEWERS if facts.region_code.startswith(prefix)), None)
        self.milestones(plan)
        return plan

    def description(self, category: str, place: str) -> str:
        return {
            ProjectCategory.INDUSTRY: f"联盟成员村抱团发展特色产业，强村带弱村，壮大{place}片区村级集体经济。",
            ProjectCategory.PLANNING: f"打破村域界限统筹规划建设，一体推进{place}片区基础设施提升。",
            ProjectCategory.GOVERNANCE: "推动成员单位要事联商、工作联推，群众诉求闭环办理。",
            ProjectCategory.SERVICE: "整合成员单位阵地和人员，为老人、儿童和群众提供就近服务。",
            ProjectCategory.LIVELIHOOD: "聚焦群众急难愁盼，办好一批看得见、摸得着的民生实事。",
        }[category]

    def targets(self, category: str) -> dict[str, Any]:
        rng = self.rng
        low, high = INVESTMENT[category]
        investment = rng.randint(low, high) * 10_000
        higher = investment * rng.randint(20, 50) // 100
        self_raised = investment * rng.randint(20, 40) // 100
        fund = investment * rng.choice([0, 0, 5, 10]) // 100
        social = max(investment - higher - self_raised - fund, 0) if rng.random() < 0.4 else 0
        values: dict[str, Any] = {
            "planned_investment": Decimal(investment),
            "expected_income_increase": None,
            "households_benefited": None,
            "people_employed": None,
            "land_mu": None,
            "funds_higher_level": Decimal(higher),
            "funds_self_raised": Decimal(self_raised),
            "funds_common_prosperity": Decimal(fund),
            "funds_social_capital": Decimal(social),
        }
        if category == ProjectCategory.INDUSTRY:
            values["expected_income_increase"] = Decimal(investment * rng.randint(8, 25) // 100)
            values["people_employed"] = rng.randint(5, 80)
            if rng.random() < 0.6:
                values["land_mu"] = Decimal(rng.randint(10, 300))
        else:
            values["households_benefited"] = rng.randint(80, 2500)
        return values

    def milestones(self, plan: ProjectPlan) -> None:
        titles = MILESTONES[plan.category]
        span = (plan.due_on - plan.start_on).days
        for index, title in enumerate(titles, start=1):
            due = plan.start_on + datetime.timedelta(days=span * index // len(titles))
            plan.milestones.append(MilestonePlan(title, due, None))

    # ----------------------------------------------------------------- progress over time

    def schedule(self, plan: ProjectPlan, behaviour: str, facts: AllianceFacts, demo_leader: bool) -> None:
        rng, week = self.rng, self.week
        if behaviour == "planned":
            return
        first = plan.start_on - datetime.timedelta(days=plan.start_on.weekday())
        total_weeks = max((plan.due_on - plan.start_on).days // 7, 1)
        pace = {"steady": 1.0, "gappy": 0.95, "silent": 0.8, "late": 0.65, "completed": 1.05}.get(behaviour, 0.9)
        pace *= rng.uniform(0.85, 1.1)
        plan.lateness = LATE_REPORTS.get(behaviour, 0.05) * (2 if facts.status == AllianceStatus.RECTIFYING else 1)
        if facts.name in SHOWCASE:
            plan.lateness = 0.0
        last = week
        if behaviour == "completed":
            last = min(week - WEEK, plan.due_on - plan.due_on.weekday() * datetime.timedelta(days=1))
            last -= rng.randint(0, 3) * WEEK
            last = max(last, first)
        elif behaviour == "silent":
            last = week - rng.randint(2, 8) * WEEK
        elif behaviour == "late":
            if plan.due_on >= self.today:  # make it late: a milestone passed unfinished
                passed = [m for m in plan.milestones if m.due_on < self.today]
                if not passed:
                    plan.milestones[0].due_on = max(
                        plan.start_on, self.today - datetime.timedelta(days=rng.randint(3, 20))
                    )
            plan.status = rng.choice([ProjectStatus.IN_PROGRESS, ProjectStatus.DELAYED])

        percent, investment = 0, Decimal(0)
        planned = plan.values.get("planned_investment") or Decimal(0)
        period = first
        index = 0
        while period <= last:
            index += 1
            age = (week - period).days // 7
            skip = behaviour == "gappy" and rng.random() < 0.15
            if period == week and behaviour in {"steady", "gappy", "late"}:
                skip = rng.random() > self.this_week_share
            if demo_leader and period == week:
                skip = behaviour in {"fix", "due"}
            if skip:
                period += WEEK
                continue
            expected = min(99, round(100 * index * pace / total_weeks))
            decreased = index > 6 and rng.random() < 0.02 and percent > 10
            if decreased:
                percent -= rng.randint(3, 8)
            else:
                percent = max(percent, expected)
            if behaviour == "completed" and period == last:
                percent = 100
            investment = max(investment, hundreds(planned * percent / 100 * Decimal(str(rng.uniform(0.85, 1.0)))))
            plan.reports.append(
                self.report(
                    plan,
                    period=period,
                    age=age,
                    percent=percent,
                    investment=investment,
                    behaviour=behaviour,
                    decreased=decreased,
                    demo_leader=demo_leader,
                )
            )
            period += WEEK

        if behaviour == "completed":
            plan.status = ProjectStatus.COMPLETED
            finished = last + datetime.timedelta(days=4)
            plan.finished_on = min(finished, self.today)
            for milestone in plan.milestones:
                milestone.done_on = min(milestone.due_on, finished, self.today)
            for report in plan.reports:  # a finished project's reports have all been reviewed
                if report.status != ReportStatus.ACCEPTED:
                    self.accept_now(report)
        else:
            # On-track projects finish their milestones around the due date; late ones leave them open.
            for milestone in plan.milestones:
                if behaviour != "late" and milestone.due_on <= self.today:
                    done_on = milestone.due_on + datetime.timedelta(days=rng.randint(-5, 2))
                    milestone.done_on = min(max(done_on, plan.start_on), self.today)

    def stamp(self, day: Date, hour: int) -> datetime.datetime:
        return min(datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=SHANGHAI), self.cap)

    def report(
        self,
        plan: ProjectPlan,
        *,
        period: Date,
        age: int,
        percent: int,
        investment: Decimal,
        behaviour: str,
        decreased: bool,
        demo_leader: bool,
    ) -> ReportPlan:
        rng = self.rng
        submitted = self.stamp(period + datetime.timedelta(days=rng.randint(3, 6)), rng.randint(8, 21))
        if age >= 2 and self.late_rng.random() < plan.lateness:
            # After the deadline (the Wednesday after the week), within the fortnight after it.
            submitted = self.stamp(period + datetime.timedelta(days=self.late_rng.randint(10, 20)), submitted.hour)
        reviewed = min(submitted + datetime.timedelta(days=rng.randint(1, 3)), self.cap)
        blockers = rng.choice(BLOCKERS) if rng.random() < 0.25 else ""
        coordination = rng.choice(COORDINATION) if rng.random() < 0.1 else ""
        work = rng.choice(WORK[plan.category]).format(n=rng.randint(2, 30))
        report = ReportPlan(
            period=period,
            percent=percent,
            investment=investment,
            work_done=work,
            blockers=blockers,
            coordination=coordination,
            status=ReportStatus.ACCEPTED,
            revision=1,
            review_comment=DECREASE_NOTE if decreased else "",
            submitted_at=submitted,
            reviewed_at=reviewed,
        )
        roll = rng.random()
        if demo_leader and behaviour in {"fix", "pending"} and age <= 1:
            if behaviour == "fix" and age == 1:
                self.return_now(report)
            elif behaviour == "pending" and age == 0:
                self.leave_pending(report)
            else:
                self.accept_now(report)
        elif age == 0:  # this week: mostly waiting for review
            if roll < 0.7:
                self.leave_pending(report)
            elif roll < 0.78:
                self.return_now(report)
            else:
                self.accept_now(report)
        elif age == 1:
            if roll < 0.3:
                self.leave_pending(report)
            elif roll < 0.38:
                self.return_now(report)
            else:
                self.accept_now(report)
        elif age == 2 and roll < 0.05:  # returned and not fixed yet
            self.return_now(report)
        elif roll < 0.08:  # returned once, corrected, then accepted
            first_submit = submitted - datetime.timedelta(days=2)
            report.revisions.append(
                RevisionPlan(
                    1,
                    ReportStatus.RETURNED,
                    rng.choice(RETURN_COMMENTS),
                    first_submit,
                    first_submit + datetime.timedelta(hours=20),
                    max(percent - rng.randint(0, 5), 0),
                )
            )
            report.revision = 2
            self.accept_now(report)
        else:
            self.accept_now(report)
        return report

    def accept_now(self, report: ReportPlan) -> None:
        if report.status == ReportStatus.RETURNED:  # corrected and sent again
            report.revision += 1
            report.review_comment = ""
        report.status = ReportStatus.ACCEPTED
        report.reviewed_at = report.reviewed_at or min(report.submitted_at + datetime.timedelta(days=1), self.cap)
        report.revisions = [r for r in report.revisions if r.decision == ReportStatus.RETURNED]
        report.revisions.append(
            RevisionPlan(
                report.revision,
                ReportStatus.ACCEPTED,
                report.review_comment,
                report.submitted_at,
                report.reviewed_at,
                report.percent,
            )
        )

    def return_now(self, report: ReportPlan) -> None:
        report.status = ReportStatus.RETURNED
        report.review_comment = self.rng.choice(RETURN_COMMENTS)
        report.revisions = [
            RevisionPlan(
                1, ReportStatus.RETURNED, report.review_comment, report.submitted_at, report.reviewed_at, report.percent
            )
        ]

    def leave_pending(self, report: ReportPlan) -> None:
        report.status = ReportStatus.SUBMITTED
        report.reviewed_at = None
        if report.review_comment == DECREASE_NOTE:
            report.review_comment = ""
        report.revisions = []


def hundreds(amount: Decimal) -> Decimal:
    """Yuan rounded to the hundred, with the two decimal places the database stores."""
    return ((amount / 100).to_integral_value() * 100).quantize(Decimal("0.01"))


def build_plan(ctx: DemoContext, facts: list[AllianceFacts], demo_leader_user: int | None) -> list[ProjectPlan]:
    planner = Planner(ctx)
    plans = []
    for alliance in facts:
        demo_leader = demo_leader_user is not None and alliance.leader_user_id == demo_leader_user
        plans.extend(planner.plan(alliance, demo_leader))
    # Last year's lists come from a generator of their own: this year's plan stays as it was.
    planner.rng = random.Random(f"{DEMO_SEED}:projects:last-year")
    for alliance in facts:
        plans.extend(planner.last_year(alliance, [plan for plan in plans if plan.alliance_code == alliance.code]))
    return plans


# --------------------------------------------------------------------------- writing


def seed(ctx: DemoContext) -> None:
    User = get_user_model()
    facts = alliance_facts()
    demo_leader = User.objects.filter(username="leader").values_list("pk", flat=True).first()
    plans = build_plan(ctx, facts, demo_leader)
    reviewers = dict(User.objects.filter(username__in=[u for _p, u in REVIEWERS]).values_list("username", "pk"))
    alliances = {
        a.code: a for a in Alliance.objects.select_related("lead_region").filter(code__in=[f.code for f in facts])
    }

    organizations = MemberOrganization.objects.in_bulk(
        {p.values["responsible_organization_id"] for p in plans} - {None}
    )
    people = Person.objects.in_bulk({p.values["responsible_person_id"] for p in plans} - {None})
    existing = {
        (p.alliance_id, p.year, p.title): p
        for p in Project.objects.filter(alliance__in=alliances.values()).select_related("alliance__lead_region")
    }
    projects: list[tuple[ProjectPlan, Project]] = []
    for plan in plans:
        alliance = alliances[plan.alliance_code]
        values = {key: value for key, value in plan.values.items() if not key.endswith("_id")}
        values |= {
            "responsible_organization": organizations.get(plan.values["responsible_organization_id"]),
            "responsible_person": people.get(plan.values["responsible_person_id"]),
            "category": plan.category,
            "start_on": plan.start_on,
            "due_on": plan.due_on,
        }
        project = existing.get((alliance.pk, plan.year, plan.title))
        if project is None:
            ctx.count("created", Project)
            project = project_create(
                actor=ctx.actor,
                alliance=alliance,
                year=plan.year,
                title=plan.title,
                status=ProjectStatus.IN_PROGRESS if plan.status != ProjectStatus.PLANNED else ProjectStatus.PLANNED,
                **values,
            )
        elif changed := changes(project, values):
            ctx.count("updated", Project)
            project = project_update(actor=ctx.actor, project=project, **changed)
        sync_milestones(ctx, project, plan)
        project = move_status(ctx, project, plan.status, on=plan.finished_on)
        projects.append((plan, project))

    sync_reports(ctx, projects, reviewers)


def sync_milestones(ctx: DemoContext, project: Project, plan: ProjectPlan) -> None:
    current = {m.title: m for m in project.milestones.all()}
    for item in plan.milestones:
        milestone = current.get(item.title)
        values = {"due_on": item.due_on, "done_on": item.done_on}
        if milestone is None:
            ctx.count("created", Milestone)
            milestone_create(actor=ctx.actor, project=project, title=item.title, today=ctx.live_today, **values)
        elif changed := changes(milestone, values):
            if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
                continue  # a finished project's milestones stay as they were
            ctx.count("updated", Milestone)
            milestone_update(actor=ctx.actor, milestone=milestone, today=ctx.live_today, **changed)


def move_status(ctx: DemoContext, project: Project, wanted: str, on: Date | None = None) -> Project:
    """Walk the allowed transitions from the project's status to the planned one (a final
    one dated ``on``, today unless told)."""
    path = status_path(project.status, wanted)
    if path:
        ctx.count("updated", Project)
    for status in path:
        project = project_change_status(actor=ctx.actor, project=project, status=status, on=on)
    return project


def status_path(start: str, goal: str) -> list[str]:
    """The shortest list of allowed transitions from ``start`` to ``goal`` ([] if none or equal)."""
    frontier: list[tuple[str, list[str]]] = [(start, [])]
    seen = {start}
    while frontier:
        status, path = frontier.pop(0)
        if status == goal:
            return path
        for following in sorted(STATUS_TRANSITIONS[ProjectStatus(status)]):
            if following not in seen:
                seen.add(following)
                frontier.append((following, [*path, following]))
    return []


REPORT_FIELDS = [
    *CONTENT_FIELDS,
    "status",
    "revision",
    "review_comment",
    "submitted_at",
    "reviewed_at",
    "submitted_by_id",
    "reviewed_by_id",
]


def sync_reports(ctx: DemoContext, projects: list[tuple[ProjectPlan, Project]], reviewers: dict[str, int]) -> None:
    ids = [project.pk for _plan, project in projects]
    existing = {(r.project_id, r.period): r for r in ProgressReport.objects.filter(project_id__in=ids)}
    fresh, changed = [], []
    wanted: list[tuple[ReportPlan, int, int | None]] = []
    for plan, project in projects:
        reviewer = reviewers.get(plan.reviewer or "") or ctx.actor.pk
        for item in plan.reports:
            values = {
                "percent_complete": item.percent,
                "investment_to_date": item.investment,
                "work_done": item.work_done,
                "blockers": item.blockers,
                "needs_coordination": bool(item.coordination),
                "coordination_request": item.coordination,
                "status": item.status,
                "revision": item.revision,
                "review_comment": item.review_comment,
                "submitted_at": item.submitted_at,
                "reviewed_at": item.reviewed_at,
                "submitted_by_id": plan.submitter,
                "reviewed_by_id": reviewer if item.reviewed_at else None,
            }
            report = existing.get((project.pk, item.period))
            if report is None:
                report = ProgressReport(project_id=project.pk, period=item.period, **values)
                existing[(project.pk, item.period)] = report
                fresh.append(report)
            elif any(getattr(report, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(report, name, value)
                changed.append(report)
            wanted.append((item, project.pk, reviewer))
    ProgressReport.objects.bulk_create(fresh, batch_size=500)
    ProgressReport.objects.bulk_update(changed, REPORT_FIELDS, batch_size=500)
    ctx.count("created", ProgressReport, len(fresh))
    ctx.count("updated", ProgressReport, len(changed))

    have = set(ProgressReportRevision.objects.filter(report__project_id__in=ids).values_list("report_id", "number"))
    revisions = []
    for item, project_id, reviewer in wanted:
        report = existing[(project_id, item.period)]
        revisions += [
            ProgressReportRevision.of(
                report,
                number=revision.number,
                percent_complete=revision.percent,
                submitted_at=revision.submitted_at,
                decision=revision.decision,
                review_comment=revision.comment,
                reviewed_by_id=reviewer,
                reviewed_at=revision.reviewed_at,
            )
            for revision in item.revisions
            if (report.pk, revision.number) not in have
        ]
    ProgressReportRevision.objects.bulk_create(revisions, batch_size=500)
    ctx.count("created", ProgressReportRevision, len(revisions))

    # A report left returned was returned by a review, which told its team (journey 1: the
    # leader opens it from the notice). The notice is keyed by the revision: told once.
    returned = [report for report in existing.values() if report.status == ReportStatus.RETURNED]
    latest = {  # the last return of each (read in order, the later ones win)
        revision.report_id: revision
        for revision in ProgressReportRevision.objects.filter(
            report__in=returned, decision=ReportStatus.RETURNED
        ).order_by("report_id", "number")
    }
    for report in returned:
        if report.pk in latest:
            notify_report_returned(report, latest[report.pk])
