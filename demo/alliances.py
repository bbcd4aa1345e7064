"""Demo data for the alliances app: alliances, dated memberships and "1+1+N" teams.

Called by ``manage.py seed_demo`` after ``demo.members``, whose plan (``ctx.shared["members"]``)
it chooses organizations and people from, so the random draws never depend on the database.
Rows are keyed on natural keys (alliance code; alliance, organization, role and joining date;
alliance, person, role and start date) and written through ``alliances.services``; a second
run writes nothing.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from alliances.models import (
    Activity,
    Alliance,
    AllianceScope,
    AllianceStatus,
    Claim,
    EntityPlatform,
    FormationMode,
    Meeting,
    Membership,
    MembershipRole,
    Mentorship,
    Need,
    Resource,
    Shareholding,
    TeamRole,
    TeamRoleKind,
)
from alliances.services import (
    activity_update,
    alliance_create,
    alliance_update,
    claim_create,
    claim_resolve,
    claim_start,
    claim_withdraw,
    meeting_update,
    membership_add,
    membership_end,
    mentorship_create,
    mentorship_end,
    mentorship_update,
    need_create,
    need_update,
    platform_create,
    platform_update,
    resource_create,
    resource_update,
    shareholding_set,
    team_role_assign,
)
from core.constraints import validated_save
from demo.data import date, load
from demo.members import (
    COUNTY_BY_CODE6,
    DEMO_ACCOUNTS,
    DEMO_LEADER_MOBILE,
    PRODUCTS,
    DemoContext,
    MembersPlan,
    OrgPlan,
    PersonPlan,
    changes,
    short_name,
)
from members.access import Role
from members.models import OrganizationKind, Person

Date = datetime.date
# Featured alliances and the words of the generated ones: demo/data/alliances.json.
DATA = load("alliances")

# Alliances per county and scale: weighted towards Ningbo, at least 8 in Yinzhou and 3 in Daishan.
QUOTAS: dict[str, dict[str, int]] = {
    "demo": {
        "330203": 5,
        "330205": 5,
        "330206": 5,
        "330211": 4,
        "330212": 10,
        "330213": 5,
        "330225": 4,
        "330226": 5,
        "330281": 5,
        "330282": 6,
        "330902": 3,
        "330903": 4,
        "330921": 4,
        "330922": 2,
        "370784": 4,
    },
}

VILLAGE_KINDS = {OrganizationKind.VILLAGE, OrganizationKind.COMMUNITY}
# Which other kinds of organizations join, by the alliance's scope.
SCOPE_KINDS = {
    AllianceScope.CROSS_REGION: {
        OrganizationKind.ENTERPRISE,
        OrganizationKind.COOPERATIVE,
        OrganizationKind.INSTITUTION,
    },
    AllianceScope.CROSS_FIELD: {
        OrganizationKind.GOVERNMENT,
        OrganizationKind.INSTITUTION,
        OrganizationKind.UNIVERSITY,
        OrganizationKind.ENTERPRISE,
        OrganizationKind.NEW_ORG,
    },
    AllianceScope.CROSS_INDUSTRY: {OrganizationKind.ENTERPRISE, OrganizationKind.COOPERATIVE, OrganizationKind.NEW_ORG},
}
MODE_WEIGHTS = {
    FormationMode.LEADER_DRIVEN: 3,
    FormationMode.INDUSTRY_CHAIN: 2,
    FormationMode.ENCLAVE_CLUSTER: 1,
    FormationMode.NEIGHBOUR: 3,
    FormationMode.COMMUNITY: 2,
    FormationMode.PROJECT_DRIVEN: 2,
    FormationMode.PAIRING: 2,
    FormationMode.OTHER: 1,
}
STATUS_WEIGHTS = {
    AllianceStatus.ACTIVE: 36,
    AllianceStatus.FORMING: 5,
    AllianceStatus.RECTIFYING: 4,
    AllianceStatus.DISSOLVED: 3,
}
SCOPE_WEIGHTS = {AllianceScope.CROSS_REGION: 5, AllianceScope.CROSS_FIELD: 3, AllianceScope.CROSS_INDUSTRY: 2}
# The Chinese labels, independent of the active language (the data is Chinese whatever the UI shows).
MODE_LABELS = {
    FormationMode.LEADER_DRIVEN: "龙头带动",
    FormationMode.INDUSTRY_CHAIN: "产业链接",
    FormationMode.ENCLAVE_CLUSTER: "飞地抱团",
    FormationMode.NEIGHBOUR: "毗邻协作",
    FormationMode.COMMUNITY: "社区共建",
    FormationMode.PROJECT_DRIVEN: "项目牵引",
    FormationMode.PAIRING: "结对帮促",
    FormationMode.OTHER: "其他",
}
OTHER_MODES: list[str] = DATA["other_modes"]
THEMES: list[str] = DATA["themes"]
ISLAND_THEMES: list[str] = DATA["island_themes"]
PLATFORMS: list[str] = DATA["platforms"]
OWNERSHIPS: list[str] = DATA["ownerships"]
CN_NUMBERS = "一二三四五六七八九十"

COVENANT_CLAUSES: list[str] = DATA["covenant_clauses"]
COVENANT_CLOSING_CLAUSE: str = DATA["covenant_closing_clause"]
# The covenant clause of each formation mode.
FOCUS: dict[str, str] = DATA["focus"]
# What the alliance has achieved, for the description, by formation mode.
RESULTS: dict[str, str] = DATA["results"]


@dataclass(frozen=True)
class Featured:
    """An alliance from the sources, placed in its real township where the demo regions have it."""

    county: str
    name: str
    mode: str
    scope: str
    founded_on: Date
    township: str | None = None  # township name; None: the county itself leads
    mode_other: str = ""
    demonstration_year: int | None = None
    lead_village: str | None = None
    size: int | None = None
    kinds: frozenset[str] | None = None
    story: str = ""
    demo_leader: bool = False


FEATURED = [
    Featured(
        **{
            **entry,
            "founded_on": date(entry["founded_on"]),
            "kinds": frozenset(entry["kinds"]) if "kinds" in entry else None,
        }
    )
    for entry in DATA["featured"]
]


@dataclass
class MembershipPlan:
    org: OrgPlan
    role: str
    joined_on: Date
    left_on: Date | None = None


@dataclass
class TeamPlan:
    mobile: str
    role: str
    started_on: Date
    ended_on: Date | None = None


@dataclass
class AlliancePlan:
    code: str
    name: str
    formation_mode: str
    formation_mode_other: str
    scope: str
    lead_region: str
    founded_on: Date
    status: str
    demonstration_year: int | None
    covenant: str = ""
    description: str = ""
    memberships: list[MembershipPlan] = field(default_factory=list)
    team: list[TeamPlan] = field(default_factory=list)  # in the order the roles were taken up


def random_date(rng: random.Random, start: Date, end: Date) -> Date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def shuffled_cover(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    """``count`` values drawn by weight, every value at least once, in random order."""
    values = list(weights)
    values += rng.choices(values, weights=list(weights.values()), k=max(count - len(values), 0))
    rng.shuffle(values)
    return values


class Planner:
    """Builds the alliance plans from the members plan, with the context's generator only."""

    def __init__(self, ctx: DemoContext, members: MembersPlan) -> None:
        self.rng = ctx.rng
        self.today = ctx.today
        self.members = members
        self.names: set[str] = {featured.name for featured in FEATURED}
        self.leading: set[str] = set()
        self.demo_leader = next(person for person in members.people if person.mobile == DEMO_LEADER_MOBILE)
        self.demo_leader_alliances = 0

    # ----------------------------------------------------------------- whole plan

    def build(self, quotas: dict[str, int]) -> list[AlliancePlan]:
        generated = sum(quotas.values()) - sum(1 for featured in FEATURED if featured.county in quotas)
        modes = shuffled_cover(self.rng, MODE_WEIGHTS, generated)
        statuses = shuffled_cover(self.rng, STATUS_WEIGHTS, generated)
        scopes = shuffled_cover(self.rng, SCOPE_WEIGHTS, generated)
        plans: list[AlliancePlan] = []
        for county, quota in quotas.items():
            featured = [item for item in FEATURED if item.county == county][:quota]
            codes = (f"LM-{county}-{number:03d}" for number in range(1, quota + 1))
            for item in featured:
                plans.append(self.featured(next(codes), item))
            for _ in range(quota - len(featured)):
                plans.append(self.generated(next(codes), county, modes.pop(), statuses.pop(), scopes.pop()))
        return plans

    def featured(self, code: str, item: Featured) -> AlliancePlan:
        county = item.county
        lead_region = self.members.township_by_name(county, item.township) if item.township else f"{county}000000"
        plan = AlliancePlan(
            code=code,
            name=item.name,
            formation_mode=item.mode,
            formation_mode_other=item.mode_other,
            scope=item.scope,
            lead_region=lead_region,
            founded_on=item.founded_on,
            status=AllianceStatus.ACTIVE,
            demonstration_year=item.demonstration_year,
        )
        lead = None
        if item.demo_leader and self.demo_leader_alliances == 0 and self.demo_leader.org:
            # The demo leader's own village leads the first of his alliances; the second is led by another one.
            lead = self.members.org_by_key[self.demo_leader.org]
        elif item.lead_village:
            lead = next(
                org
                for org in self.members.orgs_in(lead_region)
                if self.members.region_names[org.region_code] == item.lead_village
            )
        self.choose_members(plan, lead=lead, size=item.size, kinds=item.kinds)
        self.choose_team(plan, leader=self.demo_leader if item.demo_leader else None)
        if item.demo_leader:
            self.demo_leader_alliances += 1
        self.write_texts(plan, story=item.story)
        return plan

    def generated(self, code: str, county: str, mode: str, status: str, scope: str) -> AlliancePlan:
        rng = self.rng
        townships = self.members.townships[county]
        lead_region = f"{county}000000" if rng.random() < 0.2 else rng.choice(townships)
        if status == AllianceStatus.FORMING:
            founded_on = random_date(rng, Date(2025, 10, 1), self.today - datetime.timedelta(days=30))
        else:
            founded_on = random_date(rng, Date(2021, 3, 1), Date(2025, 6, 30))
        demonstration_year = None
        if status == AllianceStatus.ACTIVE and rng.random() < 0.2:
            demonstration_year = rng.randint(max(founded_on.year, 2022), 2025)
        mode_other = rng.choice(OTHER_MODES) if mode == FormationMode.OTHER else ""
        plan = AlliancePlan(
            code=code,
            name=self.alliance_name(county, lead_region),
            formation_mode=mode,
            formation_mode_other=mode_other,
            scope=scope,
            lead_region=lead_region,
            founded_on=founded_on,
            status=status,
            demonstration_year=demonstration_year,
        )
        self.choose_members(plan)
        self.choose_team(plan)
        self.write_texts(plan)
        return plan

    def alliance_name(self, county: str, lead_region: str) -> str:
        spec = COUNTY_BY_CODE6[county]
        place = spec.short if lead_region.endswith("000000") else short_name(self.members.region_names[lead_region])
        themes = THEMES + (ISLAND_THEMES if spec.style == "island" else [])
        while True:
            name = f"{place}{self.rng.choice(themes)}党建联盟"
            if name not in self.names:
                self.names.add(name)
                return name

    # ----------------------------------------------------------------- members

    def choose_members(
        self,
        plan: AlliancePlan,
        *,
        lead: OrgPlan | None = None,
        size: int | None = None,
        kinds: frozenset[str] | None = None,
    ) -> None:
        rng, members = self.rng, self.members
        county = plan.lead_region[:6]
        townships = members.townships[county]
        county_leads = plan.lead_region.endswith("000000")
        size = size or rng.randint(3, 6)
        if county_leads:
            area = rng.sample(townships, 2)
        else:
            area = [plan.lead_region]
            if plan.scope == AllianceScope.CROSS_REGION:
                index = townships.index(plan.lead_region)
                area.append(townships[index + 1] if index + 1 < len(townships) else townships[index - 1])
        villages = [org for township in area for org in members.orgs_in(township) if org.tier == "village"]
        wanted = kinds if kinds is not None else SCOPE_KINDS[plan.scope]
        others = [
            org
            for township in area
            for org in members.orgs_in(township)
            if org.tier == "township" and org.kind in wanted
        ]
        if county_leads or plan.scope != AllianceScope.CROSS_REGION:
            others += [org for org in members.county_orgs(county) if org.kind in wanted]
        if plan.demonstration_year:  # all members of demonstration alliances are rated four stars or more
            villages = [org for org in villages if (org.star_rating or 0) >= 4] or villages
            others = [org for org in others if (org.star_rating or 0) >= 4] or others

        if lead is None:
            if county_leads and others and rng.random() < 0.5:
                lead = rng.choice(others)
            else:
                local = [org for org in villages if county_leads or org.township == plan.lead_region]
                if plan.formation_mode == FormationMode.COMMUNITY:
                    local = [org for org in local if org.kind == OrganizationKind.COMMUNITY] or local
                lead = rng.choice(local or villages)
        villages = [org for org in villages if org is not lead]
        others = [org for org in others if org is not lead]

        if kinds is not None and not kinds:
            n_others = 0
        elif plan.scope == AllianceScope.CROSS_REGION:
            n_others = rng.randint(0, 1)
        else:
            n_others = rng.randint(1, 2)
        n_others = min(n_others, len(others))
        n_villages = min(size - 1 - n_others, len(villages))
        chosen = rng.sample(villages, n_villages) + rng.sample(others, n_others)

        founded, today = plan.founded_on, self.today
        plan.memberships.append(MembershipPlan(lead, MembershipRole.LEAD, founded))
        for org in chosen:
            joined = founded
            if rng.random() < 0.2:
                joined = min(founded + datetime.timedelta(days=rng.randint(30, 540)), today)
            plan.memberships.append(MembershipPlan(org, MembershipRole.MEMBER, joined))
        rest = [org for org in villages + others if org not in chosen]
        if rest and rng.random() < 0.35:
            org = rng.choice(rest)
            left = min(founded + datetime.timedelta(days=rng.randint(60, 720)), today)
            plan.memberships.append(MembershipPlan(org, MembershipRole.MEMBER, founded, left))

    # ----------------------------------------------------------------- "1+1+N" team

    def choose_team(self, plan: AlliancePlan, *, leader: PersonPlan | None = None) -> None:
        rng, members = self.rng, self.members
        county = plan.lead_region[:6]
        current = [item.org for item in plan.memberships if item.left_on is None]
        lead_org = current[0]
        village_secretaries = [members.secretary_of[org.key] for org in current if org.kind in VILLAGE_KINDS]
        if leader is not None:
            leader_mobile = leader.mobile
        elif lead_org.kind in VILLAGE_KINDS:
            leader_mobile = members.secretary_of[lead_org.key]
        else:
            fresh = [mobile for mobile in village_secretaries if mobile not in self.leading]
            leader_mobile = (fresh or village_secretaries or [members.secretary_of[lead_org.key]])[0]
        self.leading.add(leader_mobile)

        if plan.lead_region.endswith("000000"):  # a county leads: the instructor comes from a member's township
            township = next((org.township for org in current if org.township), members.townships[county][0])
        else:
            township = plan.lead_region
        instructors = members.people_tagged("instructor", township=township) or members.people_tagged(
            "instructor", county=county
        )
        instructor = rng.choice(instructors)

        advisor_pool = [person.mobile for person in members.people_tagged("advisor", county=county)]
        advisor_pool += [members.secretary_of[org.key] for org in members.county_orgs(county)]
        advisors = rng.sample(advisor_pool, min(rng.randint(1, 4), len(advisor_pool)))

        founded, today = plan.founded_on, self.today
        leader_since = founded
        age = (today - founded).days
        if rng.random() < 0.34 and age > 240:
            previous = [mobile for mobile in village_secretaries if mobile != leader_mobile]
            if previous:
                leader_since = founded + datetime.timedelta(days=rng.randint(120, age - 60))
                plan.team.append(TeamPlan(rng.choice(previous), TeamRoleKind.LEADER, founded, leader_since))
        plan.team.append(TeamPlan(instructor.mobile, TeamRoleKind.INSTRUCTOR, founded))
        for mobile in advisors:
            started = min(founded + datetime.timedelta(days=rng.randint(0, 60)), today)
            plan.team.append(TeamPlan(mobile, TeamRoleKind.ADVISOR, started))
        # First secretaries sent to a member village serve in the team as members.
        villages = {members.region_names[org.region_code] for org in current if org.kind in VILLAGE_KINDS}
        for person in members.people_tagged("first_secretary", county=county):
            if person.title.removeprefix("驻").removesuffix("第一书记") in villages:
                plan.team.append(TeamPlan(person.mobile, TeamRoleKind.MEMBER, founded))
        plan.team.append(TeamPlan(leader_mobile, TeamRoleKind.LEADER, leader_since))

    # ----------------------------------------------------------------- texts

    def write_texts(self, plan: AlliancePlan, *, story: str = "") -> None:
        rng, members = self.rng, self.members
        spec = COUNTY_BY_CODE6[plan.lead_region[:6]]
        product = rng.choice(PRODUCTS[spec.style])
        current = [item.org for item in plan.memberships if item.left_on is None]
        lead, others = current[0].name, [org.name for org in current[1:]]
        mode = plan.formation_mode_other or MODE_LABELS[plan.formation_mode]
        numbers = {
            "amount": rng.randint(30, 900) * 10,
            "households": rng.randint(30, 300) * 10,
            "percent": rng.randint(8, 35),
            "wishes": rng.randint(20, 300),
            "issues": rng.randint(10, 120),
            "projects": rng.randint(4, 15),
            "land": rng.randint(5, 30) * 10,
        }
        words = {"lead": lead, "product": product, "mode": mode, **numbers}
        organization, five_links, three_lists = COVENANT_CLAUSES
        clauses = [organization, five_links, FOCUS[plan.formation_mode].format(**words), three_lists]
        if rng.random() < 0.6:
            clauses.append(
                f"实体支撑：按照“{rng.choice(OWNERSHIPS)}”方式组建{rng.choice(PLATFORMS)}，"
                "统筹经营联盟内闲置资产资源，收益按约定分配。"
            )
        clauses.append(COVENANT_CLOSING_CLAUSE)
        plan.covenant = "\n".join(
            [f"为深化党建联建、推动组团发展、促进共同富裕，{lead}等成员单位经充分协商，自愿签订本公约："]
            + [f"{CN_NUMBERS[index]}、{clause}" for index, clause in enumerate(clauses)]
        )

        result = story or RESULTS[plan.formation_mode].format(**words)
        joined = "、".join(others[:3]) + ("等" if len(others) > 3 else "")
        region = members.region_names[plan.lead_region]
        text = (
            f"{plan.name}于{plan.founded_on.year}年{plan.founded_on.month}月在{region}成立，由{lead}牵头"
            + (f"，联合{joined}" if joined else "")
            + f"共{len(current)}家单位组建，采用“{mode}”模式。{result}"
        )
        if plan.demonstration_year:
            text += f"{plan.demonstration_year}年被认定为示范性党建联盟。"
        text += {
            AllianceStatus.FORMING: "目前正在完善组织架构和项目清单。",
            AllianceStatus.RECTIFYING: "因联建工作推进不力，年度考评被列入整顿，正在调整重组。",
            AllianceStatus.DISSOLVED: "因成员单位调整，联盟已撤销，历史记录予以保留。",
        }.get(AllianceStatus(plan.status), "")
        plan.description = text


