"""Who did something is said by name: a page never shows a login's user name (for a person's
login, their mobile number) where a person's name is known."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.users import user_label
from evaluations.models import Proposal
from projects.services import report_return
from projects.weeks import current_week
from tests.core.factories import sheet_rows
from tests.members.factories import PersonFactory, UserFactory
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db


def test_a_login_is_named_by_its_person_then_its_full_name_then_its_user_name():
    phone_login = UserFactory(username="13805740099", first_name="Z")
    PersonFactory(user=phone_login, name="应海波")
    named_staff = UserFactory(username="jiangshan01", first_name="王芳")
    bare = UserFactory(username="ops")
    assert user_label(phone_login) == "应海波"
    assert user_label(named_staff) == "王芳"
    assert user_label(bare) == "ops"
    assert user_label(None) == "—"
    assert user_label(None, default="系统") == "系统"


def test_a_leader_reads_who_returned_a_report_by_name_not_by_login(client, world):
    world.tina.first_name = "王芳"
    world.tina.save()
    liaison_login = UserFactory(username="13800001111")
    PersonFactory(user=liaison_login, name="李娜", mobile="13800001111")
    project = ProjectFactory(alliance=world.alliance_a, title="姜山康养基地")
    report = ReportFactory(project=project, period=current_week(), submitted_by=liaison_login)
    report_return(actor=world.tina, report=report, comment="请补充照片")
    client.force_login(world.lily)
    page = client.get(reverse("projects:my-work")).content.decode()
    returned = page.split("被退回待修改")[1]
    assert "王芳" in returned and "tina" not in returned
    fix = client.get(reverse("projects:report-fix", args=[report.pk])).content.decode()
    assert "王芳 ·" in fix.split('id="return-comment"')[1]
    client.force_login(world.alice)
    staff_view = client.get(reverse("projects:report-detail", args=[report.pk])).content.decode()
    assert "李娜 ·" in staff_view and "13800001111" not in staff_view
    assert "王芳 ·" in staff_view and "tina ·" not in staff_view


def test_the_reviewers_name_costs_no_query_per_returned_report(client, world):
    PersonFactory(user=world.alice, name="周宁")
    client.force_login(world.lily)

    def returned(count: int) -> int:
        for week in range(count):
            report = ReportFactory(
                project=ProjectFactory(alliance=world.alliance_a),
                period=current_week() - datetime.timedelta(weeks=week + 1),
            )
            report_return(actor=world.alice, report=report, comment="请核实")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("projects:my-work"))
        assert response.content.decode().count("周宁 ·") == len(response.context["returned"])
        return len(queries.captured_queries)

    one = returned(1)
    assert returned(3) == one


def test_the_proposals_excel_names_who_decided_as_the_page_does(client, world):
    world.alice.first_name = "周宁"
    world.alice.save()
    Proposal.objects.create(
        kind="interview",
        year=2025,
        region=world.county_a,
        alliance=world.alliance_a,
        basis="年度考评",
        status="confirmed",
        reason="经研究同意",
        decided_by=world.alice,
        decided_at=timezone.now(),
    )
    client.force_login(world.carol)
    page = client.get(reverse("evaluations:proposal-list"), {"status": ""}).content.decode()
    assert "周宁" in page
    response = client.get(reverse("evaluations:proposal-list"), {"status": "", "export": "xlsx"})
    rows = sheet_rows(b"".join(response.streaming_content), "结果运用建议")
    assert [row["决定人"] for row in rows] == ["周宁"]


def test_the_page_header_names_the_signed_in_person_not_their_login(client, world):
    world.lily.username = "13805740001"
    world.lily.save()
    client.force_login(world.lily)
    header = client.get(reverse("projects:my-work")).content.decode().split('<span class="who">')[1].split("</span>")[0]
    assert world.lily.person.name in header and "13805740001" not in header
    client.force_login(world.alice)
    assert '<span class="who">alice' in client.get(reverse("alliances:list")).content.decode()
