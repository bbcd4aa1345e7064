"""The county officer opens the monthly bulletin, clicks an alliance's total and sees the
late weeks behind its reporting timeliness (zh-hans)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, log_in
from tests.evaluations.test_scorecard import march_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_opens_the_late_weeks_behind_an_alliances_total(page, live_server, world, settings):
    settings.REPORT_DEADLINE_GRACE_DAYS = 3
    march_data(world)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/evaluations/rollups/")
    page.locator("table.list tr", has_text="2025年3月").filter(has_text="月通报").locator(
        "a", has_text="月通报"
    ).click()
    page.wait_for_load_state("networkidle")
    assert "月通报" in page.locator("h1").inner_text()

    row = page.locator("#table-ranking tr", has_text="姜山共富联盟")
    total = row.locator("a").last
    shown_total = total.inner_text()
    total.click()
    page.wait_for_load_state("networkidle")

    assert "姜山共富联盟" in page.locator("h1").inner_text() and "考评明细" in page.locator("h1").inner_text()
    assert page.locator("[data-key=total]").inner_text() == shown_total
    timeliness = page.locator("details[data-metric=reporting_timeliness]")
    assert timeliness.is_visible()
    if timeliness.get_attribute("open") is None:
        timeliness.locator("summary").click()
    late = timeliness.locator("td[data-label='逾期报送的周']")
    assert late.inner_text() == "第11周（3.10–3.16）"
    assert timeliness.locator("td[data-label='未报的周']").inner_text() == "第12周（3.17–3.23）"
    assert "按明细重算达成度 40.00%" in timeliness.locator("summary").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scorecard.png"), full_page=True)
