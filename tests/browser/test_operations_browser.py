from __future__ import annotations

import pytest

from alliances.models import Meeting
from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_sees_the_norm_and_records_a_meeting_with_attendance(page, live_server, world):
    log_in(page, live_server, "lily")
    page.goto(f"{live_server.url}/alliances/{world.alliance_a.pk}/")
    norm = page.locator("#norm")
    assert "组织架构" in norm.inner_text() and "未达标" in norm.inner_text()

    page.click("text=登记会议")
    page.select_option("select[name=kind]", "monthly")
    page.fill("input[name=held_on]", "2025-03-31")
    page.fill("textarea[name=topics]", "研究高山村组供水管网建设")
    page.check(f"input[name=attending_organizations][value='{world.org_a.pk}']")
    page.check(f"input[name=attendees][value='{world.person_a.pk}']")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")

    meeting = Meeting.objects.get()
    assert page.url.endswith(meeting.get_absolute_url())
    assert "王建国" in page.locator("#attendees").inner_text()
    assert list(meeting.attending_organizations.values_list("name", flat=True)) == ["走马塘村党委"]


def test_the_alliance_page_with_its_operations_panels_fits_a_phone(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/alliances/{world.alliance_a.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the alliance page scrolls sideways on a phone ({width}px)"
    assert page.locator("#norm li").count() == 4
    label = page.evaluate("getComputedStyle(document.querySelector('#meeting-rhythm td'), '::before').content")
    assert "会议" in label
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "alliance-operations-phone.png"), full_page=True)
    context.close()
