"""Bad input: a page size of 10,000, a filter value that matches everything, a deep page
number, a 100 MB upload. Each is capped or refused with a clear answer, never served whole."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import MAX_REQUEST_BYTES
from projects.models import ProgressReport, ReportAttachment
from projects.weeks import current_week
from tests.projects.factories import ProjectFactory
from tests.projects.test_api import many_projects

pytestmark = pytest.mark.django_db

HUNDRED_MB = 100 * 1024 * 1024


@pytest.fixture
def projects(world):
    many_projects(world)  # 110 projects titled 批量项目000…109, all visible to alice


def test_the_api_caps_a_page_size_of_10000_at_100_rows(api, world, projects):
    body = api.as_user(world.alice).get("/api/v1/projects/", {"page_size": 10000}).json()
    assert len(body["results"]) == 100
    assert body["count"] == 110 and body["next"]


def test_a_list_page_caps_a_page_size_of_10000_at_100_rows(client, world, projects):
    client.force_login(world.alice)
    response = client.get(reverse("projects:list"), {"page_size": 10000})
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 100
    assert response.context["paginator"].num_pages == 2


def test_a_page_size_that_is_not_a_number_is_a_400_naming_it(api, world, projects):
    response = api.as_user(world.alice).get("/api/v1/projects/", {"page_size": "all"})
    assert response.status_code == 400
    assert "page_size" in response.content.decode() and "请输入整数" in response.content.decode()


def test_a_filter_value_matching_everything_stays_paged(api, client, world, projects):
    body = api.as_user(world.alice).get("/api/v1/projects/", {"q": "批量项目"}).json()
    assert (len(body["results"]), body["count"]) == (20, 110)
    client.force_login(world.alice)
    page = client.get(reverse("projects:list"), {"q": "批量项目", "status": ""})
    assert len(page.context["object_list"]) == 20
    assert page.context["paginator"].count == 110


@pytest.mark.parametrize("number", ["7", "999999999", "abc"])
def test_a_page_number_past_the_end_is_a_clear_404_on_the_api(api, world, projects, number):
    response = api.as_user(world.alice).get("/api/v1/projects/", {"page": number})
    assert response.status_code == 404
    assert response.json()  # a JSON message, not the site's HTML page


@pytest.mark.parametrize("number", ["7", "999999999", "abc"])
def test_a_page_number_past_the_end_is_a_404_page_on_a_list(client, world, projects, number):
    client.force_login(world.alice)
    response = client.get(reverse("projects:list"), {"page": number, "status": ""})
    assert response.status_code == 404
    assert "<html" in response.content.decode().lower()


def test_a_cursor_that_was_never_given_is_a_404_on_the_report_api(api, world, projects):
    response = api.as_user(world.alice).get("/api/v1/progress-reports/", {"cursor": "not-a-cursor"})
    assert response.status_code == 404


def test_a_100_mb_report_upload_is_refused_before_it_is_read_with_the_sites_page(client, world):
    """The body claims 100 MB and only its first bytes are there: nothing waits for the
    rest, and nothing is stored."""
    assert HUNDRED_MB > MAX_REQUEST_BYTES
    project = ProjectFactory(alliance=world.alliance_a)
    client.force_login(world.lily)
    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"0" * 1024, "image/jpeg")
    response = client.post(
        reverse("projects:report-submit", args=[project.pk]),
        {"period": current_week().isoformat(), "percent_complete": "40", "work_done": "完成", "attachments": [big]},
        CONTENT_LENGTH=str(HUNDRED_MB),
    )
    assert response.status_code == 400
    assert "每个文件不超过 10 MB" in response.content.decode()
    assert not ProgressReport.objects.exists() and not ReportAttachment.objects.exists()


def test_a_100_mb_upload_to_the_api_is_refused_before_it_is_read(api, world):
    project = ProjectFactory(alliance=world.alliance_a)
    api.raise_request_exception = False
    api.as_user(world.lily)
    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"0" * 1024, "image/jpeg")
    response = api.post(
        "/api/v1/progress-reports/",
        {"project": project.pk, "period": current_week().isoformat(), "percent_complete": 40, "attachments": [big]},
        format="multipart",
        CONTENT_LENGTH=str(HUNDRED_MB),
    )
    assert response.status_code == 400
    assert not ProgressReport.objects.exists()


def test_a_100_mb_json_body_to_the_api_is_refused_before_it_is_read(api, world):
    api.raise_request_exception = False
    api.as_user(world.lily)
    response = api.post(
        "/api/v1/progress-reports/",
        data='{"work_done": "完成"}',
        content_type="application/json",
        CONTENT_LENGTH=str(HUNDRED_MB),
    )
    assert response.status_code == 400
    assert not ProgressReport.objects.exists()
