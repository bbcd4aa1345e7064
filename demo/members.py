"""Demo data for the members app: regions, member organizations, people and demo accounts.

``seed(ctx)`` is called by ``manage.py seed_demo``. It first builds a plan from the random
generator alone (so the sequence of random draws never depends on the database), then
writes the plan, creating missing rows and updating rows whose values differ. Running it
again changes nothing. Later apps read the plan from ``ctx.shared["members"]``.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from demo.data import load
from members.access import Role
from members.models import (
    AccessProfile,
    Department,
    DepartmentKind,
    MemberOrganization,
    OrganizationKind,
    Person,
    Region,
    RegionLevel,
)
from members.services import (
    department_create,
    organization_create,
    organization_update,
    person_create,
    person_update,
    region_create,
    user_with_role,
    validated_save,
)

DEMO_SEED = 20240601
# A fixed "today" so that every date derived from it is the same on every run.
DEMO_TODAY = datetime.date(2026, 6, 30)


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class Scale:
    """How much data one ``--scale`` produces. Later scales (county, province) add entries."""

    name: str
    county_codes: tuple[str, ...]
    townships_per_county: tuple[int, int]
    villages_per_township: tuple[int, int]


@dataclass
class DemoContext:
    rng: random.Random
    stdout: Any
    today: datetime.date
    scale: str = "demo"
    actor: Any = None  # the superuser every service call acts as; set by demo.members.seed
    # The real local date (Asia/Shanghai). Time series that must look current when the demo
    # is opened (weekly progress reports, monthly workshop figures) end at this date; the
    # structure (regions, alliances, teams) is dated from the fixed ``today`` instead.
    live_today: datetime.date = field(default_factory=timezone.localdate)
    shared: dict[str, Any] = field(default_factory=dict)  # plans handed from one app's seed to the next
    tally: Counter = field(default_factory=Counter)  # ("created"|"updated", "app.Model") -> rows

    @property
    def spec(self) -> Scale:
        return SCALES[self.scale]

    def reseed(self, label: str) -> None:
        """Give each app its own reproducible stream, independent of how many draws earlier apps made."""
        self.rng.seed(f"{DEMO_SEED}:{self.scale}:{label}")

    def log(self, message: str) -> None:
        self.stdout.write(message)

    def count(self, action: str, model: type[models.Model], n: int = 1) -> None:
        self.tally[(action, model._meta.label)] += n


def differs(instance: models.Model, name: str, value: Any) -> bool:
    """True when the field differs from ``value`` (foreign keys compared by id, without a query)."""
    model_field = instance._meta.get_field(name)
    if model_field.is_relation:
        return getattr(instance, model_field.attname) != (value.pk if value is not None else None)
    return getattr(instance, name) != value


def changes(instance: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``values`` that differs from the row: an empty dict means no write is needed."""
    return {name: value for name, value in values.items() if differs(instance, name, value)}


# --------------------------------------------------------------------------- reference data

# Regions, names and accounts: demo/data/members.json.
DATA = load("members")
# The published demo credentials (README): every account but the superuser signs in with the first.
DEMO_PASSWORD: str = DATA["passwords"]["demo"]
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD: str = DATA["passwords"]["admin"]


@dataclass(frozen=True)
class CountySpec:
    code6: str
    name: str
    city_code: str
    area_code: str
    style: str  # "south" (Ningbo), "island" (Zhoushan) or "north" (Weifang): picks name and product lists

    @property
    def code(self) -> str:
        return self.code6.ljust(12, "0")

    @property
    def short(self) -> str:
        return self.name[:-1] if len(self.name) > 2 else self.name

    @property
    def city_name(self) -> str:
        return CITY_NAMES[self.city_code]


PROVINCES: list[tuple[str, str]] = [(code, name) for code, name in DATA["provinces"]]
CITIES = [(city["code"], city["name"], city["parent"]) for city in DATA["cities"]]
CITY_NAMES = {code: name for code, name, _parent in CITIES}
CITY_SHORT = {city["code"]: city["short"] for city in DATA["cities"]}

COUNTIES = [
    CountySpec(county["code6"], county["name"], county["city"], county["area_code"], county["style"])
    for county in DATA["counties"]
]
COUNTY_BY_CODE6 = {county.code6: county for county in COUNTIES}

