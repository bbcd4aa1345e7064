"""Demo data for the workshops app: about 300 common-prosperity workshops and 24 months of figures.

Called by ``manage.py seed_demo`` after the members and alliances demos. It reads the demo
villages, their organizations, people and alliance memberships from the database (in a
fixed order, so the plan does not depend on primary keys), plans every workshop with the
context's generator, then writes: workshops through ``workshops.services`` keyed on
(village, name), monthly reports with ``bulk_create`` keyed on (workshop, month).

Scale from the sources: Ningbo's 247–312 workshops employ 9,400+ surplus or low-income
workers; 喜曼蓝富 in Fenghua's 西坞街道 gives work to nearly 100 villagers, each earning over
2,000 yuan a month more. The monthly series ends with the last complete month before the
real local date (``ctx.live_today``); each month's figures depend only on the workshop and
the month, so a run in a later month adds the new month and changes nothing else.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from alliances.models import Alliance, AllianceStatus, Membership
from core.audit import bulk_create_with_history, bulk_update_with_history
from core.periods import local_zone
from demo.alliances import shuffled_cover
from demo.data import date, load
from demo.members import DEMO_PASSWORD, DEMO_SEED, DemoAccount, DemoContext, changes, ensure_account, short_name
from members.access import Role
from members.models import MemberOrganization, OrganizationKind, Person, Region, RegionLevel
from workshops.models import CHECKLIST_FIELDS, FIGURE_FIELDS, Workshop, WorkshopReport, WorkshopStatus, WorkshopType
from workshops.months import add_months, first_of_month, last_complete_month, month_range
from workshops.services import workshop_create, workshop_update

Date = datetime.date
# Featured workshops and the workshop types' profiles: demo/data/workshops.json.
DATA = load("workshops")
CENT = Decimal("0.01")
REPORT_MONTHS = 24
NINGBO = "3302"
# Head-count of Ningbo's workshops in a normal month (the sources: "9,400 余名").
NINGBO_EMPLOYED = 9_520

# Workshops per city: most in Ningbo (the sources' 312), a few in Zhoushan and Anqiu.
CITY_QUOTAS = {"3302": 252, "3309": 34, "3707": 14}

TYPE_WEIGHTS = {
    WorkshopType.PROCESSING: 30,
    WorkshopType.FACTORY: 18,
    WorkshopType.SHARED_FARM: 15,
    WorkshopType.LIVE_COMMERCE: 12,
    WorkshopType.AGRI_TOURISM: 13,
    WorkshopType.INDUSTRY: 12,
}
STATUS_WEIGHTS = {WorkshopStatus.ACTIVE: 90, WorkshopStatus.PAUSED: 6, WorkshopStatus.CLOSED: 4}
OPENING_YEARS = {2020: 5, 2021: 15, 2022: 35, 2023: 25, 2024: 12, 2025: 8}


@dataclass(frozen=True)
class TypeProfile:
    size: tuple[int, int]  # head-count at full strength
    increase: tuple[int, int]  # monthly income increase per person, yuan
    sales_per_wage: tuple[float, float]  # sales as a multiple of the wages paid
    themes: dict[str, list[str]]  # by the county's style: what the workshop does
    suffixes: list[str]
    peak_months: frozenset[int]  # busier months (never below the normal head-count)


TYPES: dict[str, TypeProfile] = {
    kind: TypeProfile(
        size=tuple(entry["size"]),
        increase=tuple(entry["increase"]),
        sales_per_wage=tuple(entry["sales_per_wage"]),
        themes=entry["themes"],
        suffixes=entry["suffixes"],
        peak_months=frozenset(entry["peak_months"]),
    )
    for kind, entry in DATA["types"].items()
}
COUNTY_STYLE = {"330225": "island", "3309": "island", "3707": "north"}
PRODUCTS: dict[str, list[str]] = DATA["products"]

STEWARD_ACCOUNT = DemoAccount("steward", DEMO_PASSWORD, Role.WORKSHOP_STEWARD, None, DATA["steward_sees"])


@dataclass(frozen=True)
class Featured:
    """A workshop from the sources, placed in its real township."""

    township_code: str
    name: str
    type: str
    size: int
    increase: tuple[int, int]
    sales_per_wage: tuple[float, float]
    opened_on: Date
    partner: str
    description: str
    steward_account: bool = False


FEATURED = [
    Featured(
        **{
            **entry,
            "increase": tuple(entry["increase"]),
            "sales_per_wage": tuple(entry["sales_per_wage"]),
            "opened_on": date(entry["opened_on"]),
        }
    )
    for entry in DATA["featured"]
]


@dataclass
class WorkshopPlan:
    region: Region
    name: str
    type: str
    host: MemberOrganization
    alliance: Alliance | None
    partner_enterprise: str
    steward: Person | None
    opened_on: Date
    status: str
    checklist: dict[str, bool]
    description: str
    size: float  # head-count at full strength, before Ningbo's scaling
    low_share: float
    increase: tuple[int, int]
    sales_per_wage: tuple[float, float]
    peak_months: frozenset[int]
    last_month: Date | None  # paused or closed: the last month with figures
    steward_account: bool = False
    fixed_size: bool = False  # featured workshops keep the size the sources give

    @property
    def key(self) -> tuple[int, str]:
        return (self.region.pk, self.name)

    def values(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "host": self.host,
            "alliance": self.alliance,
            "partner_enterprise": self.partner_enterprise,
            "steward": self.steward,
            "opened_on": self.opened_on,
            "status": self.status,
            "description": self.description,
            **self.checklist,
        }


@dataclass
class Village:
    region: Region
    county: str  # code6
    org: MemberOrganization
    people: list[Person]
    alliances: list[Alliance]  # the village's own alliances, else those led from its township
    enterprises: list[str] = field(default_factory=list)  # partner candidates in the township
    cooperatives: list[str] = field(default_factory=list)


def style_of(code6: str) -> str:
    return COUNTY_STYLE.get(code6) or COUNTY_STYLE.get(code6[:4]) or "south"


def load_villages() -> list[Village]:
    """The demo villages with their organization, people, alliances and nearby enterprises: six queries."""
    regions = list(Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code"))
    orgs = MemberOrganization.objects.filter(
        region__level=RegionLevel.VILLAGE, kind__in=[OrganizationKind.VILLAGE, OrganizationKind.COMMUNITY]
    ).order_by("region__code", "name")
    org_of: dict[int, MemberOrganization] = {}
    for org in orgs:
        org_of.setdefault(org.region_id, org)
    people: dict[int, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(organization__in=list(org_of.values())).order_by("name", "mobile"):
        people[person.organization_id].append(person)
    alliances: dict[int, list[Alliance]] = defaultdict(list)
    for membership in (
        Membership.objects.current()
        .filter(organization__in=list(org_of.values()))
        .exclude(alliance__status=AllianceStatus.DISSOLVED)
        .select_related("alliance")
        .order_by("alliance__code")
    ):
        alliances[membership.organization_id].append(membership.alliance)
    led_from: dict[str, list[Alliance]] = defaultdict(list)
    for alliance in (
        Alliance.objects.filter(lead_region__level=RegionLevel.TOWNSHIP)
        .exclude(status=AllianceStatus.DISSOLVED)
        .select_related("lead_region")
        .order_by("code")
    ):
        led_from[alliance.lead_region.code[:9]].append(alliance)
    partners: dict[tuple[str, str], list[str]] = defaultdict(list)
    for org in (
        MemberOrganization.objects.filter(
            region__level=RegionLevel.TOWNSHIP, kind__in=[OrganizationKind.ENTERPRISE, OrganizationKind.COOPERATIVE]
        )
        .select_related("region")
        .order_by("region__code", "name")
    ):
        partners[(org.region.code[:9], org.kind)].append(org.name.removesuffix("党支部").removesuffix("党委"))
    villages = []
    for region in regions:
        org = org_of.get(region.pk)
        if org is None:
            continue
        villages.append(
            Village(
                region=region,
                county=region.code[:6],
                org=org,
                people=people[org.pk],
                alliances=alliances[org.pk] or led_from[region.code[:9]],
                enterprises=partners[(region.code[:9], OrganizationKind.ENTERPRISE)],
                cooperatives=partners[(region.code[:9], OrganizationKind.COOPERATIVE)],
            )
        )
    return villages


class Planner:
    def __init__(self, ctx: DemoContext, villages: list[Village]) -> None:
        self.rng = ctx.rng
        self.today = ctx.today
        self.villages = villages
        self.names: set[tuple[int, str]] = set()

    def build(self) -> list[WorkshopPlan]:
        plans = [plan for item in FEATURED if (plan := self.featured(item))]
        for city, quota in CITY_QUOTAS.items():
            candidates = [v for v in self.villages if v.county.startswith(city)]
            if not candidates:
                continue
            count = quota - sum(1 for p in plans if p.region.code.startswith(city))
            types = shuffled_cover(self.rng, TYPE_WEIGHTS, count)
            # Every village first (in random order), then more in some villages.
            order = self.rng.sample(candidates, len(candidates))
            while len(order) < count:
                order.append(self.rng.choice(candidates))
            for village, kind in zip(order[:count], types, strict=True):
                plans.append(self.generated(village, kind))
        self.scale_ningbo(plans)
        return plans

    def featured(self, item: Featured) -> WorkshopPlan | None:
        in_township = [v for v in self.villages if v.region.code.startswith(item.township_code[:9])]
        if not in_township:
            return None
        village = next((v for v in in_township if v.region.name.endswith("村")), in_township[0])
        self.names.add((village.region.pk, item.name))
        return WorkshopPlan(
            region=village.region,
            name=item.name,
            type=item.type,
            host=village.org,
            alliance=village.alliances[0] if village.alliances else None,
            partner_enterprise=item.partner,
            steward=self.steward(village, always=True),
            opened_on=item.opened_on,
            status=WorkshopStatus.ACTIVE,
            checklist=dict.fromkeys(CHECKLIST_FIELDS, True),
            description=item.description,
            size=item.size,
            low_share=0.42,
            increase=item.increase,
            sales_per_wage=item.sales_per_wage,
            peak_months=frozenset(),
            last_month=None,
            steward_account=item.steward_account,
            fixed_size=True,
        )

    def steward(self, village: Village, *, always: bool = False) -> Person | None:
        if not village.people or (not always and self.rng.random() < 0.12):
            return None
        cadres = [p for p in village.people if "主任" in p.title or "副书记" in p.title]
        return self.rng.choice(cadres or village.people)

    def name(self, village: Village, kind: str) -> str:
        profile = TYPES[kind]
        style = style_of(village.county)
        themes = profile.themes[style] or PRODUCTS[style]
        village_name = short_name(village.region.name)
        for _attempt in range(20):
            name = f"{village_name}{self.rng.choice(themes)}{self.rng.choice(profile.suffixes)}"
            if (village.region.pk, name) not in self.names:
                self.names.add((village.region.pk, name))
                return name
        raise RuntimeError(f"no free workshop name in {village.region.name}")  # pragma: no cover

    def generated(self, village: Village, kind: str) -> WorkshopPlan:
        rng = self.rng
        profile = TYPES[kind]
        year = rng.choices(list(OPENING_YEARS), weights=list(OPENING_YEARS.values()))[0]
        opened_on = Date(year, rng.randint(1, 12), rng.randint(1, 28))
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        if opened_on > Date(2025, 6, 30):
            status = WorkshopStatus.ACTIVE  # too new to have stopped
        last_month = None
        if status == WorkshopStatus.PAUSED:
            last_month = add_months(first_of_month(self.today), -rng.randint(2, 4))
        elif status == WorkshopStatus.CLOSED:
            last_month = add_months(first_of_month(self.today), -rng.randint(7, 14))
        steward = self.steward(village)
        checklist = dict.fromkeys(CHECKLIST_FIELDS, True)
        if rng.random() < 0.35:
            for item in rng.sample([f for f in CHECKLIST_FIELDS if f != "has_steward"], rng.randint(1, 3)):
                checklist[item] = False
        checklist["has_steward"] = steward is not None
        alliance = None
        if village.alliances and rng.random() > 0.12:
            alliance = rng.choice(village.alliances)
        farming = kind in {WorkshopType.SHARED_FARM, WorkshopType.AGRI_TOURISM, WorkshopType.LIVE_COMMERCE}
        candidates = (village.cooperatives or village.enterprises) if farming else village.enterprises
        partner = rng.choice(candidates) if candidates and rng.random() < 0.8 else ""
        low, high = profile.increase
        return WorkshopPlan(
            region=village.region,
            name=self.name(village, kind),
            type=kind,
            host=village.org,
            alliance=alliance,
            partner_enterprise=partner,
            steward=steward,
            opened_on=opened_on,
            status=status,
            checklist=checklist,
            description="",
            size=rng.uniform(*profile.size),
            low_share=rng.uniform(0.22, 0.5),
            increase=(base := rng.randint(low, high), round(base * 1.08)),
            sales_per_wage=profile.sales_per_wage,
            peak_months=profile.peak_months,
            last_month=last_month,
        )

    def scale_ningbo(self, plans: list[WorkshopPlan]) -> None:
        """Size Ningbo's running workshops so that together they employ ~9,500 in a normal month."""
        running = [p for p in plans if p.region.code.startswith(NINGBO) and p.last_month is None]
        fixed = sum(p.size for p in running if p.fixed_size)
        free = sum(p.size for p in running if not p.fixed_size)
        factor = (NINGBO_EMPLOYED - fixed) / free
        for plan in plans:
            if plan.region.code.startswith(NINGBO) and not plan.fixed_size:
                plan.size *= factor


