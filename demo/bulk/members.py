"""Large generated data sets: ``seed_demo --scale county|province``.

A separate code path from the curated ``demo`` scale. It needs an empty database, writes
rows with explicit primary keys (so later tables can point at earlier ones without reading
them back) and loads them in chunks with PostgreSQL's COPY from an in-memory text stream
(PostgreSQL only: ``make run`` loads the curated scale). Every database constraint (unique,
partial unique, check, foreign key) is enforced by the database during the load; a generator bug fails the load.

History tables (django-simple-history) are not filled for these rows: the history of a
generated row starts with its first real change.

Each domain may have a ``demo.bulk.<domain>`` module with ``load(ctx)``; ``seed_demo``
calls them in the order of its ``DOMAINS``. The shape handed from one app to the next lives in
``ctx.shared["bulk"]`` (a ``BulkPlan``).
"""

from __future__ import annotations

import datetime
import io
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from members.access import Role
from members.models import (
    PINYIN_FIELDS,
    AccessProfile,
    MemberOrganization,
    OrganizationKind,
    Person,
    PinyinNamed,
    Region,
    RegionLevel,
)
from members.pinyin import initials_of, pinyin_of

CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class LargeScale:
    """The shape of a generated region. Totals follow from the per-unit counts:
    ``province`` gives 10,000 alliances, 50,000 member organizations, 100,000 projects,
    2,500,000 progress reports, 15,000 workshops and 500,000 workshop reports."""

    name: str
    counties: int
    townships_per_county: int = 10
    villages_per_township: int = 12
    alliances_per_township: int = 10
    orgs_per_township: int = 50  # one per village, the rest at the township
    projects_per_alliance: int = 10  # half last year, half this year
    reports_per_project: int = 25  # consecutive weeks
    workshops_per_township: int = 15
    workshop_reports_per_township: int = 500  # spread over the township's workshops, one per month

    def scaled(self, fraction: float) -> LargeScale:
        """The same shape over a fraction of the counties (at least one)."""
        counties = max(1, round(self.counties * fraction))
        return LargeScale(**{**self.__dict__, "counties": counties})

    @property
    def townships(self) -> int:
        return self.counties * self.townships_per_county


LARGE_SCALES: dict[str, LargeScale] = {
    "county": LargeScale(name="county", counties=1),
    "province": LargeScale(name="province", counties=100),
}
COUNTIES_PER_CITY = 10
PROVINCE_CODE = "330000000000"
PROVINCE_NAME = "浙江省"

TOWNSHIP_HEADS = list(
    "东西南北前后上下大小新金青红白石双三山云龙凤鹤横长安福丰和兴华乐康永明秀仁善嘉杨柳梅桃竹松茶湖江海"
)
TOWNSHIP_TAILS = list("山岙溪塘湾桥浦岭坑岗林田庄埠头墩河泾岩峰园湖门")
SURNAMES = list("王陈张李周林徐胡俞应毛孙朱杨吴黄郑邵蒋虞史戴鲍竺袁金施童沈")
GIVEN = list(
    "建国华明伟军海波林峰杰磊强平东斌勇辉芳英红丽燕霞静敏娟琴萍洁艳玲雪春秋志永德忠荣祥良成文武光亮新宇浩涛鹏飞"
)
TOWNSHIP_ORG_KINDS = [
    (OrganizationKind.ENTERPRISE, "有限公司党支部"),
    (OrganizationKind.COOPERATIVE, "专业合作社党支部"),
    (OrganizationKind.NEW_ORG, "社会组织联合党支部"),
    (OrganizationKind.INSTITUTION, "事业单位党支部"),
]


# --------------------------------------------------------------------------- loading


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, datetime.date):  # dates and aware datetimes
        return value.isoformat()
    return str(value)


@dataclass
class TableLoad:
    label: str
    rows: int = 0
    seconds: float = 0.0


