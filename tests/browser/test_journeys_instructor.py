"""Journey 4: a township instructor (township staff of 姜山镇) follows the alliances,
reports and meetings of the township, in Chinese, on a phone."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances.models import TeamRole
from evaluations.models import VetoFinding
from evaluations.services import veto_record
from evaluations.views import checked_evidence
from projects.services import report_return
from tests.alliances.factories import AllianceFactory, MeetingFactory
from tests.browser.journeys import PHONE, small_png
from tests.members.factories import PersonFactory
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_township_instructor_follows_the_township_alliance_its_reports_and_meetings(journey, world):
    ginger = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    ProjectFactory(alliance=world.alliance_a2, title="云龙茶园改造")
    ReportFactory(project=ginger, percent_complete=35, work_done="完成大棚钢架搭建")
    MeetingFactory(alliance=world.alliance_a, topics="研究大棚用工")
    MeetingFactory(alliance=world.alliance_a2, topics="云龙茶园议题")

    instructor = journey("instructor", "tina", PHONE)
    page = instructor.page
    instructor.step("landing")

    instructor.menu("党建联盟")
    instructor.step("alliances")
    listed = page.locator("table.list tbody").inner_text()
    assert "姜山共富联盟" in listed
    assert "云龙产业联盟" not in listed and "岱山海岛联盟" not in listed  # another township, another county

    instructor.click("table.list >> text=姜山共富联盟")
    instructor.step("alliance")
    assert "走马塘村党委" in page.locator("#members").inner_text()

    instructor.menu("项目清单")
    instructor.step("projects")
    projects = page.locator("table.list tbody").inner_text()
    assert "红芽姜大棚" in projects and "云龙茶园改造" not in projects
    instructor.click("table.list >> text=红芽姜大棚")
    instructor.step("project")
    assert "完成大棚钢架搭建" in page.locator("main").inner_text()  # the leader's report, followed

    instructor.menu("联盟运行")
    instructor.step("meetings")
    meetings = page.locator("table.list tbody").inner_text()
    assert "研究大棚用工" in meetings and "云龙茶园议题" not in meetings


def test_the_instructor_of_an_alliance_reads_the_notice_its_leader_gets_on_a_phone(journey, world):
    """Journey 4: "gets the same notices as the leader for those alliances", and finds the
    alliances they instruct among the township's."""
    person = PersonFactory(user=world.tina, name="施辉", organization__region=world.alliance_a.lead_region)
    TeamRole.objects.create(alliance=world.alliance_a, person=person, role="instructor", started_on=date(2024, 1, 1))
    AllianceFactory(name="姜山另一联盟", lead_region=world.town_a)  # of the township, not instructed by her
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚"), work_done="完成钢架")
    report_return(actor=world.alice, report=report, comment="请补充大棚内部照片")

    instructor = journey("instructor", "tina", PHONE)
    page = instructor.page
    notice = instructor.open_notice("红芽姜大棚")
    assert notice.count() == 1
    notice.click()
    page.wait_for_load_state("networkidle")
    instructor.step("returned-report")
    main = page.locator("main").inner_text()
    assert "请补充大棚内部照片" in main and "完成钢架" in main
    assert page.locator("a.bell .bell-count").count() == 0

    instructor.menu("党建联盟")
    assert page.locator("table.list tbody tr").count() == 2
    instructor.click(".item-tabs >> text=我指导的（1）")
    instructor.step("alliances-instructed")
    assert page.locator("table.list tbody tr").count() == 1
    assert "姜山共富联盟" in page.locator("table.list tbody").inner_text()


def test_a_veto_finding_recorded_at_the_county_is_confirmed_by_a_second_person_on_a_phone(journey, world):
    """Journey 2.7's four eyes: alice records a finding with a photo of evidence; tina, on
    her phone, finds it waiting on her 工作台, opens the evidence, confirms it with what she
    checked, and the list she came from is empty."""

    photo = checked_evidence(SimpleUploadedFile("展板.png", small_png(), content_type="image/png"))
    finding = veto_record(
        actor=world.alice,
        alliance=world.alliance_a,
        kind="show_only",
        year=2026,
        note="活动只见展板",
        evidence_file=photo,
    )

    instructor = journey("instructor", "tina", PHONE)
    page = instructor.page
    instructor.step("dashboard")
    assert instructor.open_to_do("vetoes_waiting") == "1"
    instructor.step("findings-to-confirm")
    row = page.locator("#vetoes tbody tr", has_text="活动只见展板")
    evidence = row.locator("a", has_text="附材料")
    opened = page.request.get(urljoin(page.url, evidence.get_attribute("href")))
    assert opened.status == 200 and opened.headers["content-type"] == "image/png"
    button = row.locator("button", has_text="核实后确认")
    assert button.bounding_box()["height"] >= 44  # a thumb's target on the phone
    row.locator("input[name=verification]").fill("已到现场核实，情况属实")
    button.click()
    instructor.step("confirmed")
    assert "已确认" in page.locator("main").inner_text()
    assert "暂无记录" in page.locator("#vetoes").inner_text() and "state=to_confirm" in page.url
    finding.refresh_from_db()
    assert (finding.confirmed, finding.confirmed_by, finding.verification) == (
        True,
        world.tina,
        "已到现场核实，情况属实",
    )
    assert VetoFinding.objects.filter(confirmed=False).count() == 0
