from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_staff_log_in_and_see_their_alliances_and_not_another_county(page, live_server, world):
    log_in(page, live_server, "alice")
    assert page.url.endswith("/evaluations/dashboard/")
    page.goto(f"{live_server.url}/alliances/")
    rows = page.locator("table.list tbody tr").all_inner_texts()
    text = "\n".join(rows)
    assert "姜山共富联盟" in text and "云龙产业联盟" in text
    assert "岱山海岛联盟" not in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "alliance-list.png"), full_page=True)

    page.click("text=姜山共富联盟")
    assert page.locator("h1").first.inner_text().startswith("姜山共富联盟")
    assert "走马塘村党委" in page.locator("#members").inner_text()

    page.goto(f"{live_server.url}/alliances/{world.alliance_b.pk}/")
    assert "页面不存在" in page.content()


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page, live_server, world):
    log_in(page, live_server, "alice", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.locator("[role=alert]").count() >= 1


def test_alliance_list_is_usable_on_a_phone(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/alliances/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    assert page.locator("table.list thead").is_hidden()
    label = page.evaluate("getComputedStyle(document.querySelector('table.list td'), '::before').content")
    assert "编号" in label  # stacked cells carry their column's label
    context.close()
