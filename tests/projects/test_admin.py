"""The admin writes projects through the services and only reads reports (plus an accept action)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import ProgressReport, ProgressReportRevision, Project
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db


def change_form(project, **changes):
    data = {
        "year": project.year,
        "title": project.title,
        "category": project.category,
        "description": "",
        "funds_higher_level": "0",
        "funds_self_raised": "0",
        "funds_common_prosperity": "0",
        "funds_social_capital": "0",
        "start_on": project.start_on,
        "due_on": project.due_on,
        "based_on_version": project.version,
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
    }
    return data | changes


def test_an_admin_edit_raises_the_version_and_a_stale_one_is_refused(client, world):
    project = ProjectFactory(alliance=world.alliance_a, title="屋顶光伏")
    client.force_login(world.admin)
    url = reverse("admin:projects_project_change", args=[project.pk])
    assert "milestones-TOTAL_FORMS" in client.get(url).content.decode()
    response = client.post(url, change_form(project, title="屋顶光伏（一期）"))
    assert response.status_code == 302
    stale = client.post(url, change_form(project, title="屋顶光伏（二期）", based_on_version=1))
    assert stale.status_code == 200 and "based_on_version" in stale.context["adminform"].form.errors
    assert "刷新" in stale.content.decode()
    project.refresh_from_db()
    assert (project.title, project.version) == ("屋顶光伏（一期）", 2)


def test_an_admin_edit_with_a_due_date_before_the_start_is_refused(client, world):
    project = ProjectFactory(alliance=world.alliance_a)
    client.force_login(world.admin)
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = client.post(url, change_form(project, due_on=project.start_on.replace(day=1).replace(year=2000)))
    assert response.status_code == 200 and "due_on" in response.context["adminform"].form.errors
    assert Project.objects.get(pk=project.pk).version == 1


def test_the_accept_action_reviews_through_the_service(client, world):
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a))
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:projects_progressreport_changelist"),
        {"action": "accept_reports", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).status == "accepted"
    assert ProgressReportRevision.objects.get(report=report).reviewed_by == world.admin
    assert client.get(reverse("admin:projects_progressreport_add")).status_code == 403
