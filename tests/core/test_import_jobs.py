"""Excel import as a background job: its states, who may see and confirm it, the progress
status, the paged rows, a confirm that imports once, and files refused as a whole."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import resolve, reverse

from core import imports
from members import services
from members.layouts import ORGANIZATION_COLUMNS
from members.models import ImportJob, ImportJobRow, ImportState, MemberOrganization
from tests.core.factories import snapshot, xlsx

pytestmark = pytest.mark.django_db

HEADERS = [str(column.header) for column in ORGANIZATION_COLUMNS]


def organizations(world, count: int, *, region: str | None = None) -> bytes:
    """A file of ``count`` new organizations in the importer's village (or ``region``)."""
    code = region or world.village_a.code
    rows = [[code, "", f"新合作社{n:04d}", "合作社", None, None, None, None] for n in range(count)]
    return xlsx({"成员单位": [HEADERS, *rows]})


def upload(client, data: bytes, name: str = "成员单位.xlsx"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data)})


def upload_job(client, data: bytes) -> ImportJob:
    response = upload(client, data)
    assert response.status_code == 302
    return ImportJob.objects.get(pk=resolve(response["Location"]).kwargs["pk"])


def confirm(client, job: ImportJob):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("members:import-confirm", args=[job.pk]))


def status(client, job: ImportJob) -> dict:
    response = client.get(reverse("members:import-job-status", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_an_upload_is_queued_then_previewed_then_imported_once_confirmed(client, world):
    client.force_login(world.alice)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = client.post(
            reverse("members:import"), {"file": SimpleUploadedFile("a.xlsx", organizations(world, 3))}
        )
    job = ImportJob.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert job.state == ImportState.QUEUED and job.owner == world.alice and job.region == world.county_a
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-bar"' in page and "js/import-progress.js" in page
    assert status(client, job)["running"] is True

    for callback in callbacks:  # the worker picks the preview up
        callback()
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED and job.summary["counts"]["create"] == 3
    assert not MemberOrganization.objects.filter(name__startswith="新合作社").exists()

    confirm(client, job)
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.confirmed_at and job.finished_at
    assert MemberOrganization.objects.filter(name__startswith="新合作社").count() == 3


def test_the_status_endpoint_reports_progress_as_small_json(client, world):
    client.force_login(world.alice)
    job = upload_job(client, organizations(world, 4))
    assert status(client, job) == {
        "state": "previewed",
        "state_label": "待确认",
        "running": False,
        "done": 4,
        "total": 4,
        "percent": 100,
    }
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.PREVIEWING)
    services._progress_reporter(job)(1, 4)  # what the task reports while it reads the rows
    assert status(client, job) | {"state_label": ""} == {
        "state": "previewing",
        "state_label": "",
        "running": True,
        "done": 1,
        "total": 4,
        "percent": 25,
    }


def test_confirming_twice_imports_once(client, world):
    client.force_login(world.alice)
    job = upload_job(client, organizations(world, 2))
    confirm(client, job)
    before = snapshot()
    response = confirm(client, job)
    assert response.status_code == 302
    assert snapshot() == before
    assert MemberOrganization.objects.filter(name__startswith="新合作社").count() == 2


def test_a_confirm_task_delivered_twice_imports_once(client, world):
    client.force_login(world.alice)
    job = upload_job(client, organizations(world, 2))
    confirm(client, job)
    services.import_job_confirm(job.pk)  # a redelivered task finds the job done
    assert MemberOrganization.objects.filter(name__startswith="新合作社").count() == 2
    assert not services.import_job_request_confirm(actor=world.alice, job=job)


def test_another_users_job_is_not_found(client, world):
    client.force_login(world.alice)
    job = upload_job(client, organizations(world, 1))
    client.force_login(world.bob)  # staff of another county
    for name in ("members:import-job", "members:import-job-status"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    for name in ("members:import-confirm", "members:import-cancel"):
        assert client.post(reverse(name, args=[job.pk])).status_code == 404
    client.force_login(world.tina)  # township staff below the uploader's county
    assert client.get(job.get_absolute_url()).status_code == 404
    assert not MemberOrganization.objects.filter(name__startswith="新合作社").exists()


def test_staff_above_the_uploader_see_the_job_for_audit_but_cannot_confirm_it(client, world):
    client.force_login(world.tina)
    job = upload_job(client, organizations(world, 1))
    client.force_login(world.alice)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "确认后将新增 1 行" in page and 'id="confirm-import"' not in page
    assert client.post(reverse("members:import-confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED


def test_the_errors_are_shown_one_hundred_a_page(client, world):
    client.force_login(world.alice)
    job = upload_job(client, organizations(world, 230, region="330212999999"))
    assert job.summary["counts"]["error"] == 230 and ImportJobRow.objects.filter(job=job).count() == 230
    first = client.get(job.get_absolute_url()).content.decode()
    assert first.count('<tr class="row-error">') == 100 and "第 1 / 3 页" in first
    assert "没有代码为 330212999999 的行政区划" in first and 'id="confirm-import"' not in first
    last = client.get(job.get_absolute_url(), {"show": "errors", "page": 3}).content.decode()
    assert last.count('<tr class="row-error">') == 30


def test_the_inline_path_previews_during_the_upload_request(client, world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # make run without a broker
    client.force_login(world.alice)
    job = upload_job(client, organizations(world, 2))
    assert job.state == ImportState.PREVIEWED
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-bar"' not in page and 'id="confirm-import"' in page


def test_a_file_that_is_not_xlsx_is_refused_with_a_clear_message_and_no_job(client, world):
    client.force_login(world.alice)
    response = upload(client, "单位,区划\n".encode(), name="成员单位.xlsx")
    assert response.status_code == 200
    assert "该文件不是 Excel（.xlsx）文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused_with_a_clear_message_and_no_job(client, world):
    client.force_login(world.alice)
    response = upload(client, b"PK\x03\x04" + b"0" * imports.MAX_UPLOAD_BYTES)
    assert response.status_code == 200
    assert "超过上限 5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_empty_sheet_is_refused_with_a_clear_message_and_nothing_saved(client, world):
    client.force_login(world.alice)
    before = snapshot()
    job = upload_job(client, xlsx({"成员单位": []}))
    assert job.state == ImportState.PREVIEWED and not job.may_confirm
    page = client.get(job.get_absolute_url()).content.decode()
    assert "缺少列：区划代码" in page and 'id="confirm-import"' not in page
    assert client.post(reverse("members:import-confirm", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED and snapshot() == before


def test_a_workbook_without_known_sheets_says_which_sheets_it_reads(client, world):
    client.force_login(world.alice)
    job = upload_job(client, xlsx({"Sheet1": [["a"], [1]]}))
    page = client.get(job.get_absolute_url()).content.decode()
    assert "文件中没有可导入的工作表" in page and not job.may_confirm


def test_a_file_refused_while_it_is_read_fails_the_job_with_its_message(client, world, monkeypatch):
    client.force_login(world.alice)

    def refuse(*args, **kwargs):
        raise imports.FileRefused("文件超过 20,000 行数据，请拆分后分批导入。")

    monkeypatch.setattr(imports, "read_tables", refuse)
    job = upload_job(client, organizations(world, 1))
    assert job.state == ImportState.FAILED
    assert "文件超过 20,000 行数据" in client.get(job.get_absolute_url()).content.decode()


def test_one_bad_row_of_many_imports_nothing(client, world):
    client.force_login(world.alice)
    data = xlsx(
        {
            "成员单位": [
                HEADERS,
                [world.village_a.code, "", "好合作社", "合作社", None, None, None, None],
                [world.village_a.code, "", "坏合作社", "合作社", 9, None, None, None],
            ]
        }
    )
    before = snapshot()
    job = upload_job(client, data)
    assert job.summary["counts"]["error"] == 1 and not job.may_confirm
    assert snapshot() == before
