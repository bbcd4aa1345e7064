from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, log_in
from tests.workshops.factories import ReportFactory, Shops
from workshops.months import add_months, last_complete_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shops(world):
    shops = Shops(world)
    last = last_complete_month(timezone.localdate())
    for i in range(12):
        ReportFactory(workshop=shops.a, month=add_months(last, -i), employed=20 + i, low_income_employed=5 + i // 2)
    return shops


def canvas_is_painted(page, selector: str) -> bool:
    """True when the canvas has non-transparent pixels: Chart.js really drew on it."""
    return page.evaluate(
        """(selector) => {
            const canvas = document.querySelector(selector);
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
            return false;
        }""",
        selector,
    )


def test_workshop_detail_draws_its_monthly_chart_from_local_files(page, live_server, world, shops):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/workshops/{shops.a.pk}/")
    canvas = page.locator("canvas[data-chart='workshop-monthly-chart']")
    canvas.wait_for()
    page.wait_for_function("document.querySelector('canvas[data-chart]').dataset.chartDrawn === 'true'")
    assert canvas_is_painted(page, "canvas[data-chart]")
    assert page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart]')).data.datasets.length") == 3
    assert errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workshop-detail.png"), full_page=True)


def test_summary_page_draws_its_chart_and_fits_a_phone(browser, live_server, world, shops):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/workshops/summary/")
    page.wait_for_function("document.querySelector('canvas[data-chart]').dataset.chartDrawn === 'true'")
    assert canvas_is_painted(page, "canvas[data-chart]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workshop-summary-phone.png"), full_page=True)
    context.close()
