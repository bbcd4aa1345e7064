"""Files that no row names (left by a request that died between writing its photo and
committing its report) are removed once old, and nothing else is (core.orphans)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from alliances.models import MeetingPhoto
from core.orphans import ORPHAN_MIN_AGE, remove_orphan_files
from projects.models import ReportAttachment
from projects.services import report_submit
from projects.weeks import current_week
from tests.alliances.factories import MeetingFactory
from tests.projects.factories import ProjectFactory, image_bytes, photo

pytestmark = pytest.mark.django_db

LATER = ORPHAN_MIN_AGE + datetime.timedelta(hours=1)


class WorkerKilled(Exception):
    """Stands for the worker's death after the file was written, before the commit."""


@pytest.fixture(autouse=True)
def empty_storage(settings):
    """A fresh in-memory storage: no file left by another test."""
    settings.STORAGES = dict(settings.STORAGES)


def submit(world, project, week):
    return report_submit(
        actor=world.lily, project=project, period=week, percent_complete=40, work_done="推进", attachments=[photo()]
    )


@pytest.fixture
def orphan(world):
    """The photo file of a submission whose transaction never committed."""
    project = ProjectFactory(alliance=world.alliance_a)
    before = set(stored("progress/"))
    with pytest.raises(WorkerKilled), transaction.atomic():
        submit(world, project, current_week())
        raise WorkerKilled
    assert not ReportAttachment.objects.exists()
    (name,) = set(stored("progress/")) - before
    return name


def stored(folder: str) -> list[str]:
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}{name}" for name in files]
    for directory in directories:
        names += stored(f"{folder}{directory}/")
    return names


def test_a_photo_of_a_submission_that_never_committed_is_removed_once_old(world, orphan):
    removed = remove_orphan_files(now=timezone.now() + LATER)

    assert orphan in removed
    assert not default_storage.exists(orphan)


def test_the_photos_of_stored_reports_are_kept(world, orphan):
    report = submit(world, ProjectFactory(alliance=world.alliance_a), current_week())
    kept = report.attachments.get().file.name

    removed = remove_orphan_files(now=timezone.now() + LATER)

    assert removed == [orphan]
    assert default_storage.exists(kept)


def test_a_young_orphan_is_kept_because_its_request_may_still_be_running(world, orphan):
    assert remove_orphan_files(now=timezone.now() + ORPHAN_MIN_AGE - datetime.timedelta(minutes=5)) == []
    assert default_storage.exists(orphan)


def test_meeting_photos_are_swept_in_their_own_folder_and_named_ones_kept(world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    kept = MeetingPhoto(meeting=meeting)
    kept.image.save("现场.jpg", ContentFile(image_bytes()), save=False)
    kept.save()
    lost = default_storage.save("alliances/meetingphoto/2026/01/lost.jpg", ContentFile(image_bytes()))

    removed = remove_orphan_files(now=timezone.now() + LATER)

    assert removed == [lost]
    assert default_storage.exists(kept.image.name)


def test_files_outside_the_file_fields_folders_are_never_touched(world):
    pending = default_storage.save("imports/waiting.xlsx", ContentFile(b"PK"))
    other = default_storage.save("elsewhere/notes.txt", ContentFile(b"notes"))

    assert remove_orphan_files(now=timezone.now() + LATER) == []
    assert default_storage.exists(pending) and default_storage.exists(other)


def test_a_dry_run_lists_the_orphans_and_deletes_nothing(world, orphan):
    assert remove_orphan_files(now=timezone.now() + LATER, dry_run=True) == [orphan]
    assert default_storage.exists(orphan)


def test_the_command_refuses_an_age_under_an_hour_with_a_clear_message(world):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("remove_orphan_files", "--hours", "0.5", stdout=io.StringIO())


def test_the_command_reports_how_many_files_it_removed(world):
    out = io.StringIO()
    call_command("remove_orphan_files", "--dry-run", stdout=out)
    assert out.getvalue().strip().endswith("0 files no row names would be removed.")


def test_the_nightly_schedule_removes_orphan_files(db):
    from django_celery_beat.models import PeriodicTask

    call_command("install_schedule", stdout=io.StringIO())
    task = PeriodicTask.objects.select_related("crontab").get(name="files:orphans")
    assert task.task == "core.tasks.remove_orphan_files"
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "3", "*")