SCALES: dict[str, Scale] = {
    "demo": Scale(
        name="demo",
        county_codes=tuple(county.code6 for county in COUNTIES),
        townships_per_county=(3, 5),
        villages_per_township=(4, 8),
    ),
}

# Townships named in the sources (or real ones of the county) come first; the rest are generated.
# The first three of each list are always used, so alliances in demo/alliances.py may name them.
KNOWN_TOWNSHIPS: dict[str, list[str]] = DATA["known_townships"]
# Villages named in the sources, placed first in their township and rated four stars or more.
KNOWN_VILLAGES: dict[str, list[str]] = DATA["known_villages"]

PLACE_HEADS = list(DATA["place_heads"])
PLACE_TAILS = {style: list(tails) for style, tails in DATA["place_tails"].items()}
SURNAMES = {style: list(names) for style, names in DATA["surnames"].items()}
GIVEN = list(DATA["given"])
MOBILE_PREFIXES: list[str] = DATA["mobile_prefixes"]

COUNTY_DEPARTMENTS: list[str] = DATA["county_departments"]
COUNTY_INSTITUTIONS: list[str] = DATA["county_institutions"]
COUNTY_ENTERPRISES: list[str] = DATA["county_enterprises"]
# University or institute branches that take part in alliances, by the county of the campus.
UNIVERSITIES: dict[str, list[str]] = DATA["universities"]
ENTERPRISE_HEADS = list(DATA["enterprise_heads"])
INDUSTRIES: dict[str, list[str]] = DATA["industries"]
PRODUCTS: dict[str, list[str]] = DATA["products"]
NEW_ORGS: list[str] = DATA["new_orgs"]
TOWNSHIP_INSTITUTIONS: list[str] = DATA["township_institutions"]
INSTRUCTOR_TITLES: list[str] = DATA["instructor_titles"]


# --------------------------------------------------------------------------- plan


@dataclass
class RegionPlan:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass
class OrgPlan:
    region_code: str
    name: str
    kind: str
    star_rating: int | None
    contact_phone: str
    tier: str  # "village", "township" or "county": the level of the region it sits in
    county: str  # code6
    township: str | None  # 12-digit code, None for county-level organizations
    secretary_title: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.region_code, self.name)


@dataclass
class PersonPlan:
    name: str
    mobile: str
    id_number: str
    org: tuple[str, str] | None
    title: str
    is_party_member: bool
    tag: str  # "secretary", "cadre", "instructor", "advisor", "first_secretary" or "demo_leader"
    county: str
    township: str | None


@dataclass
class MembersPlan:
    regions: list[RegionPlan] = field(default_factory=list)
    orgs: list[OrgPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    townships: dict[str, list[str]] = field(default_factory=dict)  # county code6 -> township codes
    region_names: dict[str, str] = field(default_factory=dict)
    secretary_of: dict[tuple[str, str], str] = field(default_factory=dict)  # org key -> mobile
    org_by_key: dict[tuple[str, str], OrgPlan] = field(default_factory=dict)
    used_mobiles: set[str] = field(default_factory=set)
    used_names: dict[str, set[str]] = field(default_factory=dict)  # region code -> organization names

    def add_region(self, code: str, name: str, level: str, parent_code: str | None) -> None:
        self.regions.append(RegionPlan(code, name, level, parent_code))
        self.region_names[code] = name

    def orgs_in(self, township: str) -> list[OrgPlan]:
        return [org for org in self.orgs if org.township == township]

    def county_orgs(self, county: str) -> list[OrgPlan]:
        return [org for org in self.orgs if org.county == county and org.tier == "county"]

    def people_tagged(self, tag: str, *, county: str | None = None, township: str | None = None) -> list[PersonPlan]:
        return [
            person
            for person in self.people
            if person.tag == tag
            and (county is None or person.county == county)
            and (township is None or person.township == township)
        ]

    def township_by_name(self, county: str, name: str) -> str:
        for code in self.townships[county]:
            if self.region_names[code] == name:
                return code
        raise LookupError(f"township {name} not in county {county}")


def star(rng: random.Random) -> int | None:
    return rng.choices([None, 1, 2, 3, 4, 5], weights=[8, 3, 7, 25, 32, 25])[0]


def mobile(rng: random.Random, plan: MembersPlan) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in plan.used_mobiles:
            plan.used_mobiles.add(number)
            return number


def landline(rng: random.Random, county: CountySpec) -> str:
    if county.area_code == "0574":
        return f"0574-8{rng.randrange(10**7):07d}"
    return f"{county.area_code}-{rng.randint(2, 8)}{rng.randrange(10**6):06d}"


def contact_phone(rng: random.Random, plan: MembersPlan, county: CountySpec, *, landline_share: float) -> str:
    roll = rng.random()
    if roll < landline_share:
        return landline(rng, county)
    if roll < landline_share + (1 - landline_share) * 0.7:
        return mobile(rng, plan)
    return ""


def id_number(rng: random.Random, county: CountySpec) -> str:
    birth = datetime.date(rng.randint(1962, 1996), rng.randint(1, 12), rng.randint(1, 28))
    body = f"{county.code6}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True)) % 11]
    return body + check


def person_name(rng: random.Random, county: CountySpec) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2, 2])))
    return rng.choice(SURNAMES[county.style]) + given


