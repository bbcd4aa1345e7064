"""Photos of the weekly report form: previews allowed by the policy, limits given to the
page's script, a file over the limit refused with the typed text kept, and the script's
requests answered as it expects."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import MAX_UPLOAD_BYTES
from projects.models import ProgressReport
from projects.weeks import current_week
from tests.factories_projects import ProjectFactory, photo

pytestmark = pytest.mark.django_db


def report_url(world):
    return reverse("projects:report-submit", args=[ProjectFactory(alliance=world.alliance_a).pk])


def test_it_lets_the_report_form_show_previews_of_chosen_photos_and_nothing_more(client, world):
    client.force_login(world.lily)
    response = client.get(report_url(world))
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["img-src"].split() == ["'self'", "data:", "blob:"]
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"


def test_it_gives_the_page_the_server_limits_for_its_photo_script(client, world):
    client.force_login(world.lily)
    page = client.get(report_url(world)).content.decode()
    assert f'data-max-bytes="{MAX_UPLOAD_BYTES}"' in page
    assert 'id="keep-original"' in page and "js/photo-upload.js" in page


def test_it_refuses_a_photo_over_10_mb_with_a_message_and_keeps_what_was_typed(client, world):
    client.force_login(world.lily)
    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"0" * (MAX_UPLOAD_BYTES + 1024), "image/jpeg")
    response = client.post(
        report_url(world),
        {
            "period": current_week().isoformat(),
            "percent_complete": "40",
            "work_done": "完成大棚钢架",
            "attachments": [big],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "huge.jpg" in page and "超过 10 MB" in page
    assert "完成大棚钢架" in page and 'value="40"' in page
    assert not ProgressReport.objects.exists()


def test_it_does_not_ask_to_choose_files_again_when_the_page_kept_them(client, world):
    client.force_login(world.lily)
    url = report_url(world)
    data = {"period": current_week().isoformat(), "percent_complete": "120", "work_done": "完成"}
    plain = client.post(url, data | {"attachments": [photo("a.jpg")]}).content.decode()
    kept = client.post(url, data | {"attachments": [photo("a.jpg")], "files_kept": "1"}).content.decode()
    assert "重新选择文件" in plain
    assert "重新选择文件" not in kept and "percent_complete" in kept


def test_it_answers_the_photo_script_with_where_to_go_after_saving(client, world):
    client.force_login(world.lily)
    response = client.post(
        report_url(world),
        {
            "period": current_week().isoformat(),
            "percent_complete": "30",
            "work_done": "完成",
            "attachments": [photo("a.jpg")],
            "files_kept": "1",
        },
    )
    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("projects:my-work")}
    assert ProgressReport.objects.get().attachments.count() == 1


def test_it_refuses_a_request_body_over_the_limit_with_a_clear_page_before_reading_it(client, world, monkeypatch):
    client.force_login(world.lily)
    url = report_url(world)
    monkeypatch.setattr("core.uploads.MAX_REQUEST_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024), "image/jpeg")
    response = client.post(url, {"percent_complete": "40", "work_done": "完成", "attachments": [big]})
    assert response.status_code == 400
    assert "每个文件不超过 10 MB" in response.content.decode()
    assert not ProgressReport.objects.exists()
