"""A rollup's page stays light however many alliances its tables list: a city's page shows
one row per county (counted from the stored rows) opening that county's section, long
tables are paged, ?all=1 gives every row to print, and the Excel file keeps every row."""

from __future__ import annotations

import io
import re
from collections import namedtuple

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from alliances.models import Alliance
from core.periods import MONTH, Period
from evaluations import pages, rollups
from evaluations.forms import WAIVE_ALL, WAIVER_FIELDS
from evaluations.models import AssessmentScheme, Indicator, Rollup, RollupWaiver
from evaluations.reports import ranking_table
from evaluations.services import rollup_produce
from tests.alliances.factories import AllianceFactory
from tests.members.factories import RegionFactory, township

pytestmark = pytest.mark.django_db

MARCH = Period.parse(MONTH, "2026-03")
KB = 1024
Ranked = namedtuple("Ranked", "rank code name region_name base_score total_score grade vetoed")


@pytest.fixture
def haishu(world):
    """A second county of Ningbo, beside 鄞州区."""
    county = RegionFactory(code="330203000000", name="海曙区", parent=world.ningbo)
    return township(county, 1, "石碶街道")


def add_alliances(town, count: int, prefix: str) -> list[Alliance]:
    return Alliance.objects.bulk_create(
        AllianceFactory.build(code=f"{prefix}{n:04d}", name=f"{town.name}党建联盟{n}号", lead_region=town)
        for n in range(count)
    )


def city_bulletin(world, alliances: list[Alliance]) -> Rollup:
    """Ningbo's monthly bulletin as produced, with its alliance tables holding a row for
    each of ``alliances`` (in the columns the bulletin computes)."""
    rollup = rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=MARCH, region=world.ningbo)[0]
    report = rollup.report
    ranked = [
        Ranked(n + 1, a.code, a.name, a.lead_region.name, "80.00", f"{90 - n / 100:.2f}", "good", False)
        for n, a in enumerate(alliances)
    ]
    tables = {t["key"]: t for t in report["tables"]}
    tables["ranking"] = ranking_table(ranked)
    tables["flags"]["rows"] = [[a.code, a.name, "黄"] for a in alliances]
    tables["criticism"]["rows"] = [[a.code, a.name, "考评较差"] for a in alliances[::3]]
    report["tables"] = [tables[t["key"]] for t in report["tables"]]
    Rollup.objects.filter(pk=rollup.pk).update(report=report)
    return Rollup.objects.get(pk=rollup.pk)


@pytest.fixture
def big_city(world, haishu):
    """600 alliances in Ningbo's bulletin: 400 of 海曙区's, 200 of 鄞州区's."""
    alliances = add_alliances(haishu, 400, "LM-H-") + add_alliances(world.town_a, 200, "LM-Y-")
    return city_bulletin(world, alliances)


def get(client, rollup: Rollup, query: str = ""):
    response = client.get(reverse("evaluations:rollup-detail", args=[rollup.pk]) + query)
    assert response.status_code == 200
    return response


def rows_of(html: str, key: str) -> list[str]:
    body = re.search(rf'<table class="list" id="table-{key}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def codes_in(html: str, key: str) -> set[str]:
    return {code for row in rows_of(html, key) for code in re.findall(r"LM-[A-Z]-\d+", row)}


def test_a_city_bulletin_of_600_alliances_is_under_100_kb_in_each_view(client, world, big_city):
    client.force_login(world.carol)
    overview = get(client, big_city)
    county = get(client, big_city, "?county=330203")
    page_4 = get(client, big_city, "?county=330203&ranking_page=4")
    for response in (overview, county, page_4):
        assert len(response.content) < 100 * KB, len(response.content)
    # Everything of it in one page, only when asked for (to print).
    everything = get(client, big_city, "?all=1")
    assert len(everything.content) > 300 * KB


def test_a_city_page_shows_a_row_per_county_counted_from_the_stored_rows(client, world, big_city):
    client.force_login(world.carol)
    html = get(client, big_city).content.decode()
    index = re.search(r'<table class="list" id="county-index">(.*?)</table>', html, re.S).group(1)
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", index)]
    assert heads == ["区县", "联盟排名", "红黄绿分类", "通报批评"]
    rows = {
        re.sub(r"<[^>]+>", "", cells[0]): [int(n) for n in cells[1:]]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", index.split("<tbody>")[1])
        )
    }
    # 鄞州区: its 200 and the world's two alliances are not in the stored rows: only the rows count.
    assert rows == {"海曙区": [400, 400, 134], "鄞州区": [200, 200, 66]}
    assert '<a href="?county=330203#report-tables" data-county="330203">海曙区</a>' in html
    # The city's head of each table is shown, 20 rows, with the way to the rest.
    assert len(rows_of(html, "ranking")) == pages.CITY_ROWS_PER_PAGE
    assert "共 600 行" in html and 'href="?all=1" data-print-all' in html