def place_name(rng: random.Random, county: CountySpec, suffix: str, used: set[str]) -> str:
    while True:
        name = rng.choice(PLACE_HEADS) + rng.choice(PLACE_TAILS[county.style]) + suffix
        if name not in used:
            used.add(name)
            return name


def short_name(name: str) -> str:
    for suffix in ("街道", "镇", "乡", "村", "社区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def add_org(
    rng: random.Random,
    plan: MembersPlan,
    county: CountySpec,
    *,
    region_code: str,
    name: str,
    kind: str,
    tier: str,
    township: str | None,
    secretary_title: str,
    landline_share: float = 0.8,
) -> OrgPlan | None:
    """Add an organization and its secretary; None when the name is already taken in the region."""
    used = plan.used_names.setdefault(region_code, set())
    if name in used:
        return None
    used.add(name)
    org = OrgPlan(
        region_code=region_code,
        name=name,
        kind=kind,
        star_rating=star(rng),
        contact_phone=contact_phone(rng, plan, county, landline_share=landline_share),
        tier=tier,
        county=county.code6,
        township=township,
        secretary_title=secretary_title,
    )
    plan.orgs.append(org)
    plan.org_by_key[org.key] = org
    secretary = add_person(rng, plan, county, org=org, title=secretary_title, tag="secretary")
    plan.secretary_of[org.key] = secretary.mobile
    return org


def add_person(
    rng: random.Random,
    plan: MembersPlan,
    county: CountySpec,
    *,
    org: OrgPlan | None,
    title: str,
    tag: str,
    party_member_share: float = 1.0,
) -> PersonPlan:
    name = person_name(rng, county)
    number = mobile(rng, plan)
    has_id = rng.random() < 0.4
    person = PersonPlan(
        name=name,
        mobile=number,
        id_number=id_number(rng, county) if has_id else "",
        org=org.key if org else None,
        title=title,
        is_party_member=rng.random() < party_member_share,
        tag=tag,
        county=county.code6,
        township=org.township if org else None,
    )
    plan.people.append(person)
    return person


DEMO_LEADER_NAME: str = DATA["demo_leader"]["name"]
DEMO_LEADER_MOBILE: str = DATA["demo_leader"]["mobile"]


def build_plan(rng: random.Random, scale: Scale) -> MembersPlan:
    plan = MembersPlan()
    plan.used_mobiles.add(DEMO_LEADER_MOBILE)
    for code, name in PROVINCES:
        plan.add_region(code, name, RegionLevel.PROVINCE, None)
    for code, name, parent in CITIES:
        plan.add_region(code, name, RegionLevel.CITY, parent)
    for county in (COUNTY_BY_CODE6[code] for code in scale.county_codes):
        plan_county(rng, plan, county, scale)

    # The person behind the `leader` account: leads alliances in the first township of Yinzhou.
    yinzhou_first = plan.townships["330212"][0]
    home = next(org for org in plan.orgs_in(yinzhou_first) if org.tier == "village")
    plan.people.append(
        PersonPlan(
            name=DEMO_LEADER_NAME,
            mobile=DEMO_LEADER_MOBILE,
            id_number="",
            org=home.key,
            title="片区联合党委书记",
            is_party_member=True,
            tag="demo_leader",
            county="330212",
            township=yinzhou_first,
        )
    )
    return plan