class BulkWriter:
    """Writes generated rows table by table and keeps the rows-per-second figures."""

    def __init__(self, stdout: Any = None, chunk_rows: int = CHUNK_ROWS):
        self.stdout = stdout
        self.chunk_rows = chunk_rows
        self.now = timezone.now()
        self.loads: list[TableLoad] = []
        self.models: list[type[models.Model]] = []

    def columns_for(self, model: type[models.Model], given: Sequence[str]) -> tuple[list[str], list[str]]:
        """All concrete columns: the given ones first, then the rest with their constant text
        (the field's default, the load time for auto_now fields, NULL when nullable)."""
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(given) - set(by_attname)
        if unknown:
            raise ValueError(f"{model._meta.label} has no column(s) {sorted(unknown)}")
        columns = [by_attname[name].column for name in given]
        rest = []
        for name, model_field in by_attname.items():
            if name in given:
                continue
            if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
                value = self.now
            elif model_field.has_default():
                value = model_field.get_default()
            elif model_field.null:
                value = None
            elif model_field.blank and model_field.empty_strings_allowed:
                value = ""
            else:
                raise ValueError(f"{model._meta.label}.{name} needs a value")
            columns.append(model_field.column)
            rest.append(copy_text(value))
        return columns, rest

    def write(self, model: type[models.Model], given: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Load ``rows`` (tuples in the order of ``given``) into the model's table."""
        given, rows = with_pinyin(model, given, rows)
        columns, rest = self.columns_for(model, given)
        started = time.perf_counter()
        total = 0
        for chunk in chunks(rows, self.chunk_rows):
            self._copy(model, columns, rest, chunk)
            total += len(chunk)
        load = TableLoad(model._meta.label, total, time.perf_counter() - started)
        self.loads.append(load)
        if model not in self.models:
            self.models.append(model)
        if self.stdout is not None:
            rate = load.rows / load.seconds if load.seconds else 0
            self.stdout.write(f"  {load.label:<32} {load.rows:>10,} rows {load.seconds:>8.1f} s {rate:>10,.0f} rows/s")
        return total

    def _copy(self, model, columns: list[str], rest: list[str], chunk: list[Sequence[Any]]) -> None:
        tail = ("\t" + "\t".join(rest)) if rest else ""
        text = "".join("\t".join(map(copy_text, row)) + tail + "\n" for row in chunk)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, io.StringIO(text))

    def reset_sequences(self) -> None:
        """Move each table's id sequence past the explicit ids written."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def summary(self) -> tuple[int, float]:
        rows = sum(load.rows for load in self.loads)
        seconds = sum(load.seconds for load in self.loads)
        return rows, seconds


def with_pinyin(
    model: type[models.Model], given: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    """The rows of a model whose names sort by pinyin, with their pinyin columns (which
    ``save()`` sets otherwise) added from the name given."""
    if not issubclass(model, PinyinNamed) or model.pinyin_source not in given or "name_pinyin" in given:
        return given, rows
    index = list(given).index(model.pinyin_source)

    def added():
        for row in rows:
            text = row[index] or ""
            yield (*row, pinyin_of(text), initials_of(text))

    return [*given, *PINYIN_FIELDS], added()


def chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def require_empty(models_to_check: Iterable[type[models.Model]]) -> list[str]:
    """Labels of the tables that already hold rows (the large scales need them empty)."""
    return [model._meta.label for model in models_to_check if model._default_manager.exists()]


# --------------------------------------------------------------------------- plan


@dataclass
class TownshipPlan:
    index: int  # 0-based over the whole load
    region_id: int
    county_region_id: int
    village_ids: list[int] = field(default_factory=list)
    village_org_ids: list[int] = field(default_factory=list)  # parallel to village_ids
    org_ids: list[int] = field(default_factory=list)  # every organization of the township
    secretary_of: dict[int, int] = field(default_factory=dict)  # org id -> person id
    instructor_ids: list[int] = field(default_factory=list)
    alliance_ids: list[int] = field(default_factory=list)  # filled by demo.bulk.alliances


@dataclass
class BulkPlan:
    spec: LargeScale
    writer: BulkWriter
    townships: list[TownshipPlan] = field(default_factory=list)
    province_id: int = 0
    city_ids: list[int] = field(default_factory=list)
    county_ids: list[int] = field(default_factory=list)
    leader_person_of: dict[int, int] = field(default_factory=dict)  # alliance id -> leader person id


def person_name(rng, index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def mobile_number(index: int) -> str:
    """Distinct, well-formed mobile numbers: 139 followed by the person's sequence number."""
    return f"139{index:08d}"