def test_a_county_section_ranks_that_county_s_alliances_a_hundred_at_a_time(client, world, big_city):
    client.force_login(world.carol)
    first = get(client, big_city, "?county=330212").content.decode()
    assert codes_in(first, "ranking") == {f"LM-Y-{n:04d}" for n in range(100)}
    assert "以下为鄞州区的联盟。" in first
    second = get(client, big_city, "?county=330212&ranking_page=2").content.decode()
    assert codes_in(second, "ranking") == {f"LM-Y-{n:04d}" for n in range(100, 200)}
    # The other tables stay on their first page, of 50 rows; the pager keeps the county.
    assert codes_in(second, "flags") == {f"LM-Y-{n:04d}" for n in range(pages.ROWS_PER_PAGE)}
    assert 'href="?county=330212&amp;ranking_page=1#section-ranking" rel="prev"' in second
    assert 'href="?county=330212&amp;ranking_page=2&amp;flags_page=2#section-flags" rel="next"' in second
    # The praise (3 rows) is not paged.
    assert len(rows_of(second, "praise")) <= 3 and "praise_page" not in second


def test_print_all_gives_every_row_of_the_city_or_of_a_county(client, world, big_city):
    client.force_login(world.carol)
    everything = get(client, big_city, "?all=1").content.decode()
    assert len(rows_of(everything, "ranking")) == 600 and len(rows_of(everything, "flags")) == 600
    assert 'class="pagination"' not in everything and "以下列出各表全部行。" in everything
    assert "print-header" in everything and "data-print" in everything
    county = get(client, big_city, "?county=330203&all=1").content.decode()
    assert codes_in(county, "ranking") == {f"LM-H-{n:04d}" for n in range(400)}


def test_the_excel_file_keeps_every_row(client, world, big_city):
    client.force_login(world.carol)
    response = client.get(reverse("evaluations:rollup-xlsx", args=[big_city.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    assert book["联盟排名"].max_row == 1 + 600
    assert book["红黄绿分类"].max_row == 1 + 600
    assert book["通报批评"].max_row == 1 + 200


def test_the_page_s_queries_do_not_grow_with_its_rows(client, world, haishu):
    client.force_login(world.carol)
    small = city_bulletin(world, add_alliances(haishu, 30, "LM-H-") + add_alliances(world.town_a, 30, "LM-Y-"))
    counts = {}
    for query in ("", "?county=330203", "?all=1"):
        with CaptureQueriesContext(connection) as captured:
            get(client, small, query)
        counts[query] = len(captured)
    big = city_bulletin(world, add_alliances(haishu, 570, "LM-I-") + add_alliances(world.town_a, 570, "LM-Z-"))
    Rollup.objects.filter(pk=small.pk).update(report=big.report)
    for query, expected in counts.items():
        with CaptureQueriesContext(connection) as captured:
            html = get(client, small, query).content.decode()
        assert len(captured) == expected, query
    assert len(rows_of(html, "ranking")) == 1140


def test_a_county_the_bulletin_does_not_cover_is_not_found(client, world, big_city):
    client.force_login(world.carol)
    for county in ("330921", "9999999", "<script>"):
        response = client.get(reverse("evaluations:rollup-detail", args=[big_city.pk]), {"county": county})
        assert response.status_code == 404


def test_a_county_bulletin_has_no_county_sections(client, world):
    rollup = rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=MARCH, region=world.county_a)[0]
    client.force_login(world.alice)
    response = client.get(reverse("evaluations:rollup-detail", args=[rollup.pk]), {"county": "330212"})
    assert response.status_code == 404


def test_a_page_number_past_the_end_shows_the_last_page(client, world, big_city):
    client.force_login(world.carol)
    for number, expected in (("99999", range(300, 400)), ("-3", range(300, 400)), ("abc", range(100))):
        html = get(client, big_city, f"?county=330203&ranking_page={number}").content.decode()
        assert codes_in(html, "ranking") == {f"LM-H-{n:04d}" for n in expected}


def test_a_county_bulletin_of_a_hundred_alliances_shows_them_all_on_one_page(client, world):
    add_alliances(world.town_a, 98, "LM-Y-")
    rollup = rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=MARCH, region=world.county_a)[0]
    alliances = list(Alliance.objects.filter(lead_region__code__startswith="330212").order_by("code"))
    report = rollup.report
    report["tables"][0] = ranking_table(
        [Ranked(n + 1, a.code, a.name, "", "80.00", "85.00", "good", False) for n, a in enumerate(alliances)]
    )
    Rollup.objects.filter(pk=rollup.pk).update(report=report)
    client.force_login(world.alice)
    html = get(client, rollup).content.decode()
    assert len(rows_of(html, "ranking")) == 100 and 'class="pagination"' not in html
    assert 'id="county-index"' not in html and "data-print-all" not in html
    # Her county's alliances: each total opens its scorecard.
    assert html.count('href="/evaluations/scorecards/') == 100


def test_the_city_page_reads_english_with_the_language_cookie(client, world, big_city):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.carol)
    html = get(client, big_city).content.decode()
    assert 'lang="en"' in html
    assert "<h2>By county</h2>" in html and "data-print-all>Print all</a>" in html and "600 rows" in html
    assert '<th class="num">Alliance ranking</th>' in html
    county = get(client, big_city, "?county=330212").content.decode()
    assert "The alliances of 鄞州区." in county