def plan_county(rng: random.Random, plan: MembersPlan, county: CountySpec, scale: Scale) -> None:
    plan.add_region(county.code, county.name, RegionLevel.COUNTY, county.city_code)
    city = CITY_SHORT[county.city_code]

    # County-level bodies first: first secretaries are sent from the county departments.
    departments = rng.sample(COUNTY_DEPARTMENTS, rng.randint(3, 4))
    government: list[OrgPlan] = []
    for department in departments:
        org = add_org(
            rng,
            plan,
            county,
            region_code=county.code,
            name=f"{county.name}{department}机关党委",
            kind=OrganizationKind.GOVERNMENT,
            tier="county",
            township=None,
            secretary_title="机关党委书记",
        )
        if org:
            government.append(org)
            add_person(rng, plan, county, org=org, title=rng.choice(["副局长", "办公室主任", "科长"]), tag="advisor")
    for institution in rng.sample(COUNTY_INSTITUTIONS, rng.randint(1, 2)):
        add_org(
            rng,
            plan,
            county,
            region_code=county.code,
            name=f"{county.name}{institution}党委",
            kind=OrganizationKind.INSTITUTION,
            tier="county",
            township=None,
            secretary_title="党委书记",
        )
    for enterprise in rng.sample(COUNTY_ENTERPRISES, rng.randint(1, 2)):
        add_org(
            rng,
            plan,
            county,
            region_code=county.code,
            name=f"{city}{county.short}{enterprise}党委",
            kind=OrganizationKind.ENTERPRISE,
            tier="county",
            township=None,
            secretary_title="党委书记",
        )
    for university in UNIVERSITIES.get(county.code6, []):
        add_org(
            rng,
            plan,
            county,
            region_code=county.code,
            name=f"{university}党委",
            kind=OrganizationKind.UNIVERSITY,
            tier="county",
            township=None,
            secretary_title="党委书记",
        )

    used_townships: set[str] = set()
    known = KNOWN_TOWNSHIPS.get(county.code6, [])
    count = rng.randint(*scale.townships_per_county)
    names = []
    for index in range(count):
        if index < len(known):
            names.append(known[index])
            used_townships.add(known[index])
        else:
            suffix = rng.choices(["镇", "街道", "乡"], weights=[6, 3, 1])[0]
            names.append(place_name(rng, county, suffix, used_townships))
    plan.townships[county.code6] = []
    used_villages: set[str] = set()
    for index, name in enumerate(names, start=1):
        code = f"{county.code6}{index:03d}000"
        plan.townships[county.code6].append(code)
        plan.add_region(code, name, RegionLevel.TOWNSHIP, county.code)
        plan_township(
            rng,
            plan,
            county,
            code=code,
            name=name,
            scale=scale,
            used_villages=used_villages,
            county_government=government,
        )


