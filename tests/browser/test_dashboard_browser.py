from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_workshops_chart import canvas_is_painted
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_charts_from_local_files(page, live_server, world):
    ProjectFactory(alliance=world.alliance_a, category="service")
    log_in(page, live_server, "alice")
    assert page.url.endswith("/evaluations/dashboard/")
    page.wait_for_function(
        "[...document.querySelectorAll('canvas[data-chart]')].every(c => c.dataset.chartDrawn === 'true')"
    )
    charts = page.locator("canvas[data-chart]")
    # One chart per breakdown: tracked items by state, formation mode, alliance status,
    # project status and project category.
    assert charts.count() == 5
    for index in range(charts.count()):
        chart_id = charts.nth(index).get_attribute("data-chart")
        assert canvas_is_painted(page, f"canvas[data-chart='{chart_id}']")
        # Counts are marked in whole numbers on the axis (no 0.5 between 0 and 1).
        ticks = page.evaluate(
            "(id) => Chart.getChart(document.querySelector(`canvas[data-chart='${id}']`)).scales.y.ticks"
            ".map(t => t.value)",
            chart_id,
        )
        assert ticks and all(float(value).is_integer() for value in ticks), (chart_id, ticks)
    assert page.locator("#figures [data-key='alliances'] .figure-value").inner_text() == "2"
    page.click("#figures [data-key='alliances'] a")
    assert "姜山共富联盟" in page.locator("table.list").inner_text()
    # the page fixture fails the test if any request left the live server