def month_figures(plan: WorkshopPlan, month: Date) -> dict[str, Any]:
    """The figures of one month: a function of the workshop and the month alone."""
    rng = random.Random(f"{DEMO_SEED}:workshop:{plan.region.code}:{plan.name}:{month:%Y-%m}")
    age = (month.year - plan.opened_on.year) * 12 + month.month - plan.opened_on.month
    ramp = min(1.0, 0.5 + 0.1 * age)  # full strength after about half a year
    peak = 1.06 if month.month in plan.peak_months else 1.0
    employed = max(1, round(plan.size * ramp * peak * rng.uniform(0.97, 1.03)))
    low_income = min(employed, round(employed * plan.low_share * rng.uniform(0.92, 1.08)))
    increase = Decimal(rng.randint(*plan.increase)).quantize(CENT)
    wages = (increase * employed * Decimal(str(round(rng.uniform(1.0, 1.12), 3)))).quantize(Decimal(1))
    sales = (wages * Decimal(str(round(rng.uniform(*plan.sales_per_wage), 3)))).quantize(Decimal(1))
    return {
        "employed": employed,
        "low_income_employed": low_income,
        "wages_paid": wages.quantize(CENT),
        "income_increase_per_person": increase,
        "sales": sales.quantize(CENT),
    }