# --------------------------------------------------------------------------- writing


def seed(ctx: DemoContext) -> None:
    members: MembersPlan = ctx.shared["members"]
    db: dict[str, Any] = ctx.shared["members_db"]
    plans = Planner(ctx, members).build(QUOTAS[ctx.scale])
    regions, organizations, people = db["regions"], db["organizations"], db["people"]
    actor = ctx.actor

    existing = {alliance.code: alliance for alliance in Alliance.objects.filter(code__in=[p.code for p in plans])}
    alliances: dict[str, Alliance] = {}
    for plan in plans:
        values = {
            "name": plan.name,
            "formation_mode": plan.formation_mode,
            "formation_mode_other": plan.formation_mode_other,
            "scope": plan.scope,
            "lead_region": regions[plan.lead_region],
            "founded_on": plan.founded_on,
            "status": plan.status,
            "is_demonstration": plan.demonstration_year is not None,
            "demonstration_year": plan.demonstration_year,
            "covenant": plan.covenant,
            "description": plan.description,
        }
        alliance = existing.get(plan.code)
        if alliance is None:
            ctx.count("created", Alliance)
            alliance = alliance_create(actor=actor, code=plan.code, **values)
        elif changed := changes(alliance, values):
            ctx.count("updated", Alliance)
            alliance_update(actor=actor, alliance=alliance, **changed)
        alliances[plan.code] = alliance

    ids = [alliance.pk for alliance in alliances.values()]
    memberships = {
        (m.alliance_id, m.organization_id, m.role, m.joined_on): m
        for m in Membership.objects.filter(alliance_id__in=ids)
    }
    roles = {
        (r.alliance_id, r.person_id, r.role, r.started_on): r for r in TeamRole.objects.filter(alliance_id__in=ids)
    }
    for plan in plans:
        alliance = alliances[plan.code]
        for item in plan.memberships:
            organization = organizations[item.org.key]
            membership = memberships.get((alliance.pk, organization.pk, item.role, item.joined_on))
            if membership is None:
                ctx.count("created", Membership)
                membership = membership_add(
                    actor=actor, alliance=alliance, organization=organization, joined_on=item.joined_on, role=item.role
                )
                if item.left_on:
                    membership_end(actor=actor, membership=membership, left_on=item.left_on)
            elif membership.left_on != item.left_on:
                ctx.count("updated", Membership)
                membership.left_on = item.left_on
                validated_save(membership)
        sync_team(ctx, alliance, plan, people, roles)
    link_demo_instructor(ctx, plans, people)
    seed_operations(ctx, plans, alliances)


