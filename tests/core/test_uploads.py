"""Uploaded files are recognised by their content (never their name) and capped at 10 MB.
A photo is stored only as a re-encoded copy without its GPS data, whether it comes as a
progress report's attachment or sits on its record (meeting and activity photos, minutes);
a PDF is stored as sent. Stored files get a random name with the extension of their
content. Files go through Django's storage (InMemoryStorage in the tests)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from alliances.models import ActivityPhoto, Meeting, MeetingPhoto
from alliances.services import activity_photo_add, meeting_create, meeting_photo_add
from core import uploads
from evaluations.models import AssessmentScheme, Indicator, ManualScore
from projects.models import ProgressReport, ReportAttachment
from projects.services import report_submit
from projects.weeks import current_week
from tests.alliances.factories import PDF_BYTES, ActivityFactory, MeetingFactory, png_upload, upload
from tests.alliances.factories import image_bytes as small_image
from tests.projects.factories import ProjectFactory, gps_of, image_bytes, pdf, photo

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


def refusal_code(file, allowed=uploads.DOCUMENT_KINDS):
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(file, allowed=allowed)
    return error.value.code


# What a file is


@pytest.mark.parametrize(
    ("name", "fmt", "kind"),
    [("a.jpg", "JPEG", "jpeg"), ("a.JPEG", "JPEG", "jpeg"), ("a.png", "PNG", "png"), ("a.webp", "WEBP", "webp")],
)
def test_jpeg_png_and_webp_photos_are_accepted(name, fmt, kind):
    assert uploads.check_upload(upload(name, small_image(fmt)), allowed=uploads.IMAGE_KINDS) == kind


def test_a_pdf_is_accepted_as_a_document_but_not_as_a_photo():
    assert uploads.check_upload(upload("纪要.pdf", PDF_BYTES), allowed=uploads.DOCUMENT_KINDS) == "pdf"
    assert refusal_code(upload("纪要.pdf", PDF_BYTES), allowed=uploads.IMAGE_KINDS) == "file_type"


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        small_image("GIF"),  # a real image, but not a format we accept
        small_image("PNG")[:40],  # a truncated PNG: the header is right, the data is not
        b"%PDF",  # one byte short of the signature
    ],
)
def test_other_content_is_refused_whatever_its_name(content):
    assert refusal_code(upload("photo.png", content)) == "file_type"


def test_an_empty_file_is_refused():
    assert refusal_code(upload("空.pdf", b"")) == "file_empty"


def test_a_photo_that_cannot_be_decoded_is_refused_before_it_is_stored():
    with pytest.raises(ValidationError) as error:
        uploads.clean_upload(SimpleUploadedFile("坏图.jpg", image_bytes()[:60]))
    assert "坏图.jpg" in error.value.message_dict["attachments"][0]


def test_a_photo_with_more_pixels_than_can_safely_be_decoded_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 million pixels in a few kilobytes
    assert refusal_code(upload("巨图.png", buffer.getvalue())) == "image_too_large"


def test_files_over_10_mb_are_refused_and_10_mb_is_allowed():
    limit = uploads.MAX_UPLOAD_BYTES
    exactly = upload("big.pdf", PDF_BYTES + b"0" * (limit - len(PDF_BYTES)))
    assert uploads.check_upload(exactly, allowed=uploads.DOCUMENT_KINDS) == "pdf"
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload("big.pdf", PDF_BYTES + b"0" * limit), allowed=uploads.DOCUMENT_KINDS)
    assert error.value.code == "file_too_large" and "10 MB" in error.value.messages[0]


def test_the_check_leaves_the_file_ready_to_be_saved_from_its_start():
    file = upload("a.png", small_image("PNG"))
    uploads.check_upload(file, allowed=uploads.IMAGE_KINDS)
    assert file.tell() == 0 and file.read() == small_image("PNG")


# Files kept on their record (meeting and activity photos, minutes)


@pytest.mark.parametrize(("name", "fmt"), [("photo.jpg", "PNG"), ("photo.png", "JPEG"), ("photo.html", "PNG")])
def test_a_file_kept_as_sent_must_carry_the_extension_of_its_content(name, fmt):
    assert refusal_code(upload(name, small_image(fmt)), allowed=uploads.IMAGE_KINDS) == "file_extension"


def test_a_file_kept_as_sent_is_stored_under_a_random_name_with_the_lower_case_extension(world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    first = meeting_photo_add(
        actor=world.alice, meeting=meeting, image=upload("../../现场 照片.JPG", small_image("JPEG"))
    )
    second = meeting_photo_add(actor=world.alice, meeting=meeting, image=upload("现场 照片.JPG", small_image("JPEG")))
    assert first.image.name.startswith("alliances/meetingphoto/") and first.image.name.endswith(".jpg")
    assert ".." not in first.image.name and "现场" not in first.image.name
    assert first.image.name != second.image.name


def test_the_model_refuses_a_bad_photo_through_full_clean(world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    with pytest.raises(ValidationError) as error:
        meeting_photo_add(actor=world.alice, meeting=meeting, image=upload("x.png", b"not an image"))
    assert "image" in error.value.message_dict
    assert not MeetingPhoto.objects.exists()


def stored_bytes(field_file) -> bytes:
    with default_storage.open(field_file.name, "rb") as stored:
        return stored.read()


def test_a_meeting_photo_is_stored_without_its_gps_data(world):
    original = image_bytes(gps=True)
    assert gps_of(original), "the test photo must carry GPS data to begin with"
    meeting = MeetingFactory(alliance=world.alliance_a)
    photo = meeting_photo_add(actor=world.alice, meeting=meeting, image=upload("带定位.JPEG", original))
    data = stored_bytes(photo.image)
    assert gps_of(data) == {}
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and "exif" not in image.info and image.size == (64, 48)
    assert photo.image.name.startswith("alliances/meetingphoto/") and photo.image.name.endswith(".jpg")


def test_an_activity_photo_saved_without_full_clean_is_stored_without_its_gps_data_too(world):
    activity = ActivityFactory(alliance=world.alliance_a)
    photo = ActivityPhoto(activity=activity, image=upload("a.jpg", image_bytes(gps=True)))
    photo.save()  # as a save that skips validation would
    assert gps_of(stored_bytes(photo.image)) == {}
    assert photo.image.name.startswith("alliances/activityphoto/") and photo.image.name.endswith(".jpg")


def test_a_photo_the_check_lets_through_but_that_cannot_be_decoded_is_an_error_of_its_field(world):
    truncated = image_bytes()[:-20]  # the header verifies; the pixels are cut short
    assert uploads.check_upload(upload("坏图.jpg", truncated), allowed=uploads.IMAGE_KINDS) == "jpeg"
    activity = ActivityFactory(alliance=world.alliance_a)
    with pytest.raises(ValidationError) as error:
        activity_photo_add(actor=world.alice, activity=activity, image=upload("坏图.jpg", truncated))
    assert "坏图.jpg" in error.value.message_dict["image"][0] and "PDF" not in error.value.message_dict["image"][0]
    assert not ActivityPhoto.objects.exists()


def test_a_photo_of_the_minutes_loses_its_gps_data_and_a_pdf_of_them_is_kept_as_sent(world):
    def meeting_with(minutes_file, held_on):
        return meeting_create(
            actor=world.alice,
            alliance=world.alliance_a,
            kind="monthly",
            held_on=held_on,
            topics="议题",
            minutes_file=minutes_file,
        )

    photographed = meeting_with(upload("纪要.jpg", image_bytes(gps=True)), datetime.date(2025, 3, 10))
    assert gps_of(stored_bytes(photographed.minutes_file)) == {}
    assert photographed.minutes_file.name.endswith(".jpg")
    scanned = meeting_with(upload("纪要.PDF", PDF_BYTES), datetime.date(2025, 4, 10))
    assert stored_bytes(scanned.minutes_file) == PDF_BYTES and scanned.minutes_file.name.endswith(".pdf")


# Files kept as a cleaned copy (progress report attachments, assessment evidence)


def test_a_report_with_a_refused_file_is_not_saved_and_the_error_names_the_file(world):
    fake = SimpleUploadedFile("现场.jpg", b"<!doctype html><script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        submit_with(world, fake)
    assert "现场.jpg" in error.value.message_dict["attachments"][0]
    assert not ProgressReport.objects.exists() and not ReportAttachment.objects.exists()


def test_no_more_files_than_the_limit_are_taken_at_once():
    with pytest.raises(ValidationError) as error:
        uploads.clean_uploads([photo(), photo(), photo()], limit=2)
    assert "2" in error.value.message_dict["attachments"][0]


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


def test_attachments_are_served_only_to_users_who_see_the_report(client, world):
    report = submit_with(world, photo())
    url = reverse("projects:attachment", args=[report.attachments.get().pk])
    client.force_login(world.alice)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(world.bob)
    assert client.get(url).status_code == 404


def test_a_photo_added_in_the_admin_is_stored_without_its_gps_data(client, world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:alliances_meetingphoto_add"),
        {"meeting": meeting.pk, "image": upload("后台.jpg", image_bytes(gps=True)), "caption": "后台上传"},
    )
    assert response.status_code == 302, response.content[:2000]
    photo = MeetingPhoto.objects.get(caption="后台上传")
    assert gps_of(stored_bytes(photo.image)) == {} and photo.image.name.endswith(".jpg")


def test_photos_stored_before_the_fields_re_encoded_them_are_cleaned_once_by_the_command(world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    tagged = default_storage.save("alliances/meetingphoto/2025/03/old.jpg", ContentFile(image_bytes(gps=True)))
    old_photo = MeetingPhoto.objects.create(meeting=meeting, image=tagged)  # a name: stored as it was
    assert gps_of(stored_bytes(old_photo.image)), "the photo must be stored with its GPS data to begin with"
    clean_photo = meeting_photo_add(actor=world.alice, meeting=meeting, image=upload("新.jpg", image_bytes(gps=True)))
    minutes_pdf = default_storage.save("alliances/meeting/2025/03/old.pdf", ContentFile(PDF_BYTES))
    Meeting.objects.filter(pk=meeting.pk).update(minutes_file=minutes_pdf)

    out = io.StringIO()
    call_command("strip_photo_metadata", "--dry-run", stdout=out)
    assert "alliances.MeetingPhoto.image: 1 would be re-encoded" in out.getvalue()
    assert MeetingPhoto.objects.get(pk=old_photo.pk).image.name == tagged

    call_command("strip_photo_metadata", stdout=io.StringIO())
    old_photo.refresh_from_db()
    assert old_photo.image.name != tagged and not default_storage.exists(tagged)
    assert gps_of(stored_bytes(old_photo.image)) == {} and old_photo.image.name.endswith(".jpg")
    assert MeetingPhoto.objects.get(pk=clean_photo.pk).image.name == clean_photo.image.name
    assert stored_bytes(Meeting.objects.get(pk=meeting.pk).minutes_file) == PDF_BYTES

    out = io.StringIO()
    call_command("strip_photo_metadata", stdout=out)
    assert "0 photos re-encoded in all" in out.getvalue()


def test_the_command_records_a_cleaned_minutes_photo_in_the_meetings_history(world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    tagged = default_storage.save("alliances/meeting/2025/03/old.jpg", ContentFile(image_bytes(gps=True)))
    Meeting.objects.filter(pk=meeting.pk).update(minutes_file=tagged)
    before = meeting.history.count()
    call_command("strip_photo_metadata", stdout=io.StringIO())
    meeting.refresh_from_db()
    assert gps_of(stored_bytes(meeting.minutes_file)) == {} and not default_storage.exists(tagged)
    assert meeting.history.count() == before + 1
    assert meeting.history.first().minutes_file == meeting.minutes_file.name


def test_the_command_leaves_a_missing_or_undecodable_file_as_it_is_and_goes_on(world, caplog):
    meeting = MeetingFactory(alliance=world.alliance_a)
    missing = MeetingPhoto.objects.create(meeting=meeting, image="alliances/meetingphoto/2025/03/gone.jpg")
    cut = default_storage.save("alliances/meetingphoto/2025/03/cut.jpg", ContentFile(image_bytes(gps=True)[:-20]))
    broken = MeetingPhoto.objects.create(meeting=meeting, image=cut)
    tagged = default_storage.save("alliances/meetingphoto/2025/03/old.jpg", ContentFile(image_bytes(gps=True)))
    fixable = MeetingPhoto.objects.create(meeting=meeting, image=tagged)

    out = io.StringIO()
    call_command("strip_photo_metadata", stdout=out)
    assert "alliances.MeetingPhoto.image: 1 re-encoded" in out.getvalue()
    fixable.refresh_from_db()
    assert gps_of(stored_bytes(fixable.image)) == {}
    assert MeetingPhoto.objects.get(pk=missing.pk).image.name == "alliances/meetingphoto/2025/03/gone.jpg"
    assert MeetingPhoto.objects.get(pk=broken.pk).image.name == cut and default_storage.exists(cut)
    assert "gone.jpg" in caplog.text and "cut.jpg" in caplog.text


# Who receives a stored file: nobody through a public URL; each file goes out through the
# view of its record, which finds the record with visible_to(user).


def evidence_score(world) -> ManualScore:
    scheme = AssessmentScheme.objects.create(name="宁波市考评", region=world.ningbo, year=2026, status="active")
    indicator = Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌影响", max_score=10)
    return ManualScore.objects.create(
        alliance=world.alliance_a,
        indicator=indicator,
        period_kind="year",
        period_start=datetime.date(2026, 1, 1),
        score=8,
        evidence_file=pdf("获奖证书.pdf"),
        scored_by=world.alice,
    )


def meeting_photo(world):
    photo = MeetingPhoto.objects.create(meeting=MeetingFactory(alliance=world.alliance_a), image=png_upload())
    return reverse("alliances:photo-file", args=["meeting", photo.pk])


def activity_photo(world):
    photo = ActivityPhoto.objects.create(activity=ActivityFactory(alliance=world.alliance_a), image=png_upload())
    return reverse("alliances:photo-file", args=["activity", photo.pk])


def minutes(world):
    meeting = MeetingFactory(alliance=world.alliance_a, minutes_file=pdf("纪要.pdf"))
    return reverse("alliances:meeting-minutes", args=[meeting.pk])


def report_photo(world):
    return reverse("projects:attachment", args=[submit_with(world, photo()).attachments.get().pk])


def evidence(world):
    return reverse("evaluations:evidence-file", args=[evidence_score(world).pk])


FILE_VIEWS = [
    (meeting_photo, "image/png", b"\x89PNG"),
    (activity_photo, "image/png", b"\x89PNG"),
    (minutes, "application/pdf", b"%PDF-"),
    (report_photo, "image/jpeg", b"\xff\xd8"),
    (evidence, "application/pdf", b"%PDF-"),
]


@pytest.mark.parametrize(("stored", "content_type", "start"), FILE_VIEWS, ids=[v[0].__name__ for v in FILE_VIEWS])
def test_each_stored_file_goes_only_to_users_who_see_its_record(client, world, stored, content_type, start):
    url = stored(world)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={url}"
    client.force_login(world.bob)  # county B: the record is outside his scope
    assert client.get(url).status_code == 404
    client.force_login(world.alice)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert b"".join(response.streaming_content).startswith(start)
    assert "private" in response["Cache-Control"]


def test_a_stored_file_of_no_known_kind_is_sent_as_a_download_never_shown(world):
    name = default_storage.save("evidence/2026/01/page.html", ContentFile(b"<script>alert(1)</script>"))
    score = evidence_score(world)
    ManualScore.objects.filter(pk=score.pk).update(evidence_file=name)
    score.refresh_from_db()
    response = uploads.serve_file(score.evidence_file)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_url_of_a_photo_or_minutes_file_is_its_checked_view_never_a_media_url(client, world):
    meeting = MeetingFactory(alliance=world.alliance_a, minutes_file=pdf("纪要.pdf"))
    photo = MeetingPhoto.objects.create(meeting=meeting, image=png_upload())
    assert meeting.minutes_file.url == reverse("alliances:meeting-minutes", args=[meeting.pk])
    assert photo.image.url == reverse("alliances:photo-file", args=["meeting", photo.pk])
    client.force_login(world.admin)
    page = client.get(reverse("admin:alliances_meeting_change", args=[meeting.pk])).content.decode()
    assert f'href="{meeting.minutes_file.url}"' in page and f'href="{photo.image.url}"' in page
    assert "/media/" not in page


def test_evidence_is_linked_to_its_checked_view_on_the_scoring_list_and_in_the_admin(client, world):
    score = evidence_score(world)
    link = f'href="{reverse("evaluations:evidence-file", args=[score.pk])}"'
    client.force_login(world.alice)
    assert link in client.get(reverse("evaluations:veto-list")).content.decode()
    client.force_login(world.admin)
    page = client.get(reverse("admin:evaluations_manualscore_change", args=[score.pk])).content.decode()
    assert link in page and "/media/" not in page
