"""The monthly bulletin prints on A4: its header, and a page number at the foot of each page."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from core.periods import MONTH, Period
from evaluations import rollups
from evaluations.services import rollup_produce
from tests.alliances.factories import AllianceFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_POINTS = (595, 842)  # 210 × 297 mm


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text without spaces; the PDF may spell 月 as the Kangxi radical ⽉ and
    页 as the radical ⻚, so the text is compatibility-normalised and 页 matched loosely."""
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (round(float(side)) for side in reader.pages[0].mediabox.upper_right)
    assert (width, height) == A4_POINTS
    return [unicodedata.normalize("NFKC", "".join(p.extract_text().split())) for p in reader.pages]


def page_number(number: int, total: int) -> re.Pattern:
    return re.compile(rf"第{number}[页⻚]/共{total}[页⻚]")


def test_the_monthly_bulletin_prints_on_a4_with_its_header_and_page_numbers(page, live_server, world):
    bulletin = rollup_produce(
        kind=rollups.MONTHLY_BULLETIN,
        period=Period.containing(MONTH, datetime.date(2025, 3, 12)),
        region=world.county_a,
    )[0]
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}{bulletin.get_absolute_url()}")

    page.click("button[data-print]")
    assert page.evaluate("window.__printed") == 1

    pages = page_texts(page.pdf(prefer_css_page_size=True))
    assert len(pages) >= 1
    first = pages[0]
    header = f"{bulletin.get_kind_display()}区域:鄞州区期间:{bulletin.period.label}版本:草稿制表日期:"
    assert header in first  # title, region, period, version and date produced, in that order
    assert page_number(1, len(pages)).search(first)
    assert "退出" not in first and "筛选" not in first  # no menu, no filters


def test_a_long_list_prints_its_header_row_on_every_page(page, live_server, world):
    AllianceFactory.create_batch(70, lead_region=world.town_a)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/alliances/?page_size=100")

    pages = page_texts(page.pdf(prefer_css_page_size=True))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert page_number(number, len(pages)).search(text)
        assert "编号名称牵头区域" in text  # the table's header row, repeated