def link_demo_instructor(ctx: DemoContext, plans: list[AlliancePlan], people: dict[str, Any]) -> None:
    """The demo's township staff account is the login of the township instructor of the demo
    leader's first alliance (journey 4): that instructor follows the alliances they instruct
    and is told what their leader is told."""
    username = next((account.username for account in DEMO_ACCOUNTS if account.role == Role.TOWNSHIP_STAFF), None)
    user = get_user_model().objects.filter(username=username).first() if username else None
    led = [
        plan
        for plan in plans
        if any(
            item.mobile == DEMO_LEADER_MOBILE and item.role == TeamRoleKind.LEADER and item.ended_on is None
            for item in plan.team
        )
    ]
    if user is None or not led:
        return
    instructor = next(item for item in led[0].team if item.role == TeamRoleKind.INSTRUCTOR and item.ended_on is None)
    person = people[instructor.mobile]
    if person.user_id != user.pk:
        ctx.count("updated", Person)
        Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])


def sync_team(
    ctx: DemoContext, alliance: Alliance, plan: AlliancePlan, people: dict[str, Any], roles: dict[tuple, TeamRole]
) -> None:
    """Take up the planned roles in order (a new leader ends the previous one), then check the end dates."""
    created = False
    for item in plan.team:
        person = people[item.mobile]
        if (alliance.pk, person.pk, item.role, item.started_on) not in roles:
            ctx.count("created", TeamRole)
            team_role_assign(
                actor=ctx.actor, alliance=alliance, person=person, role=item.role, started_on=item.started_on
            )
            created = True
    if created:
        roles = {
            (r.alliance_id, r.person_id, r.role, r.started_on): r for r in TeamRole.objects.filter(alliance=alliance)
        }
    for item in plan.team:
        role = roles[(alliance.pk, people[item.mobile].pk, item.role, item.started_on)]
        if role.ended_on != item.ended_on:
            ctx.count("updated", TeamRole)
            role.ended_on = item.ended_on
            validated_save(role)


