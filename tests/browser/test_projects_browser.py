"""In a real browser: a leader reports from a phone with a photo, staff return the report
with a comment, the leader reads the comment and resubmits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from projects.models import ProgressReport, ProgressReportRevision
from tests.browser.conftest import ARTIFACTS, log_in, stay_on_server
from tests.projects.factories import ProjectFactory, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized browser context that refuses every request leaving the live server."""
    context = browser.new_context(**PHONE)
    outside = stay_on_server(context, live_server)
    yield context.new_page()
    context.close()
    assert outside == [], f"requests left the server: {outside}"


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a phone ({width}px)"


def test_leader_reports_with_a_photo_staff_return_it_and_the_leader_resubmits(phone, page, live_server, world):
    ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    ARTIFACTS.mkdir(exist_ok=True)

    # The leader, on a phone: menu → my work → this week's report.
    log_in(phone, live_server, "lily")
    phone.click("label.nav-toggle-label")
    phone.click("nav.mainnav >> text=我的填报")
    assert "红芽姜大棚" in phone.locator(".alliance-work").inner_text()
    fits_the_phone(phone)
    phone.click("text=填报本周进度")
    phone.fill("input[name=percent_complete]", "35")
    phone.fill("input[name=investment_to_date]", "420000")
    phone.fill("textarea[name=work_done]", "完成大棚钢架搭建 12 座")
    phone.set_input_files(
        "input[name=attachments]",
        files=[{"name": "大棚.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(800, 600), gps=True)}],
    )
    expect(phone.locator("#upload-preview img")).to_have_count(1)  # the chosen photo is previewed
    fits_the_phone(phone)
    phone.screenshot(path=str(ARTIFACTS / "report-form-phone.png"), full_page=True)
    with phone.expect_navigation():  # the page sends the form by script, then moves on
        phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    assert "进度报告已提交" in phone.content() and "本周已提交，待审核" in phone.content()
    report = ProgressReport.objects.get()
    assert (report.percent_complete, report.attachments.count()) == (35, 1)

    # County staff, at a desk: review queue → the report with its photo → return with a comment.
    log_in(page, live_server, "alice")
    page.click("nav.mainnav >> text=进度审核")
    page.click("#review-queue a.button")
    photo = page.locator("#report img.thumb")
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 800  # served, upright, whole
    page.check("input[name=decision][value=returned]")
    page.fill("textarea[name=comment]", "请补充大棚内部照片和投资明细")
    page.click("#review button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "没有符合条件的进度报告" in page.locator("#review-queue").inner_text()

    # The leader sees the comment, fixes the report and sends it again.
    phone.goto(f"{live_server.url}/projects/my-work/")
    returned = phone.locator("#returned")
    assert "请补充大棚内部照片和投资明细" in returned.inner_text()
    phone.screenshot(path=str(ARTIFACTS / "my-work-returned-phone.png"), full_page=True)
    returned.locator("text=修改后重新提交").click()
    assert "请补充大棚内部照片和投资明细" in phone.locator("#return-comment").inner_text()
    phone.fill("textarea[name=work_done]", "完成大棚钢架搭建 12 座，补充投资明细：钢材 28 万元、人工 14 万元")
    with phone.expect_navigation():  # the page sends the form by script, then moves on
        phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    assert "报告已重新提交" in phone.content()

    report.refresh_from_db()
    assert (report.status, report.revision) == ("submitted", 2)
    assert "补充投资明细" in report.work_done
    (returned_version,) = ProgressReportRevision.objects.filter(report=report)
    assert (returned_version.decision, returned_version.review_comment) == ("returned", "请补充大棚内部照片和投资明细")

    # Staff see the resubmitted report again, with the earlier version on the timeline.
    page.goto(f"{live_server.url}/projects/{report.project_id}/")
    page.click("#timeline summary")  # the review history is folded under the report
    timeline = page.locator("#timeline").inner_text()
    assert "请补充大棚内部照片和投资明细" in timeline and "补充投资明细" in timeline
    page.screenshot(path=str(ARTIFACTS / "project-timeline.png"), full_page=True)
