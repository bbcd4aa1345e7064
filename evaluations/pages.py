"""A rollup's tables as its page shows them: light at any size.

A stored report may list every alliance of a city (a thousand rows in each of its tables).
The page shows the summary in full; a city's page adds one row per county, counted from
the stored rows, each opening that county's section (``?county=<code>``); a table longer
than ``ROWS_PER_PAGE`` (a ranking: ``RANKING_ROWS_PER_PAGE``; on a city's page before a
county is chosen: ``CITY_ROWS_PER_PAGE``) is shown a page at a time (``?<table key>_page=N``). ``?all=1``
shows every row of every table, to print; the Excel file always holds every row.

The number of queries does not grow with the rows: one for the county of each alliance a
city's tables name, one for the city's counties, one for the alliances the reader may see
on the page, one per kind of object the page's rows link to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from alliances.models import Alliance
from members.models import Region

from .models import Rollup
from .templatetags.reports import LINKABLE
from .templatetags.scorecards import visible_codes

# A table longer than this is paged (a county's weekly dispatch lists hundreds of projects).
ROWS_PER_PAGE = 50
# The ranking of a county's alliances (about a hundred) is presented whole at a meeting.
RANKING_ROWS_PER_PAGE = 100
RANKING_TABLES = ("ranking", "results")
# A city's page, before a county is chosen, shows the head of each table (the city's
# first in the ranking) under the row of each county.
CITY_ROWS_PER_PAGE = 20
# The column naming a row's alliance (its code) in every report.
ALLIANCE_COLUMN = "alliance"


@dataclass
class TableView:
    """One table of the report as the page shows it: this page's rows as (cells, url),
    cells as (value, column) pairs, with the scorecard link of the row's alliance."""

    table: dict
    rows: list = field(default_factory=list)
    count: int = 0  # rows in the table (in the county shown)
    page: Page | None = None  # None: every row is shown
    page_param: str = ""

    @property
    def key(self) -> str:
        return self.table["key"]

    @property
    def title(self) -> str:
        return self.table["title"]

    @property
    def columns(self) -> list:
        return self.table["columns"]

    @property
    def links(self) -> dict:
        return self.table.get("links") or {}


@dataclass
class CountyRow:
    code: str  # the county's six-digit prefix
    name: str
    counts: list[int]  # rows of each alliance table, in the order of ``alliance_tables``


@dataclass
class ReportPage:
    tables: list[TableView]
    alliance_tables: list[dict] = field(default_factory=list)  # the tables counted by county
    counties: list[CountyRow] = field(default_factory=list)
    county: CountyRow | None = None  # the county shown, None for the whole region
    show_all: bool = False
    paged: bool = False  # some table shows only part of its rows


def alliance_at(table: dict) -> int | None:
    keys = [column["key"] for column in table["columns"]]
    return keys.index(ALLIANCE_COLUMN) if ALLIANCE_COLUMN in keys else None


