"""通过所选 (journey 2.2, "bulk accept where fine"): county staff tick the reports that need
no change in the review queue and accept them together, each exactly as one accept does;
a report whose progress went down, or that someone reviewed meanwhile, is left and named."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from projects.models import ProgressReport, ProgressReportRevision, ReportStatus
from projects.services import report_accept, reports_accept
from projects.weeks import current_week
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db

LAST_WEEK = current_week() - datetime.timedelta(weeks=1)


@pytest.fixture
def queue(world):
    """Three reports of county A waiting (one whose progress went down from 60 to 40), and
    one of county B."""
    fine = [ReportFactory(project=ProjectFactory(alliance=world.alliance_a, title=f"项目{n}")) for n in (1, 2)]
    dropped = ProjectFactory(alliance=world.alliance_a, title="进度下降项目")
    ReportFactory(
        project=dropped, period=LAST_WEEK - datetime.timedelta(weeks=1), percent_complete=60, status="accepted"
    )
    down = ReportFactory(project=dropped, percent_complete=40)
    other = ReportFactory(project=ProjectFactory(alliance=world.alliance_b, title="岱山项目"))
    return {"fine": fine, "down": down, "other": other}


def status(report) -> str:
    return ProgressReport.objects.get(pk=report.pk).status


def test_the_selected_reports_are_accepted_each_with_its_revision(world, queue):
    accepted, skipped = reports_accept(actor=world.alice, reports=queue["fine"])
    assert [r.pk for r in accepted] == [r.pk for r in queue["fine"]] and skipped == []
    for report in queue["fine"]:
        assert status(report) == ReportStatus.ACCEPTED
        revision = ProgressReportRevision.objects.get(report=report)
        assert (revision.decision, revision.reviewed_by) == (ReportStatus.ACCEPTED, world.alice)


def test_a_report_whose_progress_went_down_is_left_with_the_reason(world, queue):
    accepted, skipped = reports_accept(actor=world.alice, reports=[queue["down"], *queue["fine"]])
    assert len(accepted) == 2
    assert [(r.pk, "60%" in reason and "40%" in reason) for r, reason in skipped] == [(queue["down"].pk, True)]
    assert status(queue["down"]) == ReportStatus.SUBMITTED


def test_a_report_reviewed_meanwhile_is_left_and_says_so(world, queue):
    report_accept(actor=world.carol, report=queue["fine"][0])
    accepted, skipped = reports_accept(actor=world.alice, reports=queue["fine"])
    assert [r.pk for r in accepted] == [queue["fine"][1].pk]
    assert "已审核" in skipped[0][1]


def test_someone_who_may_not_review_changes_nothing(world, queue):
    for user in (world.vera, world.lily, world.bob):
        with pytest.raises(PermissionDenied):
            reports_accept(actor=user, reports=queue["fine"])
    assert {status(r) for r in queue["fine"]} == {ReportStatus.SUBMITTED}


def test_the_queue_offers_the_boxes_to_staff_and_accepts_the_ticked_ones(client, world, queue):
    client.force_login(world.alice)
    page = client.get(reverse("projects:review-queue")).content.decode()
    assert 'id="accept-selected"' in page and "通过所选" in page
    for report in [*queue["fine"], queue["down"]]:
        assert f'name="report" form="accept-selected" value="{report.pk}"' in page
    ticked = [*queue["fine"], queue["down"], queue["other"]]  # county B's is not the officer's
    response = client.post(
        reverse("projects:review-accept"),
        {"report": [r.pk for r in ticked], "next": reverse("projects:review-queue") + "?status=submitted"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("projects:review-queue") + "?status=submitted", 302)]
    body = response.content.decode()
    assert "已通过 2 份报告。" in body and "进度下降项目" in body and "未通过" in body
    assert [status(r) for r in ticked] == ["accepted", "accepted", "submitted", "submitted"]
    # What is left waiting is what the queue now lists (counted again from the rows).
    waiting = ProgressReport.objects.filter(
        status="submitted", project__alliance__lead_region__code__startswith="330212"
    ).count()
    assert waiting == 1 and "共 1 条" in body


def test_nothing_ticked_is_a_clear_message_and_changes_nothing(client, world, queue):
    client.force_login(world.alice)
    response = client.post(reverse("projects:review-accept"), {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain == [(reverse("projects:review-queue"), 302)]  # never off the site
    assert "请先勾选要通过的报告。" in response.content.decode()
    assert {status(r) for r in queue["fine"]} == {ReportStatus.SUBMITTED}


def test_viewers_and_leaders_get_no_boxes_and_403(client, world, queue):
    for user in (world.vera, world.lily):
        client.force_login(user)
        assert 'id="accept-selected"' not in client.get(reverse("projects:review-queue")).content.decode()
        response = client.post(reverse("projects:review-accept"), {"report": [queue["fine"][0].pk]})
        assert response.status_code == 403
    assert status(queue["fine"][0]) == ReportStatus.SUBMITTED


def test_accepting_the_whole_last_page_returns_to_the_queue_not_to_a_page_that_is_gone(client, world, queue):
    """全选本页 on page 2 of the queue: page 2 no longer exists once its reports are accepted,
    so the officer is brought back to the same filtered queue from its first page."""
    report_accept(actor=world.alice, report=queue["down"], comment="进度调整已核实")  # two left: two pages of one
    client.force_login(world.alice)
    queue_url = reverse("projects:review-queue") + "?status=submitted&page_size=1"
    page_two = client.get(queue_url + "&page=2").context["object_list"]
    assert [r.pk for r in page_two] in ([queue["fine"][0].pk], [queue["fine"][1].pk])
    response = client.post(
        reverse("projects:review-accept"),
        {"report": [r.pk for r in page_two], "next": queue_url + "&page=2"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(queue_url, 302)]
    assert "已通过 1 份报告。" in response.content.decode()