# =========================================================================== operations
# "三会" meetings and "五联" activities from January of last year up to the real date
# (ctx.live_today), so last year's annual review has a whole year to read, with some
# alliances off rhythm; mentors and apprentices; the entity platforms the covenants
# promise, with their shareholders; needs and resources with claims in every state.
#
# Meetings and activities are time series: each period's draws come from a generator seeded
# with the alliance and the period, so a month keeps its meeting when the window moves on.
# Everything else is structural and dated from ctx.today. Rows are keyed on their natural keys
# (alliance, kind, date; alliance, date, title; ...) and only missing or changed ones are written.

MEETING_PLACES: list[str] = DATA["meeting_places"]
MONTHLY_TOPICS: list[str] = DATA["monthly_topics"]
QUARTERLY_TOPICS: list[str] = DATA["quarterly_topics"]
DECISIONS: list[str] = DATA["decisions"]
ACTIVITY_TITLES: dict[str, list[str]] = DATA["activity_titles"]
MENTOR_TITLES: dict[str, int] = DATA["mentor_titles"]
# The rhythm an alliance keeps: chance of skipping a monthly, quarterly, annual meeting, and of an activity a month.
PROFILES = {
    "regular": (0.0, 0.0, 0.0, 0.7),
    "patchy": (0.2, 0.25, 0.0, 0.5),
    "lax": (0.5, 0.5, 0.5, 0.25),
}
PROFILE_WEIGHTS = {"regular": 13, "patchy": 5, "lax": 2}
# 匡堰镇南部片区 came first in 慈溪's ranking in the sources. A demonstration alliance is
# never lax; one under rectification is patchy at best (profile_of).
FORCED_PROFILES: dict[str, str] = DATA["forced_profiles"]
PLATFORM_KINDS = {
    "强村公司": "strong_village",
    "强社公司": "strong_community",
    "联合社": "joint_cooperative",
    "共富公司": "common_prosperity",
}
PLATFORM_OWNERSHIPS = {"联盟独资": "alliance_owned", "多村合作": "multi_village", "镇村联营": "town_village"}
PLATFORM_NAMES: dict[str, str] = DATA["platform_names"]
# A platform is named after its alliance: 龙观农文旅融合党建联盟 -> 龙观农文旅融合强村发展有限公司.
ALLIANCE_NAME_TAIL = re.compile(r"[“”]|党建联盟$|联村党委$")
NEEDS = [(need["title"], need["category"], need["description"]) for need in DATA["needs"]]
RESOURCES = [
    (item["title"], item["category"], item["unit"], tuple(item["range"]), item["description"])
    for item in DATA["resources"]
]
CLAIM_STATES = {"open": 3, "claimed": 2, "in_progress": 2, "resolved": 6, "withdrawn": 1}
CLAIM_OFFERS: list[str] = DATA["claim_offers"]
CLAIM_RESULTS: list[str] = DATA["claim_results"]
WITHDRAW_REASONS: list[str] = DATA["withdraw_reasons"]


