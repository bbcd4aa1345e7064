"""Upload checks: accepted by content (Pillow verify, PDF signature), extension and size."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alliances import uploads
from alliances.models import MeetingPhoto
from alliances.services import meeting_photo_add
from tests.factories_operations import PDF_BYTES, MeetingFactory, image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "fmt", "kind"),
    [("a.jpg", "JPEG", "jpeg"), ("a.JPEG", "JPEG", "jpeg"), ("a.png", "PNG", "png"), ("a.webp", "WEBP", "webp")],
)
def test_jpeg_png_and_webp_photos_are_accepted(name, fmt, kind):
    assert uploads.check_upload(upload(name, image_bytes(fmt)), allowed=uploads.IMAGE_KINDS) == kind


def test_a_pdf_is_accepted_as_a_document_but_not_as_a_photo():
    assert uploads.check_upload(upload("纪要.pdf", PDF_BYTES), allowed=uploads.DOCUMENT_KINDS) == "pdf"
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload("纪要.pdf", PDF_BYTES), allowed=uploads.IMAGE_KINDS)
    assert error.value.code == "file_type"


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        image_bytes("GIF"),  # a real image, but not a format we accept
        image_bytes("PNG")[:40],  # a truncated PNG: the header is right, the data is not
        b"%PDF",  # one byte short of the signature
    ],
)
def test_other_content_is_refused_whatever_its_name(content):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload("photo.png", content), allowed=uploads.DOCUMENT_KINDS)
    assert error.value.code == "file_type"


@pytest.mark.parametrize(("name", "fmt"), [("photo.jpg", "PNG"), ("photo.png", "JPEG"), ("photo.html", "PNG")])
def test_the_extension_must_agree_with_the_content(name, fmt):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload(name, image_bytes(fmt)), allowed=uploads.IMAGE_KINDS)
    assert error.value.code == "file_extension"


def test_files_over_10_mb_are_refused_and_10_mb_is_allowed():
    limit = uploads.MAX_UPLOAD_BYTES
    exactly = upload("big.pdf", PDF_BYTES + b"0" * (limit - len(PDF_BYTES)))
    assert uploads.check_upload(exactly, allowed=uploads.DOCUMENT_KINDS) == "pdf"
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload("big.pdf", PDF_BYTES + b"0" * limit), allowed=uploads.DOCUMENT_KINDS)
    assert error.value.code == "file_too_large"


def test_the_check_leaves_the_file_ready_to_be_saved_from_its_start():
    file = upload("a.png", image_bytes("PNG"))
    uploads.check_upload(file, allowed=uploads.IMAGE_KINDS)
    assert file.tell() == 0 and file.read() == image_bytes("PNG")


def test_the_stored_name_is_random_with_the_lower_case_extension(world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    first = meeting_photo_add(
        actor=world.alice, meeting=meeting, image=upload("../../现场 照片.JPG", image_bytes("JPEG"))
    )
    second = meeting_photo_add(actor=world.alice, meeting=meeting, image=upload("现场 照片.JPG", image_bytes("JPEG")))
    assert first.image.name.startswith("alliances/meetingphoto/") and first.image.name.endswith(".jpg")
    assert ".." not in first.image.name and "现场" not in first.image.name
    assert first.image.name != second.image.name


def test_the_model_refuses_a_bad_photo_through_full_clean(world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    with pytest.raises(ValidationError) as error:
        meeting_photo_add(actor=world.alice, meeting=meeting, image=upload("x.png", b"not an image"))
    assert "image" in error.value.message_dict
    assert not MeetingPhoto.objects.exists()