def report_months(plan: WorkshopPlan, last: Date) -> list[Date]:
    first = max(add_months(last, 1 - REPORT_MONTHS), first_of_month(plan.opened_on))
    end = min(last, plan.last_month) if plan.last_month else last
    return list(month_range(first, end))


# --------------------------------------------------------------------------- writing


def seed(ctx: DemoContext) -> None:
    plans = Planner(ctx, load_villages()).build()
    actor = ctx.actor

    existing = {(w.region_id, w.name): w for w in Workshop.objects.filter(region__in=[p.region for p in plans])}
    workshops: dict[tuple[int, str], Workshop] = {}
    for plan in plans:
        values = plan.values()
        workshop = existing.get(plan.key)
        if workshop is None:
            ctx.count("created", Workshop)
            workshop = workshop_create(actor=actor, region=plan.region, name=plan.name, **values)
        elif changed := changes(workshop, values):
            ctx.count("updated", Workshop)
            workshop = workshop_update(actor=actor, workshop=workshop, **changed)
        workshops[plan.key] = workshop

    seed_reports(ctx, plans, workshops)

    steward = next((p.steward for p in plans if p.steward_account and p.steward), None)
    if steward is not None:
        ensure_account(ctx, STEWARD_ACCOUNT, None, steward)
        ctx.log(
            f"  Workshop steward account: {STEWARD_ACCOUNT.username} / {STEWARD_ACCOUNT.password}"
            f" ({steward.name}, {STEWARD_ACCOUNT.sees})"
        )


