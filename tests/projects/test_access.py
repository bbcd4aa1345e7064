"""Who sees and writes which projects and reports: roles × pages and endpoints."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Milestone, ProgressReport, ProgressReportRevision, Project, ReportAttachment
from projects.services import report_return, report_submit
from projects.weeks import current_week, local_today
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(world):
    """A project with a milestone and a report (with a photo and a returned version) in alliance A1 and in B1."""
    made = {}
    for key, alliance, leader in (("a", world.alliance_a, world.lily), ("b", world.alliance_b, None)):
        project = ProjectFactory(alliance=alliance, title=f"项目{key.upper()}")
        MilestoneFactory(project=project)
        report = ReportFactory(project=project)
        if leader is not None:
            report_return(actor=world.alice, report=report, comment="补充照片")
        made[key] = project
    report_submit(
        actor=world.lily,
        project=made["a"],
        period=current_week(),
        percent_complete=30,
        work_done="推进",
        attachments=[photo()],
    )
    return made


def test_querysets_follow_the_alliance_scope(world, both):
    a, b = both["a"], both["b"]
    expectations = {
        world.lily: {a},
        world.alice: {a},
        world.tina: {a},
        world.carol: {a},
        world.vera: {a},
        world.bob: {b},
        world.admin: {a, b},
    }
    for user, projects in expectations.items():
        assert set(Project.objects.visible_to(user)) == projects, user.username
        assert {m.project for m in Milestone.objects.visible_to(user)} == projects
        assert {r.project for r in ProgressReport.objects.visible_to(user)} == projects
    assert ReportAttachment.objects.visible_to(world.bob).count() == 0
    assert ProgressReportRevision.objects.visible_to(world.bob).count() == 0
    assert ProgressReportRevision.objects.visible_to(world.lily).count() == 1


def test_a_leader_of_alliance_a_can_neither_see_nor_submit_to_alliance_bs_projects(client, api, world, both):
    b = both["b"]
    b_report = ProgressReport.objects.get(project=b)
    client.force_login(world.lily)
    for name, args in [
        ("projects:detail", [b.pk]),
        ("projects:report-submit", [b.pk]),
        ("projects:report-detail", [b_report.pk]),
        ("projects:report-fix", [b_report.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 404, name
        assert "项目B" not in response.content.decode()
    post = client.post(
        reverse("projects:report-submit", args=[b.pk]),
        {"period": current_week().isoformat(), "percent_complete": "10", "work_done": "越权"},
    )
    assert post.status_code == 404

    api.as_user(world.lily)
    assert api.get(f"/api/v1/projects/{b.pk}/").status_code == 404
    assert api.get(f"/api/v1/progress-reports/{b_report.pk}/").status_code == 404
    assert api.post(f"/api/v1/projects/{b.pk}/reports/", {"percent_complete": 1}, format="json").status_code == 404
    refused = api.post(
        "/api/v1/progress-reports/",
        {"project": b.pk, "period": str(local_today()), "percent_complete": 10, "work_done": "越权"},
        format="json",
    )
    assert refused.status_code == 400 and "project" in refused.json()
    assert [row["title"] for row in api.get("/api/v1/projects/").json()["results"]] == ["项目A"]
    assert not ProgressReport.objects.filter(project=b, work_done="越权").exists()


@pytest.mark.parametrize("username", ["bob"])
def test_county_b_staff_get_404_for_county_a_pages_and_endpoints(client, api, world, both, username):
    a = both["a"]
    report = ProgressReport.objects.filter(project=a).first()
    user = getattr(world, username)
    client.force_login(user)
    for url in [
        reverse("projects:detail", args=[a.pk]),
        reverse("projects:edit", args=[a.pk]),
        reverse("projects:status", args=[a.pk]),
        reverse("projects:report-detail", args=[report.pk]),
        reverse("projects:attachment", args=[ReportAttachment.objects.get().pk]),
    ]:
        assert client.get(url).status_code == 404, url
    api.as_user(user)
    for url in [
        f"/api/v1/projects/{a.pk}/",
        f"/api/v1/milestones/{a.milestones.get().pk}/",
        f"/api/v1/progress-reports/{report.pk}/",
    ]:
        assert api.get(url).status_code == 404, url
    assert api.post(f"/api/v1/progress-reports/{report.pk}/review/", {"decision": "accepted"}).status_code == 404


def test_viewers_read_but_never_write(client, api, world, both):
    a = both["a"]
    pending = ProgressReport.objects.get(project=a, status="submitted")
    api.as_user(world.vera)
    assert api.get(f"/api/v1/projects/{a.pk}/").status_code == 200
    assert api.patch(f"/api/v1/projects/{a.pk}/", {"title": "改名", "version": 1}, format="json").status_code == 403
    assert api.post(f"/api/v1/progress-reports/{pending.pk}/review/", {"decision": "accepted"}).status_code == 403
    client.force_login(world.vera)
    assert (
        client.post(reverse("projects:report-detail", args=[pending.pk]), {"decision": "accepted"}).status_code == 403
    )
    assert client.post(reverse("projects:status", args=[a.pk]), {"status": "delayed", "version": 1}).status_code == 403
    a.refresh_from_db()
    pending.refresh_from_db()
    assert (a.title, a.status, pending.status) == ("项目A", "in_progress", "submitted")


def test_leaders_cannot_edit_projects_through_the_api_or_pages(client, api, world, both):
    a = both["a"]
    api.as_user(world.lily)
    assert api.patch(f"/api/v1/projects/{a.pk}/", {"title": "改名", "version": 1}, format="json").status_code == 403
    assert api.post(f"/api/v1/projects/{a.pk}/status/", {"status": "delayed", "version": 1}).status_code == 403
    client.force_login(world.lily)
    assert client.post(reverse("projects:status", args=[a.pk]), {"status": "delayed", "version": 1}).status_code == 403
    assert Project.objects.get(pk=a.pk).status == "in_progress"


def test_anonymous_users_are_sent_to_log_in(client, world, both):
    for url in [reverse("projects:list"), reverse("projects:my-work"), reverse("projects:detail", args=[both["a"].pk])]:
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_anonymous_users_are_sent_to_log_in_from_the_project_and_report_forms(client, world, both):
    a = both["a"]
    returned = ProgressReport.objects.get(project=a, status="returned")
    urls = [
        reverse("projects:edit", args=[a.pk]),
        reverse("projects:status", args=[a.pk]),
        reverse("projects:milestone-add", args=[a.pk]),
        reverse("projects:milestone-edit", args=[a.pk, a.milestones.get().pk]),
        reverse("projects:report-submit", args=[a.pk]),
        reverse("projects:report-fix", args=[returned.pk]),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, {"status": "delayed", "version": 1})):
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert Project.objects.get(pk=a.pk).status == "in_progress"