def plan_township(
    rng: random.Random,
    plan: MembersPlan,
    county: CountySpec,
    *,
    code: str,
    name: str,
    scale: Scale,
    used_villages: set[str],
    county_government: list[OrgPlan],
) -> None:
    short = short_name(name)
    city = CITY_SHORT[county.city_code]
    urban = name.endswith("街道")
    office = "办事处" if urban else "人民政府"
    government = add_org(
        rng,
        plan,
        county,
        region_code=code,
        name=f"{name}{office}机关党总支",
        kind=OrganizationKind.GOVERNMENT,
        tier="township",
        township=code,
        secretary_title="机关党总支书记",
    )
    if government:
        for title in rng.sample(INSTRUCTOR_TITLES, 2):
            add_person(rng, plan, county, org=government, title=title, tag="instructor")

    for _ in range(rng.randint(1, 2)):
        brand = "".join(rng.sample(ENTERPRISE_HEADS, 2))
        industry = rng.choice(INDUSTRIES[county.style])
        org = add_org(
            rng,
            plan,
            county,
            region_code=code,
            name=f"{city}{brand}{industry}有限公司党支部",
            kind=OrganizationKind.ENTERPRISE,
            tier="township",
            township=code,
            secretary_title="党支部书记",
        )
        if org and rng.random() < 0.5:
            add_person(rng, plan, county, org=org, title="总经理", tag="advisor", party_member_share=0.6)
    if rng.random() < 0.7:
        product = rng.choice(PRODUCTS[county.style])
        add_org(
            rng,
            plan,
            county,
            region_code=code,
            name=f"{short}{product}专业合作社党支部",
            kind=OrganizationKind.COOPERATIVE,
            tier="township",
            township=code,
            secretary_title="党支部书记",
            landline_share=0.2,
        )
    if rng.random() < 0.6:
        new_org = rng.choice(NEW_ORGS)
        add_org(
            rng,
            plan,
            county,
            region_code=code,
            name=f"{short}{new_org}党支部",
            kind=OrganizationKind.NEW_ORG,
            tier="township",
            township=code,
            secretary_title="党支部书记",
            landline_share=0.3,
        )
    if rng.random() < 0.6:
        institution = rng.choice(TOWNSHIP_INSTITUTIONS)
        add_org(
            rng,
            plan,
            county,
            region_code=code,
            name=f"{name}{institution}党支部",
            kind=OrganizationKind.INSTITUTION,
            tier="township",
            township=code,
            secretary_title="党支部书记",
        )

    known = KNOWN_VILLAGES.get(name, [])
    community_share = 0.7 if urban else 0.12
    for index in range(1, rng.randint(*scale.villages_per_township) + 1):
        if index <= len(known):
            village = known[index - 1]
            used_villages.add(village)
        else:
            suffix = "社区" if rng.random() < community_share else "村"
            village = place_name(rng, county, suffix, used_villages)
        village_code = f"{code[:9]}{index:03d}"
        plan.add_region(village_code, village, RegionLevel.VILLAGE, code)
        is_community = village.endswith("社区")
        body = rng.choices(["党委", "党总支", "党支部"], weights=[3, 3, 4] if is_community else [1, 3, 6])[0]
        org = add_org(
            rng,
            plan,
            county,
            region_code=village_code,
            name=f"{village}{body}",
            kind=OrganizationKind.COMMUNITY if is_community else OrganizationKind.VILLAGE,
            tier="village",
            township=code,
            secretary_title=f"{body}书记",
            landline_share=0.7,
        )
        if org is None:
            continue
        if index <= len(known):  # the sources' model villages lead demonstration alliances: four stars or more
            org.star_rating = max(org.star_rating or 0, 4)
        if rng.random() < 0.3:
            add_person(
                rng,
                plan,
                county,
                org=org,
                title="居委会主任" if is_community else "村委会主任",
                tag="cadre",
                party_member_share=0.8,
            )
        if rng.random() < 0.25:
            add_person(rng, plan, county, org=org, title=f"{body}副书记", tag="cadre")
        if county_government and rng.random() < 0.08:
            sender = rng.choice(county_government)
            add_person(rng, plan, county, org=sender, title=f"驻{village}第一书记", tag="first_secretary")


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str  # a members.access.Role value, or "superuser"
    region_code: str | None
    sees: str
    person_mobile: str | None = None
    department: str | None = None  # a department of Yinzhou (鄞州区), for a liaison
    name: str = ""  # the name pages show for an account that belongs to no person record


# Each county's department list (承办部门): county departments and, as assignees too,
# townships (乡镇/街道). Yinzhou's liaisons sign in as the demo's department accounts.
DEMO_DEPARTMENTS: dict[str, list[tuple[str, str]]] = {
    county: [(entry["name"], DepartmentKind(entry["kind"])) for entry in entries]
    for county, entries in DATA["departments"].items()
}
YINZHOU = "330212000000"


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        username=entry["username"],
        password=ADMIN_PASSWORD if entry["role"] == "superuser" else DEMO_PASSWORD,
        role=entry["role"] if entry["role"] == "superuser" else Role(entry["role"]),
        region_code=entry.get("region"),
        sees=entry["sees"],
        person_mobile=entry.get("person_mobile"),
        department=entry.get("department"),
        name=entry.get("name", ""),
    )
    for entry in DATA["accounts"]
]


def ensure_superuser(ctx: DemoContext) -> Any:
    User = get_user_model()
    name = next(account.name for account in DEMO_ACCOUNTS if account.role == "superuser")
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        ctx.count("created", User)
        return User.objects.create_superuser(
            username=ADMIN_USERNAME, email="", password=ADMIN_PASSWORD, first_name=name
        )
    if (
        not (user.is_superuser and user.is_staff and user.is_active)
        or user.first_name != name
        or not user.check_password(ADMIN_PASSWORD)
    ):
        ctx.count("updated", User)
        user.is_superuser = user.is_staff = user.is_active = True
        user.first_name = name
        user.set_password(ADMIN_PASSWORD)
        user.save()
    return user


