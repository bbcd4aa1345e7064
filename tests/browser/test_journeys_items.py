"""Journeys 2.3, 5 and 1.4: county staff turn a leader's coordination request into a
tracked item and assign it to a department with a deadline (desk); the department's
liaison replies and marks it handled (phone); the leader confirms it solved and rates it
(phone). In Chinese, by clicking what each page offers."""

from __future__ import annotations

import datetime

import pytest

from projects.weeks import local_today
from tests.browser.journeys import LAPTOP, PHONE
from tests.members.factories import DepartmentFactory, liaison_of
from tests.projects.factories import ProjectFactory, ReportFactory
from tracking.models import ItemState, TrackedItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_assign_a_request_the_liaison_handles_it_and_the_leader_confirms(journey, world):
    transport = DepartmentFactory(county=world.county_a, name="交通运输局")
    DepartmentFactory(county=world.county_a, name="水利局")
    liaison_of(transport, "dora")
    project = ProjectFactory(alliance=world.alliance_a, title="姜山村道改造")
    ReportFactory(project=project, needs_coordination=True, coordination_request="村道拓宽需协调用地")
    deadline = local_today() + datetime.timedelta(days=7)

    # County staff at a desk: from the review queue to the report, then to a tracked item.
    staff = journey("county", "alice", LAPTOP)
    page = staff.page
    staff.menu("进度审核")
    staff.click("table.list a.button")
    staff.step("report")
    staff.click("#tracked-item a.button")
    staff.step("raise-form")
    assert page.input_value("input[name=title]") == "村道拓宽需协调用地"
    page.select_option("select[name=assignee]", label="交通运输局（县属部门）")
    page.fill("input[name=deadline]", deadline.isoformat())
    page.click("main form button[type=submit]")
    staff.step("assigned")
    assert "已交办" in page.locator(".page-head").inner_text()
    item = TrackedItem.objects.get()
    assert (item.state, item.assignee, item.deadline) == (ItemState.ASSIGNED, transport, deadline)

    # The liaison on a phone: 我的督办, reply, then mark handled (a note is required).
    liaison = journey("liaison", "dora", PHONE)
    page = liaison.page
    liaison.step("my-items")
    assert page.locator("h1").first.inner_text() == "我的督办"
    liaison.click("table.list >> text=村道拓宽需协调用地")
    liaison.step("item")
    page.fill("#reply textarea[name=note]", "已联系姜山镇，下周现场测量")
    page.click("#reply button[type=submit]")
    liaison.step("replied")
    assert "办理中" in page.locator(".page-head").inner_text()
    page.click("#handle button[type=submit]")
    liaison.step("handle-without-note", error_page=False)
    assert "办结时请写明办理结果。" in page.locator("main").inner_text()
    page.fill("textarea[name=note]", "用地已协调，道路拓宽完成")
    page.click("main form button[type=submit]")
    liaison.step("handled")
    assert "已办结" in page.locator(".page-head").inner_text()
    assert page.locator("#reply").count() == 0

    # The leader on a phone: sees the department's answer and confirms with a rating.
    leader = journey("leader", "lily", PHONE)
    page = leader.page
    leader.menu("督办事项")
    leader.step("items")
    leader.click("table.list >> text=村道拓宽需协调用地")
    leader.step("item")
    assert "用地已协调，道路拓宽完成" in page.locator("#history").inner_text()
    # Both answers are buttons a thumb can hit (44 px), the second outlined beside the first.
    for form in ("#confirm", "#reopen"):
        assert page.locator(f"{form} button[type=submit]").bounding_box()["height"] >= 44, form
    page.check("#confirm input[name=rating][value='4']")
    page.click("#confirm button[type=submit]")
    leader.step("confirmed")
    assert "已解决" in page.locator(".page-head").inner_text()
    item.refresh_from_db()
    assert (item.state, item.rating) == (ItemState.SOLVED, 4)
    assert [e.action for e in item.events.all()] == ["raised", "assigned", "replied", "handled", "solved"]
