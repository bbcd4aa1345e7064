"""The region picker of the list filters: a type-ahead of the user's own regions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_pinyin_initials_offers_the_users_regions_and_filters_the_list(page, live_server, world):
    log_in(page, live_server, "tina")
    page.goto(live_server.url + reverse("alliances:list"))
    page.click("details.filters summary")
    page.fill("input[name=region]", "jsz")
    page.wait_for_selector(f"datalist option[value='{world.town_a.code}']", state="attached")
    offered = page.eval_on_selector_all("datalist option", "options => options.map(o => o.value)")
    assert offered and all(code.startswith(world.town_a.prefix) for code in offered)
    page.fill("input[name=region]", world.town_a.code)
    page.click("form.filter-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert world.alliance_a.name in page.locator("table.list").inner_text()
