"""Journey 3: city staff at a desk, in Chinese: the city dashboard, then a county's bulletin."""

from __future__ import annotations

import pytest

from evaluations import rollups
from evaluations.services import rollup_produce, rollup_publish
from tests.browser.journeys import DESKTOP
from tests.browser.test_journeys_county import last_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_staff_read_the_city_dashboard_and_open_a_county_bulletin(journey, world):
    draft, _ = rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=last_month(), region=world.county_a)
    bulletin = rollup_publish(actor=world.alice, rollup=draft)

    city = journey("city", "carol", DESKTOP)
    page = city.page
    city.step("dashboard")
    assert page.locator("h1").first.inner_text() == "工作台"
    # The city's figures count both of its county's alliances, none of another city's.
    assert page.locator(".figure[data-key=alliances] .figure-value").inner_text() == "2"

    city.menu("调度通报")
    city.step("rollups")
    row = page.locator("table.list tbody tr", has_text="鄞州区")
    assert row.count() == 1
    row.locator(f"a[href='{bulletin.get_absolute_url()}']").click()
    city.step("county-bulletin")
    heading = page.locator("h1").first.inner_text()
    assert "鄞州区" in heading and "月通报" in heading and last_month().label in heading
    assert page.locator("text=发布").count() >= 1