# The day of the following month a workshop's figures are filed on (at 10:00).
FILED_ON_DAY = 3


def filed_at(month: datetime.date, today: datetime.date) -> datetime.datetime:
    """When the month's figures were filed: the third of the following month at 10:00, or
    just after midnight today when that is later (the report's ``created_at``, which the
    weekly dispatch reads figures filed by its cut-off from)."""
    following = add_months(month, 1).replace(day=FILED_ON_DAY)
    return min(
        datetime.datetime.combine(following, datetime.time(10), tzinfo=local_zone()),
        datetime.datetime.combine(today, datetime.time(0, 5), tzinfo=local_zone()),
    )


def seed_reports(ctx: DemoContext, plans: list[WorkshopPlan], workshops: dict[tuple[int, str], Workshop]) -> None:
    last = last_complete_month(ctx.live_today)
    first = add_months(last, 1 - REPORT_MONTHS)
    existing = {
        (r.workshop_id, r.month): r
        for r in WorkshopReport.objects.filter(workshop__in=list(workshops.values()), month__gte=first, month__lte=last)
    }
    new, changed = [], []
    for plan in plans:
        workshop = workshops[plan.key]
        for month in report_months(plan, last):
            figures = month_figures(plan, month)
            report = existing.get((workshop.pk, month))
            if report is None:
                new.append(WorkshopReport(workshop=workshop, month=month, **figures))
            elif any(getattr(report, name) != value for name, value in figures.items()):
                for name, value in figures.items():
                    setattr(report, name, value)
                changed.append(report)
    # Figures generated above are within every constraint (low-income <= employed, first
    # day of the month, nothing negative); the database checks them again on insert.
    # With one history row each, attributed to the demo's actor (as an import would be).
    bulk_create_with_history(new, WorkshopReport, actor=ctx.actor, reason="seed_demo", batch_size=1000)
    bulk_update_with_history(
        changed, WorkshopReport, FIGURE_FIELDS, actor=ctx.actor, reason="seed_demo", batch_size=1000
    )
    # Dated as filed at the time (a created_at is the moment of the insert).
    for month in {report.month for report in new}:
        WorkshopReport.objects.filter(pk__in=[r.pk for r in new if r.month == month]).update(
            created_at=filed_at(month, ctx.live_today)
        )
    ctx.count("created", WorkshopReport, len(new))
    ctx.count("updated", WorkshopReport, len(changed))