def report_page(rollup: Rollup, user, params) -> ReportPage:
    """The tables of ``rollup`` for ``user`` as asked by the query ``params``: ``county``
    (a city's county, by its six-digit code; unknown: 404), ``all`` (every row) and each
    table's page number. A page number out of range shows the last page."""
    report = rollup.report
    tables = report.get("tables", [])
    show_all = params.get("all") == "1"
    page = ReportPage(tables=[], show_all=show_all)
    rows_of = {t["key"]: list(range(len(t["rows"]))) for t in tables}

    if rollup.region.level != "county":
        page.alliance_tables = [t for t in tables if alliance_at(t) is not None and t["rows"]]
    if params.get("county") and not page.alliance_tables:
        raise Http404(_("该通报中没有这个区县。"))
    if page.alliance_tables:
        county_of = counties_of_alliances(rollup.region)
        # Each table's rows counted by county in one pass over them.
        tallies = [
            Counter(county_of.get(row[at]) for row in t["rows"]) for t, at in alliance_columns(page.alliance_tables)
        ]
        for county in Region.objects.subtree(rollup.region).filter(level="county").order_by("code"):
            code = county.code[:6]
            page.counties.append(CountyRow(code, county.name, [tally[code] for tally in tallies]))
        wanted = params.get("county")
        if wanted:
            page.county = next((c for c in page.counties if c.code == wanted), None)
            if page.county is None:
                raise Http404(_("该通报中没有这个区县。"))
            for t, at in alliance_columns(page.alliance_tables):
                rows_of[t["key"]] = [i for i in rows_of[t["key"]] if county_of.get(t["rows"][i][at]) == wanted]

    city_head = bool(page.counties) and page.county is None
    shown: dict[str, list[int]] = {}
    for t in tables:
        view = TableView(table=t, count=len(rows_of[t["key"]]), page_param=f"{t['key']}_page")
        per_page = (
            CITY_ROWS_PER_PAGE if city_head else RANKING_ROWS_PER_PAGE if t["key"] in RANKING_TABLES else ROWS_PER_PAGE
        )
        indices = rows_of[t["key"]]
        if not show_all and len(indices) > per_page:
            view.page = Paginator(indices, per_page).get_page(params.get(view.page_param))
            indices = list(view.page.object_list)
            page.paged = True
        shown[t["key"]] = indices
        page.tables.append(view)

    visible = visible_alliance_codes(page.tables, shown, user)
    linkable = visible_objects(page.tables, shown, user)
    for view in page.tables:
        t = view.table
        at = alliance_at(t)
        links = view.links
        kind, ids = links.get("kind"), links.get("ids") or []
        for index in shown[view.key]:
            row = t["rows"][index]
            pk = ids[index] if index < len(ids) else None
            url = reverse(LINKABLE[kind][2], args=[pk]) if kind in linkable and pk in linkable[kind] else None
            code = row[at] if at is not None else None
            card = reverse("evaluations:scorecard", args=[code, rollup.period.key]) if code in visible else ""
            view.rows.append((list(zip(row, t["columns"], strict=False)), url, card))
    return page


def alliance_columns(tables: list[dict]) -> list[tuple[dict, int]]:
    """The tables that name alliances, each with the index of its alliance column."""
    return [(t, at) for t in tables if (at := alliance_at(t)) is not None]


def counties_of_alliances(region: Region) -> dict[str, str]:
    """The county (six-digit code) of each alliance led from the region, by its code (one
    query). A rollup's tables name only those: an alliance since moved out of the region
    falls in none of its counties, as it would by its lead region now."""
    return dict(
        Alliance.objects.filter(region.within("lead_region"))
        .annotate(county=Substr("lead_region__code", 1, 6))
        .values_list("code", "county")
    )


def visible_alliance_codes(views: list[TableView], shown: dict, user) -> set[str]:
    """The codes of the alliances on the page that ``user`` may see (one query): only their
    totals link to a scorecard (a city bulletin read by county staff names other counties'
    alliances)."""
    codes = set()
    for view in views:
        at = alliance_at(view.table)
        if at is not None:
            codes.update(view.table["rows"][i][at] for i in shown[view.key] if view.table["rows"][i][at])
    return visible_codes(user, codes) if codes else set()


def visible_objects(views: list[TableView], shown: dict, user) -> dict[str, set[int]]:
    """The projects, organizations and items behind the page's rows that ``user`` may see
    (one query per kind)."""
    wanted: dict[str, set[int]] = {}
    for view in views:
        kind, ids = view.links.get("kind"), view.links.get("ids") or []
        if kind in LINKABLE:
            wanted.setdefault(kind, set()).update(ids[i] for i in shown[view.key] if i < len(ids))
    visible = {}
    for kind, ids in wanted.items():
        app, model, _url = LINKABLE[kind]
        queryset = apps.get_model(app, model).objects.visible_to(user).filter(pk__in=ids)
        visible[kind] = set(queryset.values_list("pk", flat=True))
    return visible