def load(ctx) -> None:
    """Regions, member organizations with their secretaries, township instructors and a
    few staff accounts (see ``LARGE_ACCOUNTS``)."""
    spec: LargeScale = ctx.shared["large_spec"]
    writer = BulkWriter(ctx.stdout)
    plan = BulkPlan(spec=spec, writer=writer)
    ctx.shared["bulk"] = plan
    rng = ctx.rng

    regions: list[tuple] = []
    region_id = 0

    def add_region(code: str, name: str, level: str, parent: int | None) -> int:
        nonlocal region_id
        region_id += 1
        regions.append((region_id, code, name, level, parent))
        return region_id

    plan.province_id = add_region(PROVINCE_CODE, PROVINCE_NAME, RegionLevel.PROVINCE, None)
    cities = math.ceil(spec.counties / COUNTIES_PER_CITY)
    township_index = 0
    for city in range(cities):
        city_code = f"33{city + 1:02d}".ljust(12, "0")
        city_id = add_region(city_code, f"第{city + 1}市", RegionLevel.CITY, plan.province_id)
        plan.city_ids.append(city_id)
        in_city = min(COUNTIES_PER_CITY, spec.counties - city * COUNTIES_PER_CITY)
        for county in range(in_city):
            county_code6 = f"{city_code[:4]}{county + 1:02d}"
            county_id = add_region(county_code6.ljust(12, "0"), f"第{county + 1}区", RegionLevel.COUNTY, city_id)
            plan.county_ids.append(county_id)
            used: set[str] = set()
            for township in range(spec.townships_per_county):
                name = unique_place(rng, used, rng.choice(["镇", "镇", "街道", "乡"]))
                code9 = f"{county_code6}{township + 1:03d}"
                township_id = add_region(code9.ljust(12, "0"), name, RegionLevel.TOWNSHIP, county_id)
                item = TownshipPlan(index=township_index, region_id=township_id, county_region_id=county_id)
                township_index += 1
                villages: set[str] = set()
                for village in range(spec.villages_per_township):
                    village_name = unique_place(rng, villages, "社区" if rng.random() < 0.2 else "村")
                    village_id = add_region(f"{code9}{village + 1:03d}", village_name, RegionLevel.VILLAGE, township_id)
                    item.village_ids.append(village_id)
                plan.townships.append(item)
    names = {row[0]: row[2] for row in regions}
    writer.write(Region, ["id", "code", "name", "level", "parent_id"], regions)

    organizations: list[tuple] = []
    people: list[tuple] = []
    org_id = person_id = 0
    for item in plan.townships:
        township_name = names[item.region_id]
        for village_id in item.village_ids:
            org_id += 1
            village_name = names[village_id]
            kind = OrganizationKind.COMMUNITY if village_name.endswith("社区") else OrganizationKind.VILLAGE
            organizations.append(
                (org_id, f"{village_name}党支部", kind, village_id, rng.choice([None, 3, 4, 5]), f"0574-8{org_id:07d}")
            )
            item.village_org_ids.append(org_id)
            item.org_ids.append(org_id)
        org_id += 1
        organizations.append(
            (org_id, f"{township_name}人民政府机关党总支", OrganizationKind.GOVERNMENT, item.region_id, 4, "")
        )
        government = org_id
        item.org_ids.append(org_id)
        for number in range(spec.orgs_per_township - spec.villages_per_township - 1):
            org_id += 1
            kind, suffix = TOWNSHIP_ORG_KINDS[number % len(TOWNSHIP_ORG_KINDS)]
            star = rng.choice([None, 2, 3, 4, 5])
            organizations.append((org_id, f"{township_name}第{number + 1}{suffix}", kind, item.region_id, star, ""))
            item.org_ids.append(org_id)
        for organization in item.org_ids:
            person_id += 1
            people.append(
                (person_id, person_name(rng, person_id), mobile_number(person_id), organization, "党组织书记", True)
            )
            item.secretary_of[organization] = person_id
        for title in ("组织委员", "党建工作指导员"):
            person_id += 1
            people.append((person_id, person_name(rng, person_id), mobile_number(person_id), government, title, True))
            item.instructor_ids.append(person_id)

    writer.write(MemberOrganization, ["id", "name", "kind", "region_id", "star_rating", "contact_phone"], organizations)
    writer.write(Person, ["id", "name", "mobile", "organization_id", "title", "is_party_member"], people)
    with connection.cursor() as cursor:
        _set_secretaries(cursor, plan)
    writer.reset_sequences()
    ensure_large_accounts(ctx, plan)


def _set_secretaries(cursor, plan: BulkPlan) -> None:
    """Every organization's secretary, in one statement per chunk of a VALUES list."""
    pairs = [(org, person) for item in plan.townships for org, person in item.secretary_of.items()]
    table = MemberOrganization._meta.db_table
    for chunk in chunks(pairs, CHUNK_ROWS):
        values = ",".join(f"({int(org)},{int(person)})" for org, person in chunk)  # generated integers only
        cursor.execute(
            f"UPDATE {table} AS o SET secretary_id = v.person "  # noqa: S608 - table from the model, integers
            f"FROM (VALUES {values}) AS v(org, person) WHERE o.id = v.org"
        )


def unique_place(rng, used: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(TOWNSHIP_HEADS) + rng.choice(TOWNSHIP_TAILS) + suffix
        if name not in used:
            used.add(name)
            return name
        if len(used) > 600:  # the name space is large; a long run of clashes gets a number
            name = f"{rng.choice(TOWNSHIP_HEADS)}{len(used)}{suffix}"
            if name not in used:
                used.add(name)
                return name


@dataclass(frozen=True)
class LargeAccount:
    username: str
    role: str
    region: str  # "province", "city" or "county": the first one generated


LARGE_ACCOUNTS = [
    LargeAccount("province_viewer", Role.VIEWER, "province"),
    LargeAccount("city_staff", Role.CITY_STAFF, "city"),
    LargeAccount("county_staff", Role.COUNTY_STAFF, "county"),
]


def ensure_large_accounts(ctx, plan: BulkPlan) -> None:
    """The superuser and one account per staff level, over the first city and county."""
    from demo.members import DEMO_PASSWORD, ensure_superuser
    from members.services import user_with_role

    ctx.actor = ensure_superuser(ctx)
    ids = {"province": plan.province_id, "city": plan.city_ids[0], "county": plan.county_ids[0]}
    for account in LARGE_ACCOUNTS:
        region = Region.objects.get(pk=ids[account.region])
        user_with_role(username=account.username, password=DEMO_PASSWORD, role=account.role, region=region)
    ctx.count("created", AccessProfile, len(LARGE_ACCOUNTS))


def money(value: float) -> Decimal:
    return Decimal(int(value * 100)) / 100
