"""In a real browser on a phone, a meeting's photo form has the weekly report's photo
tools: the photo is previewed and shrunk to 1600 px before upload, the upload shows its
progress, and a form refused for another field keeps the chosen photo."""

from __future__ import annotations

import pytest
from PIL import Image

from alliances.models import MeetingPhoto
from tests.alliances.factories import MeetingFactory
from tests.browser.conftest import log_in, stay_on_server
from tests.browser.test_photo_upload import noisy_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo_form(browser, live_server, world):
    meeting = MeetingFactory(alliance=world.alliance_a, topics="三月碰头会")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True)
    outside = stay_on_server(context, live_server)
    page = context.new_page()
    log_in(page, live_server, "lily")
    page.goto(f"{live_server.url}/alliances/meetings/{meeting.pk}/photos/add/")
    page.meeting = meeting
    yield page
    context.close()
    assert outside == [], f"requests left the server: {outside}"


def choose(page, size=(4000, 3000)) -> None:
    page.set_input_files(
        "input[name=image]", files=[{"name": "碰头会.png", "mimeType": "image/png", "buffer": noisy_png(size)}]
    )
    page.locator("#upload-preview img").wait_for()


def test_a_meeting_photo_is_previewed_shrunk_and_sent_with_progress(photo_form):
    assert photo_form.locator("#photo-tools").is_visible()
    choose(photo_form)
    photo_form.evaluate(
        """() => new MutationObserver((_changes, observer) => {
            if (document.querySelector("progress.upload-progress")) {
                sessionStorage.setItem("saw-upload-progress", "1");
                observer.disconnect();
            }
        }).observe(document.body, {childList: true, subtree: true})"""
    )
    photo_form.fill("input[name=caption]", "党员代表讨论")
    with photo_form.expect_navigation(url=f"**/alliances/meetings/{photo_form.meeting.pk}/"):
        photo_form.click("button[type=submit].primary")
    assert photo_form.evaluate("sessionStorage.getItem('saw-upload-progress')") == "1"
    assert "照片已上传" in photo_form.content()
    (photo,) = MeetingPhoto.objects.filter(meeting=photo_form.meeting)
    with photo.image.open("rb") as file, Image.open(file) as stored:
        assert max(stored.size) <= 1600
    assert photo.caption == "党员代表讨论"


def test_a_meeting_photo_stays_chosen_when_the_caption_is_refused(photo_form):
    choose(photo_form, size=(400, 300))
    # The one field that can be refused besides the photo: a caption over 200 characters,
    # sent as a browser that ignores the box's maxlength would send it.
    photo_form.eval_on_selector("input[name=caption]", "input => input.removeAttribute('maxlength')")
    photo_form.fill("input[name=caption]", "长" * 201)
    photo_form.click("button[type=submit].primary")
    photo_form.locator(".field.has-error input[name=caption]").wait_for()
    assert photo_form.eval_on_selector("input[name=image]", "input => input.files.length") == 1
    assert photo_form.locator("#upload-preview img").count() == 1
    assert "重新选择文件" not in photo_form.content()
    assert not MeetingPhoto.objects.exists()

    photo_form.fill("input[name=caption]", "会场")
    with photo_form.expect_navigation(url=f"**/alliances/meetings/{photo_form.meeting.pk}/"):
        photo_form.click("button[type=submit].primary")
    (photo,) = MeetingPhoto.objects.filter(meeting=photo_form.meeting)
    assert photo.caption == "会场"