def period_rng(*parts: Any) -> random.Random:
    """A generator for one alliance's one period: the same draws whatever else changes."""
    return random.Random(":".join(str(part) for part in ("operations", *parts)))


def add_months(day: Date, months: int) -> Date:
    index = day.year * 12 + day.month - 1 + months
    return Date(index // 12, index % 12 + 1, 1)


@dataclass
class OperationsContext:
    ctx: DemoContext
    members: MembersPlan
    organizations: dict[tuple[str, str], Any]
    people: dict[str, Any]
    alliances: dict[str, Alliance]

    def current_orgs(self, plan: AlliancePlan, on: Date) -> list[Any]:
        return [
            self.organizations[item.org.key]
            for item in plan.memberships
            if item.joined_on <= on and (item.left_on is None or item.left_on > on)
        ]

    def team(self, plan: AlliancePlan, role: str, on: Date) -> list[Any]:
        return [
            self.people[item.mobile]
            for item in plan.team
            if item.role == role and item.started_on <= on and (item.ended_on is None or item.ended_on > on)
        ]

    def words(self, plan: AlliancePlan, rng: random.Random) -> dict[str, str]:
        spec = COUNTY_BY_CODE6[plan.lead_region[:6]]
        lead = plan.memberships[0].org
        township = self.members.region_names.get(lead.township or plan.lead_region, "")
        return {
            "lead": re.sub(r"(党委|党总支|党支部)$", "", lead.name),
            "township": township,
            "product": rng.choice(PRODUCTS[spec.style]),
        }


def seed_operations(ctx: DemoContext, plans: list[AlliancePlan], alliances: dict[str, Alliance]) -> None:
    db = ctx.shared["members_db"]
    ops = OperationsContext(ctx, ctx.shared["members"], db["organizations"], db["people"], alliances)
    profiles = {
        plan.code: FORCED_PROFILES.get(plan.name) or profile_of(plan, choice)
        for plan, choice in zip(
            plans, ctx.rng.choices(list(PROFILE_WEIGHTS), list(PROFILE_WEIGHTS.values()), k=len(plans)), strict=True
        )
    }
    living = [plan for plan in plans if plan.status != AllianceStatus.DISSOLVED]
    seed_meetings(ops, living, profiles)
    seed_activities(ops, living, profiles)
    seed_mentorships(ops, living)
    seed_platforms(ops, living)
    seed_lists(ops, living)


def profile_of(plan: AlliancePlan, drawn: str) -> str:
    """The rhythm an alliance keeps: the drawn one, a demonstration alliance never lax, an
    alliance under rectification lax or patchy."""
    if plan.status == AllianceStatus.RECTIFYING:
        return "lax" if drawn == "lax" else "patchy"
    if plan.demonstration_year and drawn == "lax":
        return "patchy"
    return drawn


def months_since_last_january(today: Date) -> int:
    """How many months lie between January of last year and ``today``'s month."""
    return 12 + today.month - 1


def rhythm_dates(plan: AlliancePlan, today: Date, skips: tuple[float, float, float]) -> list[tuple[str, Date]]:
    """(kind, date) of the meetings held: every month and quarter from January of last year,
    2 years back and the current ones."""
    this_month = Date(today.year, today.month, 1)
    back_months = months_since_last_january(today)
    wanted: list[tuple[str, Date, int]] = []  # kind, period start, months in the period
    wanted += [("monthly", add_months(this_month, -back), 1) for back in range(back_months, -1, -1)]
    this_quarter = Date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    back_quarters = 4 + (today.month - 1) // 3
    wanted += [("quarterly", add_months(this_quarter, -3 * back), 3) for back in range(back_quarters, -1, -1)]
    wanted += [("annual", Date(today.year - back, 1, 1), 12) for back in (2, 1, 0)]
    skip = dict(zip(("monthly", "quarterly", "annual"), skips, strict=True))
    held = []
    for kind, start, months in wanted:
        if start < plan.founded_on:
            continue
        rng = period_rng(plan.code, kind, start)
        if rng.random() < skip[kind]:
            continue
        if kind == "annual":
            day = Date(start.year, 12, rng.randint(15, 30))
        else:
            month = add_months(start, rng.randrange(months) if kind == "quarterly" else 0)
            day = Date(month.year, month.month, rng.randint(3, 28))
        if day <= today:
            held.append((kind, day))
    return held


def create_events(model: type[Meeting] | type[Activity], fresh: list[tuple[Any, dict[str, list]]]) -> None:
    """Write new meetings or activities at once, with their history and who was present.

    Two years of them are a few thousand rows: one service call each (its checks, its
    history row, its two attendance lists) took a minute. The demo plans them from the
    alliances' own members and team within their dates, so what the services check holds."""
    if not fresh:
        return
    records = bulk_create_with_history([record for record, _present in fresh], model, batch_size=500)
    for name in fresh[0][1]:
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        through.objects.bulk_create(
            [
                through(**{f"{source}_id": record.pk, f"{target}_id": item.pk})
                for record, (_record, present) in zip(records, fresh, strict=True)
                for item in dict.fromkeys(present[name])
            ],
            batch_size=1000,
        )


def seed_meetings(ops: OperationsContext, plans: list[AlliancePlan], profiles: dict[str, str]) -> None:
    ctx, today = ops.ctx, ops.ctx.live_today
    ids = [ops.alliances[plan.code].pk for plan in plans]
    existing = {(m.alliance_id, m.kind, m.held_on): m for m in Meeting.objects.filter(alliance_id__in=ids)}
    fresh: list[tuple[Meeting, dict[str, list]]] = []
    for plan in plans:
        alliance = ops.alliances[plan.code]
        for kind, day in rhythm_dates(plan, today, PROFILES[profiles[plan.code]][:3]):
            rng = period_rng(plan.code, kind, day, "text")
            words = ops.words(plan, rng)
            if kind == "annual":
                topics = f"{day.year}年度联盟工作述职暨考评：带头人述职，成员单位书记互评，部署下一年度项目清单"
            else:
                topics = rng.choice(MONTHLY_TOPICS if kind == "monthly" else QUARTERLY_TOPICS).format(**words)
            values = {
                "place": rng.choice(MEETING_PLACES).format(**words),
                "topics": topics,
                "decisions": rng.choice(DECISIONS),
                "minutes": f"{topics}。与会单位逐一发言，{rng.choice(DECISIONS)}",
            }
            meeting = existing.get((alliance.pk, kind, day))
            if meeting is None:
                organizations = ops.current_orgs(plan, day)
                if profiles[plan.code] != "regular" and len(organizations) > 2:
                    organizations = organizations[:1] + rng.sample(organizations[1:], len(organizations) // 2)
                attendees = ops.team(plan, "leader", day) + ops.team(plan, "instructor", day)
                if kind != "monthly":
                    attendees += ops.team(plan, "advisor", day)
                ctx.count("created", Meeting)
                fresh.append(
                    (
                        Meeting(alliance=alliance, kind=kind, held_on=day, **values),
                        {"attending_organizations": organizations, "attendees": list(dict.fromkeys(attendees))},
                    )
                )
            elif changed := changes(meeting, values):
                ctx.count("updated", Meeting)
                meeting_update(actor=ctx.actor, meeting=meeting, **changed)
    create_events(Meeting, fresh)


def seed_activities(ops: OperationsContext, plans: list[AlliancePlan], profiles: dict[str, str]) -> None:
    ctx, today = ops.ctx, ops.ctx.live_today
    ids = [ops.alliances[plan.code].pk for plan in plans]
    existing = {(a.alliance_id, a.held_on, a.title): a for a in Activity.objects.filter(alliance_id__in=ids)}
    this_month = Date(today.year, today.month, 1)
    fresh: list[tuple[Activity, dict[str, list]]] = []
    for plan in plans:
        alliance = ops.alliances[plan.code]
        chance = PROFILES[profiles[plan.code]][3]
        for back in range(months_since_last_january(today), -1, -1):
            month = add_months(this_month, -back)
            rng = period_rng(plan.code, "activity", month)
            if month < plan.founded_on or rng.random() >= chance:
                continue
            day = Date(month.year, month.month, rng.randint(1, 28))
            if day > today:
                continue
            kind = rng.choice(list(ACTIVITY_TITLES))
            title = rng.choice(ACTIVITY_TITLES[kind])
            words = ops.words(plan, rng)
            values = {
                "kind": kind,
                "place": rng.choice(MEETING_PLACES).format(**words),
                "participant_count": rng.randint(2, 20) * 10,
                "summary": f"{plan.name}成员单位共同开展“{title}”，{rng.choice(DECISIONS)}",
            }
            activity = existing.get((alliance.pk, day, title))
            if activity is None:
                people = ops.team(plan, "leader", day) + ops.team(plan, "instructor", day)
                ctx.count("created", Activity)
                fresh.append(
                    (
                        Activity(alliance=alliance, title=title, held_on=day, **values),
                        {"participating_organizations": ops.current_orgs(plan, day), "participants": people},
                    )
                )
            elif changed := changes(activity, values):
                ctx.count("updated", Activity)
                activity_update(actor=ctx.actor, activity=activity, **changed)
    create_events(Activity, fresh)


def seed_mentorships(ops: OperationsContext, plans: list[AlliancePlan]) -> None:
    ctx, rng, today = ops.ctx, ops.ctx.rng, ops.ctx.today
    ids = [ops.alliances[plan.code].pk for plan in plans]
    existing = {
        (m.alliance_id, m.mentor_id, m.apprentice_id, m.started_on): m
        for m in Mentorship.objects.filter(alliance_id__in=ids)
    }
    titles = list(MENTOR_TITLES)
    for plan in plans:
        alliance = ops.alliances[plan.code]
        leaders = [item.mobile for item in plan.team if item.role == TeamRoleKind.LEADER and item.ended_on is None]
        advisors = [item.mobile for item in plan.team if item.role == TeamRoleKind.ADVISOR]
        apprentices = [
            ops.members.secretary_of[item.org.key]
            for item in plan.memberships[1:]
            if item.left_on is None and item.org.kind in VILLAGE_KINDS
        ]
        count = rng.randint(0, 3)
        mentors = (leaders + advisors)[:2]
        chosen = rng.sample(apprentices, min(count, len(apprentices)))
        for index, apprentice_mobile in enumerate(chosen):
            mentor_mobile = mentors[index % len(mentors)]
            started_on = random_date(rng, plan.founded_on, today)
            ended_on = None
            if rng.random() < 0.25 and (today - started_on).days > 400:
                ended_on = started_on + datetime.timedelta(days=rng.randint(365, (today - started_on).days))
            title = rng.choices(titles, weights=list(MENTOR_TITLES.values()))[0]
            mentor, apprentice = ops.people[mentor_mobile], ops.people[apprentice_mobile]
            if mentor == apprentice:
                continue
            values = {
                "mentor_title": title,
                "goals": "帮助徒弟提升抓党建、促发展、优治理能力，一年内领办一个发展项目。",
            }
            row = existing.get((alliance.pk, mentor.pk, apprentice.pk, started_on))
            if row is None:
                ctx.count("created", Mentorship)
                row = mentorship_create(
                    actor=ctx.actor,
                    alliance=alliance,
                    mentor=mentor,
                    apprentice=apprentice,
                    started_on=started_on,
                    **values,
                )
            elif changed := changes(row, values):
                ctx.count("updated", Mentorship)
                mentorship_update(actor=ctx.actor, mentorship=row, **changed)
            if ended_on and row.ended_on is None:
                ctx.count("updated", Mentorship)
                mentorship_end(actor=ctx.actor, mentorship=row, ended_on=ended_on)


def seed_platforms(ops: OperationsContext, plans: list[AlliancePlan]) -> None:
    """The platform each covenant promises ("按照“多村合作”方式组建强村公司"), with its shareholders."""
    ctx, rng = ops.ctx, ops.ctx.rng
    ids = [ops.alliances[plan.code].pk for plan in plans]
    existing = {(p.alliance_id, p.name): p for p in EntityPlatform.objects.filter(alliance_id__in=ids)}
    holdings = {
        (h.platform_id, h.alliance_id, h.organization_id): h
        for h in Shareholding.objects.filter(platform__alliance_id__in=ids)
    }
    by_county: dict[str, list[AlliancePlan]] = {}
    for plan in plans:
        by_county.setdefault(plan.lead_region[:6], []).append(plan)
    for plan in plans:
        found = re.search(r"按照“(.+?)”方式组建(.+?)，", plan.covenant)
        if not found:
            continue
        ownership, kind = PLATFORM_OWNERSHIPS[found.group(1)], PLATFORM_KINDS[found.group(2)]
        alliance = ops.alliances[plan.code]
        words = ops.words(plan, rng)
        place = ALLIANCE_NAME_TAIL.sub("", plan.name).removesuffix("片区")
        name = PLATFORM_NAMES[kind].format(place=place, product=words["product"])
        capital = Decimal(rng.randint(10, 200) * 100000)
        values = {
            "kind": kind,
            "ownership": ownership,
            "established_on": random_date(rng, plan.founded_on, plan.founded_on + datetime.timedelta(days=365)),
            "registered_capital": capital,
            "annual_revenue": Decimal(rng.randint(50, 900) * 10000) + Decimal(rng.randint(0, 99)) / 100,
            "revenue_year": ctx.today.year - 1,
            "business_scope": f"统筹经营联盟内闲置资产资源，发展{words['product']}产业和农文旅项目，收益按股分红。",
        }
        platform = existing.get((alliance.pk, name))
        if platform is None:
            ctx.count("created", EntityPlatform)
            platform = platform_create(actor=ctx.actor, alliance=alliance, name=name, **values)
        elif changed := changes(platform, values):
            ctx.count("updated", EntityPlatform)
            platform_update(actor=ctx.actor, platform=platform, **changed)
        stakes = shareholders(rng, ops, plan, ownership, by_county[plan.lead_region[:6]])
        for holder, percentage in stakes:
            is_alliance = isinstance(holder, Alliance)
            key = (platform.pk, holder.pk if is_alliance else None, None if is_alliance else holder.pk)
            holding = holdings.get(key)
            contribution = (capital * percentage / 100).quantize(Decimal("0.01"))
            if holding is None or holding.percentage != percentage or holding.capital_contribution != contribution:
                ctx.count("created" if holding is None else "updated", Shareholding)
                shareholding_set(
                    actor=ctx.actor,
                    platform=platform,
                    percentage=percentage,
                    capital_contribution=contribution,
                    **({"alliance": holder} if is_alliance else {"organization": holder}),
                )


def shareholders(
    rng: random.Random, ops: OperationsContext, plan: AlliancePlan, ownership: str, neighbours: list[AlliancePlan]
) -> list[tuple[Any, Decimal]]:
    """Stakes that add up to 100 %: the alliance alone, its villages, or the township with its villages."""
    alliance = ops.alliances[plan.code]
    villages = [
        ops.organizations[item.org.key]
        for item in plan.memberships
        if item.left_on is None and item.org.kind in VILLAGE_KINDS
    ]
    if ownership == "alliance_owned" or not villages:
        return [(alliance, Decimal("100"))]
    stakes: list[tuple[Any, Decimal]] = []
    remaining = 100 - rng.choice([0, 0, 0, 10, 20])  # the rest is held by investors outside the platform's books
    if ownership == "town_village":
        stakes.append((alliance, Decimal(rng.choice([30, 40, 51]))))
        remaining -= int(stakes[0][1])
    others = [p for p in neighbours if p.code != plan.code]
    if others and rng.random() < 0.3:
        partner = ops.alliances[rng.choice(others).code]
        stakes.append((partner, Decimal("10")))
        remaining -= 10
    share = remaining // len(villages)
    for index, village in enumerate(villages):
        stakes.append((village, Decimal(remaining - share * (len(villages) - 1) if index == 0 else share)))
    return stakes


def seed_lists(ops: OperationsContext, plans: list[AlliancePlan]) -> None:
    """Needs and resources, and claims that take each one to its planned state."""
    ctx, rng = ops.ctx, ops.ctx.rng
    end = min(ctx.today, ctx.live_today)
    ids = [ops.alliances[plan.code].pk for plan in plans]
    needs = {(n.alliance_id, n.title, n.posted_on): n for n in Need.objects.filter(alliance_id__in=ids)}
    resources = {(r.alliance_id, r.title, r.posted_on): r for r in Resource.objects.filter(alliance_id__in=ids)}
    entries: list[tuple[AlliancePlan, Need | Resource]] = []
    for plan in plans:
        alliance = ops.alliances[plan.code]
        words = ops.words(plan, rng)
        for pattern, category, description in rng.sample(NEEDS, rng.randint(1, 3)):
            title = pattern.format(**words)
            posted_on = max(end - datetime.timedelta(days=rng.randint(60, 540)), plan.founded_on)
            values = {"category": category, "description": description, "open_to_all": rng.random() < 0.3}
            need = needs.get((alliance.pk, title, posted_on))
            if need is None:
                ctx.count("created", Need)
                need = need_create(actor=ctx.actor, alliance=alliance, title=title, posted_on=posted_on, **values)
            elif changed := changes(need, values):
                ctx.count("updated", Need)
                need_update(actor=ctx.actor, need=need, **changed)
            entries.append((plan, need))
        for title, category, unit, (low, high), description in rng.sample(RESOURCES, rng.randint(0, 2)):
            posted_on = end - datetime.timedelta(days=rng.randint(60, 330))
            values = {
                "category": category,
                "description": description,
                "quantity": Decimal(rng.randint(low, high)),
                "unit": unit,
            }
            resource = resources.get((alliance.pk, title, posted_on))
            if resource is None:
                ctx.count("created", Resource)
                resource = resource_create(
                    actor=ctx.actor, alliance=alliance, title=title, posted_on=posted_on, **values
                )
            elif changed := changes(resource, values):
                ctx.count("updated", Resource)
                resource_update(actor=ctx.actor, resource=resource, **changed)
            entries.append((plan, resource))
    seed_claims(ops, plans, entries, end)


def seed_claims(
    ops: OperationsContext, plans: list[AlliancePlan], entries: list[tuple[AlliancePlan, Need | Resource]], end: Date
) -> None:
    ctx, rng = ops.ctx, ops.ctx.rng
    states = shuffled_cover(rng, CLAIM_STATES, len(entries))
    existing = {
        (c.need_id, c.resource_id): c
        for c in Claim.objects.filter(
            Q(need__in=[e for _p, e in entries if isinstance(e, Need)])
            | Q(resource__in=[e for _p, e in entries if isinstance(e, Resource)])
        )
    }
    by_county: dict[str, list[AlliancePlan]] = {}
    for plan in plans:
        by_county.setdefault(plan.lead_region[:6], []).append(plan)
    departments = {
        county: [
            ops.organizations[org.key]
            for org in ops.members.county_orgs(county)
            if org.kind == OrganizationKind.GOVERNMENT
        ]
        for county in by_county
    }
    for (plan, entry), state in zip(entries, states, strict=True):
        county = plan.lead_region[:6]
        is_need = isinstance(entry, Need)
        neighbours = [p for p in by_county[county] if p.code != plan.code]
        if is_need and entry.open_to_all and rng.random() < 0.5:
            neighbours = [p for p in plans if p.lead_region[:6] != county]
        use_department = is_need and departments[county] and (not neighbours or rng.random() < 0.4)
        claimant = (
            rng.choice(departments[county])
            if use_department
            else (ops.alliances[rng.choice(neighbours).code] if neighbours else None)
        )
        claimed_on = min(entry.posted_on + datetime.timedelta(days=rng.randint(3, 30)), end)
        started_on = min(claimed_on + datetime.timedelta(days=rng.randint(5, 30)), end)
        closed_on = min(started_on + datetime.timedelta(days=rng.randint(20, 120)), end)
        texts = (rng.choice(CLAIM_OFFERS), rng.choice(CLAIM_RESULTS), rng.choice(WITHDRAW_REASONS))
        if (
            state == "open"
            or claimant is None
            or (entry.pk and (entry.pk if is_need else None, None if is_need else entry.pk) in existing)
        ):
            continue
        target = {"need": entry} if is_need else {"resource": entry}
        party = (
            {"claimant_alliance": claimant} if isinstance(claimant, Alliance) else {"claimant_organization": claimant}
        )
        ctx.count("created", Claim)
        claim = claim_create(actor=ctx.actor, offer=texts[0], claimed_on=claimed_on, **target, **party)
        if state == "withdrawn":
            claim_withdraw(actor=ctx.actor, claim=claim, note=texts[2], closed_on=started_on)
            continue
        if state in {"in_progress", "resolved"}:
            claim = claim_start(actor=ctx.actor, claim=claim, started_on=started_on)
        if state == "resolved":
            claim_resolve(actor=ctx.actor, claim=claim, note=texts[1], closed_on=closed_on)
