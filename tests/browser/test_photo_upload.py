"""In a real browser, the weekly report form's photos: previewed under the CSP, shrunk on
the phone before upload, refused over the limit before upload, and kept on an error."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image
from playwright.sync_api import expect

from projects.models import ProgressReport
from tests.browser.conftest import log_in
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def noisy_png(size: tuple[int, int]) -> bytes:
    """A PNG that does not compress to nothing: a photo-sized picture of coloured blocks."""
    rng = random.Random(7)
    small = Image.new("RGB", (size[0] // 20, size[1] // 20))
    small.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(small.width * small.height)]
    )
    buffer = io.BytesIO()
    small.resize(size, Image.Resampling.BILINEAR).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def report_form(page, live_server, world):
    project = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    log_in(page, live_server, "lily")
    page.goto(f"{live_server.url}/projects/{project.pk}/report/")
    return page


def fill(page, percent: str = "35") -> None:
    page.fill("input[name=percent_complete]", percent)
    page.fill("textarea[name=work_done]", "完成大棚钢架搭建 12 座")


def test_it_previews_a_chosen_png(report_form):
    report_form.set_input_files(
        "input[name=attachments]",
        files=[{"name": "大棚.png", "mimeType": "image/png", "buffer": noisy_png((400, 300))}],
    )
    preview = report_form.locator("#upload-preview img")
    preview.wait_for()
    report_form.wait_for_function("document.querySelector('#upload-preview img').complete")
    assert preview.evaluate("img => img.naturalWidth") > 0


def test_it_shrinks_a_4000_by_3000_photo_before_upload_and_shows_progress(report_form):
    fill(report_form)
    report_form.set_input_files(
        "input[name=attachments]",
        files=[{"name": "大棚.png", "mimeType": "image/png", "buffer": noisy_png((4000, 3000))}],
    )
    # The bar may come and go faster than a poll on loopback: note its arrival in the tab's
    # sessionStorage, which outlives the navigation that follows the upload.
    report_form.evaluate(
        """() => new MutationObserver((_changes, observer) => {
            if (document.querySelector("progress.upload-progress")) {
                sessionStorage.setItem("saw-upload-progress", "1");
                observer.disconnect();
            }
        }).observe(document.body, {childList: true, subtree: true})"""
    )
    with report_form.expect_navigation(url="**/my-work/**"):
        report_form.click("button[type=submit].primary")
    assert report_form.evaluate("sessionStorage.getItem('saw-upload-progress')") == "1"
    (attachment,) = ProgressReport.objects.get().attachments.all()
    with attachment.file.open("rb") as file, Image.open(file) as stored:
        assert stored.width <= 1600 and stored.height <= 1200
    assert attachment.size <= 400 * 1024


def test_it_keeps_the_chosen_photo_when_the_form_comes_back_with_an_error(report_form):
    fill(report_form, percent="150")
    report_form.set_input_files(
        "input[name=attachments]",
        files=[{"name": "大棚.png", "mimeType": "image/png", "buffer": noisy_png((400, 300))}],
    )
    report_form.click("button[type=submit].primary")
    report_form.locator(".field.has-error input[name=percent_complete]").wait_for()
    thumbnail = report_form.locator("#upload-preview img")
    assert thumbnail.count() == 1 and thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0
    assert report_form.eval_on_selector("input[name=attachments]", "input => input.files.length") == 1
    assert "重新选择文件" not in report_form.content()
    assert report_form.input_value("textarea[name=work_done]") == "完成大棚钢架搭建 12 座"

    report_form.fill("input[name=percent_complete]", "40")
    report_form.click("button[type=submit].primary")
    report_form.wait_for_url("**/my-work/**")
    report = ProgressReport.objects.get()
    assert (report.percent_complete, report.attachments.count()) == (40, 1)


def test_it_refuses_a_photo_over_10_mb_kept_as_original_before_upload(report_form):
    fill(report_form)
    report_form.check("#keep-original")
    big = b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024)
    report_form.set_input_files(
        "input[name=attachments]", files=[{"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": big}]
    )
    status = report_form.locator("#photo-status")
    status.wait_for()
    assert "huge.jpg" in status.inner_text() and "10 MB" in status.inner_text()
    assert report_form.eval_on_selector("input[name=attachments]", "input => input.files.length") == 0
    assert report_form.locator("#upload-preview li").count() == 0


def test_it_takes_a_photo_out_with_its_remove_button(report_form):
    report_form.set_input_files(
        "input[name=attachments]",
        files=[
            {"name": "一.png", "mimeType": "image/png", "buffer": noisy_png((400, 300))},
            {"name": "二.png", "mimeType": "image/png", "buffer": noisy_png((300, 200))},
        ],
    )
    report_form.click("#upload-preview li:first-child button.remove-photo")
    report_form.wait_for_function("document.querySelector('input[name=attachments]').files.length === 1")
    assert report_form.locator("#upload-preview img").get_attribute("alt") == "二.png"


def test_a_photo_chosen_before_the_script_arrives_is_still_previewed_and_shrunk(page, live_server, world):
    """On a slow network the form shows before its deferred script runs; a photo chosen in
    that moment is taken up when the script arrives."""
    project = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    log_in(page, live_server, "lily")
    held = []
    page.route("**/photo-upload*.js", lambda route: held.append(route))  # noqa: PLW0108 (a bound builtin is refused)
    page.goto(f"{live_server.url}/projects/{project.pk}/report/", wait_until="commit")
    page.locator("input[name=attachments]").wait_for(state="attached")
    page.set_input_files(
        "input[name=attachments]",
        files=[{"name": "大棚.png", "mimeType": "image/png", "buffer": noisy_png((4000, 3000))}],
    )
    assert page.locator("#upload-preview img").count() == 0  # no script yet
    for route in held:
        route.continue_()
    expect(page.locator("#upload-preview img")).to_have_count(1)
    page.wait_for_function("() => document.querySelector('input[name=attachments]').files[0].type === 'image/jpeg'")
    assert page.eval_on_selector("input[name=attachments]", "input => input.files[0].size") <= 400 * 1024