# ------------------------------------------------------------------ a draft with many pending scores


@pytest.fixture
def many_pending(world):
    """A staff-scored indicator owed by 2 + 33 alliances of 鄞州区."""
    add_alliances(world.town_a, 33, "LM-Y-")
    scheme = AssessmentScheme.objects.create(name="宁波市考评", region=world.ningbo, year=2026, status="active")
    Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌影响", max_score=10)
    return rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=MARCH, region=world.county_a)[0]


def test_many_pending_scores_are_counted_by_indicator_and_listed_in_part(client, world, many_pending):
    client.force_login(world.alice)
    html = get(client, many_pending).content.decode()
    assert re.search(r"B1 品牌影响</td><td[^>]*>35</td>", html)
    listed = re.search(r'id="pending-scores">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert listed.count("<tr>") == 30 and "仅列出前 30 项，共 35 项。" in html
    everything = get(client, many_pending, "?all=1").content.decode()
    listed = re.search(r'id="pending-scores">.*?<tbody>(.*?)</tbody>', everything, re.S).group(1)
    assert listed.count("<tr>") == 35 and "仅列出前" not in everything
    # Past the limit, one reason for them all instead of a field each.
    assert 35 > WAIVER_FIELDS
    assert f'name="{WAIVE_ALL}"' in html and f'name="waive-{world.alliance_a.pk}-' not in html
    assert "暂缓理由（适用于全部 35 项待录入评分）" in html


def test_one_reason_waives_every_pending_score_each_recorded(client, world, many_pending):
    client.force_login(world.alice)
    url = reverse("evaluations:rollup-publish", args=[many_pending.pk])
    refused = client.post(url, {WAIVE_ALL: "  "})
    assert "还有 35 项人工评分未录入" in refused.content.decode()
    assert Rollup.objects.get(pk=many_pending.pk).is_draft and not RollupWaiver.objects.exists()

    assert client.post(url, {WAIVE_ALL: "年底统一评分"}).status_code == 302
    published = Rollup.objects.get(pk=many_pending.pk)
    assert published.version == 1
    assert published.waivers.count() == 35
    assert set(published.waivers.values_list("reason", flat=True)) == {"年底统一评分"}
    html = get(client, published).content.decode()
    shown = re.search(r'id="waivers">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert shown.count("<tr>") == 30 and "仅列出前 30 项，共 35 项。" in html
    everything = get(client, published, "?all=1").content.decode()
    assert re.search(r'id="waivers">.*?<tbody>(.*?)</tbody>', everything, re.S).group(1).count("<tr>") == 35
