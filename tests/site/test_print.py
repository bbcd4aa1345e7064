"""Every rollup and list page prints: a 打印 button, and a header for paper holding the
page's title, region, period, version (rollups) and the date produced.

The list pages are found as tests/site/test_list_exports.py finds them (from the URL
configuration), so a new list page without a print button or header fails here.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from core.periods import MONTH, QUARTER, WEEK, YEAR, Period
from evaluations import rollups
from evaluations.services import rollup_produce, rollup_publish
from tests.site.test_list_exports import LIST_PAGES

PRINT_BUTTON = re.compile(r'<button type="button"[^>]*\sdata-print(\s|>)[^>]*>?\s*打印\s*</button>')


def text_of(html: str, attribute: str) -> str | None:
    match = re.search(rf"<(\w+)[^>]*\s{attribute}(?:\s[^>]*)?>(.*?)</\1>", html, re.S)
    return None if match is None else " ".join(unescape(re.sub(r"<[^>]+>", "", match.group(2))).split())


def print_header(html: str) -> dict[str, str | None]:
    match = re.search(r"<header class=\"print-header\" data-print-header>(.*?)</header>", html, re.S)
    assert match, "the page has no print header"
    block = match.group(1)
    return {key: text_of(block, f"data-print-{key}") for key in ("title", "region", "period", "version", "produced")}


def heading(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", html, re.S).group(1))).split())


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_page_has_a_print_button_and_a_print_header(name, client, world):
    client.force_login(world.alice)
    html = client.get(reverse(name)).content.decode()
    assert PRINT_BUTTON.search(html), f"{name} has no print button"
    header = print_header(html)
    assert header == {
        "title": heading(html),
        "region": "区域：鄞州区",
        "period": "期间：全部",
        "version": None,
        "produced": f"制表日期：{chinese_date(timezone.localdate())}",
    }


@pytest.mark.django_db
def test_a_printed_list_names_the_region_and_the_dates_its_filters_chose(client, world):
    client.force_login(world.alice)
    url = reverse("alliances:meeting-list")
    html = client.get(url, {"region": world.town_a.code, "held_after": "2026-01-01", "held_before": "2026-03-31"})
    header = print_header(html.content.decode())
    assert header["region"] == "区域：姜山镇"
    assert header["period"] == "期间：2026年1月1日 至 2026年3月31日"


KIND_PERIODS = {
    rollups.WEEKLY_DISPATCH: Period.containing(WEEK, datetime.date(2025, 3, 12)),
    rollups.MONTHLY_BULLETIN: Period.containing(MONTH, datetime.date(2025, 3, 12)),
    rollups.QUARTERLY_OBSERVATION: Period.containing(QUARTER, datetime.date(2025, 3, 12)),
    rollups.ANNUAL_REVIEW: Period.containing(YEAR, datetime.date(2025, 3, 12)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(KIND_PERIODS))
def test_every_rollup_page_prints_its_kind_region_period_draft_state_and_production_date(kind, client, world):
    draft = rollup_produce(kind=kind, period=KIND_PERIODS[kind], region=world.county_a)[0]
    client.force_login(world.alice)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert PRINT_BUTTON.search(html), f"the {kind} page has no print button"
    assert print_header(html) == {
        "title": draft.get_kind_display(),
        "region": "区域：鄞州区",
        "period": f"期间：{draft.period.label}",
        "version": "版本：草稿",
        "produced": f"制表日期：{chinese_date(timezone.localdate(draft.produced_at))}",
    }


@pytest.mark.django_db
def test_a_published_rollup_prints_its_version_number(client, world):
    draft = rollup_produce(
        kind=rollups.MONTHLY_BULLETIN, period=KIND_PERIODS[rollups.MONTHLY_BULLETIN], region=world.county_a
    )[0]
    published = rollup_publish(actor=world.alice, rollup=draft)
    client.force_login(world.alice)
    header = print_header(client.get(published.get_absolute_url()).content.decode())
    assert header["version"] == "版本：第1版"
    assert header["title"] == published.get_kind_display()
