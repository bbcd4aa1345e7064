"""Uploads are recognised by content, capped at 10 MB, stripped of GPS data and stored
through Django's storage (InMemoryStorage in the tests)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from projects.models import ProgressReport, ReportAttachment
from projects.services import report_submit
from projects.uploads import MAX_UPLOAD_BYTES, clean_upload
from projects.weeks import current_week
from tests.factories_projects import ProjectFactory, gps_of, image_bytes, pdf, photo

pytestmark = pytest.mark.django_db


def submit_with(world, *files):
    project = ProjectFactory(alliance=world.alliance_a)
    return report_submit(
        actor=world.lily,
        project=project,
        period=current_week(),
        percent_complete=10,
        work_done="开工",
        attachments=list(files),
    )


def test_an_html_file_renamed_jpg_is_refused_and_nothing_is_saved(world):
    fake = SimpleUploadedFile("现场.jpg", b"<!doctype html><script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        submit_with(world, fake)
    assert "现场.jpg" in error.value.message_dict["attachments"][0]
    assert not ProgressReport.objects.exists() and not ReportAttachment.objects.exists()


def test_the_gps_data_of_an_uploaded_photo_is_gone(world):
    original = image_bytes(gps=True)
    assert gps_of(original), "the test photo must carry GPS data to begin with"
    report = submit_with(world, SimpleUploadedFile("带定位.jpg", original, content_type="image/jpeg"))
    (attachment,) = report.attachments.all()
    with default_storage.open(attachment.file.name, "rb") as stored:
        data = stored.read()
    assert gps_of(data) == {}
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and "exif" not in image.info
        assert image.size == (64, 48)
    assert attachment.kind == "photo" and attachment.content_type == "image/jpeg"
    assert attachment.original_name == "带定位.jpg" and attachment.file.name.endswith(".jpg")


def test_png_webp_and_pdf_are_accepted_and_named_by_their_content(world):
    report = submit_with(world, photo("a.jpg", fmt="PNG"), photo("b.png", fmt="WEBP"), pdf("c.jpg"))
    stored = {
        a.original_name: (a.kind, a.content_type, a.file.name.rsplit(".", 1)[1]) for a in report.attachments.all()
    }
    assert stored == {
        "a.jpg": ("photo", "image/png", "png"),
        "b.png": ("photo", "image/webp", "webp"),
        "c.jpg": ("document", "application/pdf", "pdf"),
    }


def test_a_file_over_10_mb_is_refused(world):
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        submit_with(world, big)
    assert "10 MB" in error.value.message_dict["attachments"][0]
    assert not ProgressReport.objects.exists()


def test_a_gif_or_a_truncated_jpeg_is_refused():
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    for name, data in [("动图.gif", gif.getvalue()), ("坏图.jpg", image_bytes()[:60])]:
        with pytest.raises(ValidationError):
            clean_upload(SimpleUploadedFile(name, data))


def test_attachments_are_served_only_to_users_who_see_the_report(client, world):
    report = submit_with(world, photo())
    url = reverse("projects:attachment", args=[report.attachments.get().pk])
    client.force_login(world.alice)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(world.bob)
    assert client.get(url).status_code == 404
