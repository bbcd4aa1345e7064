"""Journey 1: an alliance leader's week on a phone (390×844), in Chinese, clicking through."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import Meeting
from projects.models import ProgressReport, ReportAttachment
from projects.services import report_return
from projects.weeks import current_week
from tests.browser.journeys import PHONE, small_png
from tests.projects.factories import ProjectFactory, ReportFactory, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def returned_report_with_a_photo(world):
    """Last week's report on 红芽姜大棚, returned by county staff, with a photo attached."""
    project = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    report = ReportFactory(
        project=project,
        period=current_week() - datetime.timedelta(weeks=1),
        status="returned",
        percent_complete=30,
        work_done="完成钢架",
        review_comment="请补充大棚内部照片",
        reviewed_by=world.alice,
        reviewed_at=timezone.now(),
    )
    ReportAttachment.objects.create(
        report=report,
        file=ContentFile(image_bytes(size=(80, 60)), name="钢架.jpg"),
        kind="photo",
        content_type="image/jpeg",
        original_name="钢架.jpg",
        size=1000,
    )
    return report


def test_a_leader_corrects_a_returned_report_files_the_week_amends_it_and_records_a_meeting(journey, world):
    returned = returned_report_with_a_photo(world)
    due = ProjectFactory(alliance=world.alliance_a, title="高山村供水管网")

    leader = journey("leader", "lily", PHONE)
    page = leader.page
    leader.step("landing")
    assert page.locator("h1").first.inner_text() == "我的填报"

    # Monday: the returned report, from the list, with the reviewer's comment; corrected and resubmitted.
    returned_card = page.locator("#returned")
    assert "请补充大棚内部照片" in returned_card.inner_text()
    returned_card.locator("text=修改后重新提交").click()
    leader.step("returned-report")
    assert "请补充大棚内部照片" in page.locator("#return-comment").inner_text()
    assert "已上传的 1 个附件会保留" in page.locator(".report-form").inner_text()
    page.fill("textarea[name=work_done]", "完成钢架，补拍大棚内部照片")
    with page.expect_navigation():  # the page sends the form by script, then moves on
        page.click("button[type=submit].primary")
    leader.step("resubmitted")
    assert "报告已重新提交" in page.content()
    returned.refresh_from_db()
    assert (returned.status, returned.revision, returned.work_done) == ("submitted", 2, "完成钢架，补拍大棚内部照片")
    assert returned.attachments.count() == 1  # the photo already attached stays

    # This week's progress for the project due, with a photo; 150 % is refused and what was typed stays.
    card = page.locator(".project-work", has_text="高山村供水管网")
    card.locator("text=填报本周进度").click()
    leader.step("report-form")
    page.fill("input[name=percent_complete]", "150")
    page.fill("input[name=investment_to_date]", "380000")
    page.fill("textarea[name=work_done]", "铺设主管道 800 米")
    page.fill("textarea[name=blockers]", "村道施工需临时封路")
    page.check("input[name=needs_coordination]")
    page.fill("textarea[name=coordination_request]", "请交通部门协调封路审批")
    photo = {"name": "管道.png", "mimeType": "image/png", "buffer": small_png()}
    page.set_input_files("input[name=attachments]", files=[photo])
    expect(page.locator("#upload-preview img")).to_have_count(1)
    page.click("button[type=submit].primary")
    page.wait_for_selector("[role=alert]")  # the form comes back in place (sent by the page's script)
    leader.step("validation-error")
    assert page.locator("[role=alert]").count() >= 1
    assert page.input_value("input[name=percent_complete]") == "150"
    assert page.input_value("textarea[name=work_done]") == "铺设主管道 800 米"
    assert page.input_value("textarea[name=coordination_request]") == "请交通部门协调封路审批"
    assert page.is_checked("input[name=needs_coordination]")
    assert not ProgressReport.objects.filter(project=due).exists()

    # A browser cannot be handed a chosen file back: when the photo is gone the page says so.
    if page.locator("input[name=attachments]").evaluate("input => input.files.length") == 0:
        assert "重新选择" in page.locator(".field", has=page.locator("input[name=attachments]")).inner_text()
        page.set_input_files("input[name=attachments]", files=[photo])
    page.fill("input[name=percent_complete]", "45")
    with page.expect_navigation():  # the page sends the form by script, then moves on
        page.click("button[type=submit].primary")
    leader.step("filed")
    assert "进度报告已提交" in page.content()
    filed = ProgressReport.objects.get(project=due)
    assert (filed.percent_complete, filed.period, filed.status) == (45, current_week(), "submitted")
    assert filed.investment_to_date == 380000 and filed.coordination_request == "请交通部门协调封路审批"
    assert filed.attachments.filter(kind="photo").count() == 1

    # The report still waits for review: the leader amends it from the same list.
    page.locator(".project-work", has_text="高山村供水管网").locator("text=修改该报告").click()
    leader.step("amend-form")
    assert "还在等待审核" in page.locator(".report-form").inner_text()
    assert page.input_value("input[name=percent_complete]") == "45"
    page.fill("input[name=percent_complete]", "50")
    with page.expect_navigation():  # the page sends the form by script, then moves on
        page.click("button[type=submit].primary")
    leader.step("amended")
    filed.refresh_from_db()
    assert (filed.percent_complete, filed.status, filed.attachments.count()) == (50, "submitted", 1)

    # This month's 碰头会, from the alliance's page.
    page.locator(".alliance-work h2 a", has_text="姜山共富联盟").click()
    leader.step("alliance")
    leader.click("text=登记会议")
    leader.step("meeting-form")
    page.select_option("select[name=kind]", "monthly")
    page.fill("input[name=held_on]", timezone.localdate().isoformat())
    page.fill("textarea[name=topics]", "研究供水管网封路协调")
    page.check(f"input[name=attending_organizations][value='{world.org_a.pk}']")
    page.check(f"input[name=attendees][value='{world.person_a.pk}']")
    page.click("main button[type=submit]")
    leader.step("meeting")
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.held_on, meeting.alliance_id) == (
        "monthly",
        timezone.localdate(),
        world.alliance_a.pk,
    )
    assert "王建国" in page.locator("#attendees").inner_text()


def test_a_leader_opens_a_returned_report_from_its_notice_on_a_phone(journey, world):
    """Journey 1.1 starts from the notice: its title is a link like the others (underlined,
    a thumb's height), marks it read and opens the report with the reviewer's comment."""
    report = ReportFactory(
        project=ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚"),
        period=current_week() - datetime.timedelta(weeks=1),
        work_done="完成钢架",
    )
    report_return(actor=world.alice, report=report, comment="请补充大棚内部照片")

    leader = journey("leader", "lily", PHONE)
    page = leader.page
    title = leader.open_notice("红芽姜大棚")
    style = title.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in style, style
    assert title.bounding_box()["height"] >= 44
    title.click()
    page.wait_for_load_state("networkidle")
    leader.step("returned-report")
    assert "请补充大棚内部照片" in page.locator("main").inner_text()
    assert page.locator("a.bell .bell-count").count() == 0  # the one notice is read