def ensure_account(
    ctx: DemoContext,
    account: DemoAccount,
    region: Region | None,
    person: Person | None,
    department: Department | None = None,
) -> None:
    User = get_user_model()
    user = User.objects.filter(username=account.username).first()
    if user is not None:
        profile = AccessProfile.objects.filter(user=user).first()
        up_to_date = (
            profile is not None
            and profile.role == account.role
            and profile.region_id == (region.pk if region else None)
            and profile.department_id == (department.pk if department else None)
            and (person is None or person.user_id == user.pk)
            and user.get_full_name() == account.name
            and user.check_password(account.password)
        )
        if up_to_date:
            return
    ctx.count("updated" if user else "created", User)
    user_with_role(
        username=account.username,
        password=account.password,
        role=account.role,
        region=region,
        person=person,
        department=department,
        full_name=account.name,
    )


def ensure_departments(ctx: DemoContext, regions: dict[str, Region]) -> dict[tuple[str, str], Department]:
    """Each demo county's department list (unchanged when run again)."""
    departments = {(d.county.code, d.name): d for d in Department.objects.select_related("county")}
    for county_code, entries in DEMO_DEPARTMENTS.items():
        county = regions.get(county_code)
        if county is None:
            continue
        for name, kind in entries:
            if (county_code, name) not in departments:
                ctx.count("created", Department)
                departments[(county_code, name)] = department_create(
                    actor=ctx.actor, county=county, name=name, kind=kind
                )
    return departments


# --------------------------------------------------------------------------- writing


def seed(ctx: DemoContext) -> None:
    plan = build_plan(ctx.rng, ctx.spec)
    ctx.shared["members"] = plan
    ctx.actor = actor = ensure_superuser(ctx)

    regions = {region.code: region for region in Region.objects.all()}
    for item in plan.regions:
        parent = regions[item.parent_code] if item.parent_code else None
        values = {"name": item.name, "level": item.level, "parent": parent}
        region = regions.get(item.code)
        if region is None:
            ctx.count("created", Region)
            regions[item.code] = region_create(actor=actor, code=item.code, **values)
        elif changed := changes(region, values):
            ctx.count("updated", Region)
            for name, value in changed.items():
                setattr(region, name, value)
            validated_save(region)

    existing = {
        (org.region_id, org.name): org for org in MemberOrganization.objects.filter(region__code__in=list(regions))
    }
    organizations: dict[tuple[str, str], MemberOrganization] = {}
    for item in plan.orgs:
        region = regions[item.region_code]
        values = {"kind": item.kind, "star_rating": item.star_rating, "contact_phone": item.contact_phone}
        organization = existing.get((region.pk, item.name))
        if organization is None:
            ctx.count("created", MemberOrganization)
            organization = organization_create(actor=actor, region=region, name=item.name, **values)
        elif changed := changes(organization, values):
            ctx.count("updated", MemberOrganization)
            organization_update(actor=actor, organization=organization, **changed)
        organizations[item.key] = organization

    people: dict[str, Person] = {}
    for person in Person.objects.filter(mobile__in=[item.mobile for item in plan.people]).order_by("pk"):
        people.setdefault(person.mobile, person)
    for item in plan.people:
        values = {
            "name": item.name,
            "id_number": item.id_number,
            "organization": organizations[item.org] if item.org else None,
            "title": item.title,
            "is_party_member": item.is_party_member,
        }
        person = people.get(item.mobile)
        if person is None:
            ctx.count("created", Person)
            people[item.mobile] = person_create(actor=actor, mobile=item.mobile, **values)
        elif changed := changes(person, values):
            ctx.count("updated", Person)
            person_update(actor=actor, person=person, **changed)

    for key, number in plan.secretary_of.items():
        organization = organizations[key]
        if changed := changes(organization, {"secretary": people[number]}):
            ctx.count("updated", MemberOrganization)
            organization_update(actor=actor, organization=organization, **changed)

    departments = ensure_departments(ctx, regions)
    for account in DEMO_ACCOUNTS:
        if account.role == "superuser":
            continue
        region = regions[account.region_code] if account.region_code else None
        person = people[account.person_mobile] if account.person_mobile else None
        department = departments.get((YINZHOU, account.department)) if account.department else None
        if account.department and department is None:
            continue  # a scale without Yinzhou
        ensure_account(ctx, account, region, person, department)
    ctx.shared["members_db"] = {"regions": regions, "organizations": organizations, "people": people}
