"""The region picker of the list filters: a type-ahead of the user's own regions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import Region
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


def test_an_alliance_form_picks_its_lead_region_by_typing_and_saves_it(page, live_server, world):
    from alliances.models import Alliance
    from tests.members.factories import township

    township(world.county_a, 2, "云龙镇")
    log_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("alliances:edit", args=[world.alliance_a.pk]))
    box = page.locator("input[name=lead_region]")
    assert box.input_value() == world.town_a.code
    box.fill("yl")
    town = Region.objects.get(name="云龙镇")
    page.wait_for_selector(f"datalist option[value='{town.code}']", state="attached")
    offered = page.eval_on_selector_all("datalist option", "options => options.map(o => o.value)")
    assert all(code.startswith(world.county_a.prefix) for code in offered)
    box.fill(town.code)
    with page.expect_navigation():
        page.click("form[novalidate] button[type=submit].primary")
    assert Alliance.objects.get(pk=world.alliance_a.pk).lead_region == town


def test_staff_appoint_a_team_member_by_typing_pinyin_initials_and_choosing_them(page, live_server, world):
    """The organization and person pickers work as the region picker: the list fills as
    one types, and the chosen 姓名（单位） is what the form saves."""
    from alliances.models import TeamRole

    log_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("alliances:detail", args=[world.alliance_a.pk]))
    page.click("main a[href$='/team/assign/']")
    page.wait_for_load_state("networkidle")
    box = page.locator("input[name=person]")
    box.fill("wjg")
    chosen = f"{world.person_a.name}（{world.org_a.name}）"
    page.wait_for_selector(f"datalist option[value='{chosen}']", state="attached")
    assert world.person_b.name not in "".join(
        page.eval_on_selector_all("datalist option", "options => options.map(o => o.value)")
    )
    box.fill(chosen)
    page.select_option("select[name=role]", "advisor")
    page.fill("input[name=started_on]", "2026-06-01")
    with page.expect_navigation():
        page.click("main form button[type=submit].primary")
    assert "工作团队已更新" in page.locator("ul.messages").inner_text()
    assert TeamRole.objects.filter(alliance=world.alliance_a, person=world.person_a, role="advisor").exists()
