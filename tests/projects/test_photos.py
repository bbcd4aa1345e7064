"""Photos of the weekly report form: previews allowed by the policy, limits given to the
page's script, a file over the limit refused with the typed text kept, and the script's
requests answered as it expects."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.models import MeetingPhoto
from core.uploads import MAX_UPLOAD_BYTES
from projects.models import ProgressReport
from projects.weeks import current_week
from tests.projects.factories import ProjectFactory, photo

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


# ------------------------------------------------------- every other form that takes photos


def meeting_photo_url(world):
    from tests.alliances.factories import MeetingFactory

    return reverse("alliances:meeting-photo-add", args=[MeetingFactory(alliance=world.alliance_a).pk])


def activity_photo_url(world):
    from tests.alliances.factories import ActivityFactory

    return reverse("alliances:activity-photo-add", args=[ActivityFactory(alliance=world.alliance_a).pk])


PHOTO_FORMS = [
    ("lily", meeting_photo_url),
    ("lily", activity_photo_url),
    ("alice", lambda world: reverse("evaluations:score-create")),
]


@pytest.mark.parametrize(("username", "url_of"), PHOTO_FORMS)
def test_every_form_that_takes_photos_offers_the_photo_tools(client, world, username, url_of):
    client.force_login(getattr(world, username))
    page = client.get(url_of(world)).content.decode()
    assert f'data-max-bytes="{MAX_UPLOAD_BYTES}"' in page
    assert 'id="photo-tools"' in page and 'id="upload-preview"' in page and "js/photo-upload.js" in page


def test_a_form_without_files_has_no_photo_tools(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("alliances:edit", args=[world.alliance_a.pk])).content.decode()
    assert "photo-tools" not in page and "photo-upload.js" not in page


def test_a_meeting_photo_sent_by_the_photo_script_is_answered_with_where_to_go(client, world):
    client.force_login(world.lily)
    url = meeting_photo_url(world)
    response = client.post(url, {"image": photo("会场.jpg"), "caption": "会场", "files_kept": "1"})
    meeting = MeetingPhoto.objects.get().meeting
    assert response.status_code == 200
    assert response.json() == {"redirect": meeting.get_absolute_url()}


def test_a_meeting_photo_refused_for_its_caption_does_not_ask_for_the_photo_again_when_kept(client, world):
    client.force_login(world.lily)
    url = meeting_photo_url(world)
    data = {"caption": "长" * 201}
    plain = client.post(url, data | {"image": photo("a.jpg")}).content.decode()
    kept = client.post(url, data | {"image": photo("a.jpg"), "files_kept": "1"}).content.decode()
    assert "重新选择文件" in plain
    assert "重新选择文件" not in kept and 'id="photo-tools"' in kept
    assert not MeetingPhoto.objects.exists()
