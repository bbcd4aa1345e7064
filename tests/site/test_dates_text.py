"""Dates in a page's text read as its readers write them: 2026年12月6日 in Chinese, 6 Dec
2026 in English, times in Asia/Shanghai; inputs, Excel and the API stay ISO."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 12, 6)
# 06:05 UTC is 14:05 in Shanghai.
SUBMITTED = datetime.datetime(2026, 12, 6, 6, 5, tzinfo=datetime.UTC)
ISO_IN_TEXT = re.compile(r">[^<>]*\b\d{4}-\d{2}-\d{2}\b[^<>]*<")


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def project(world):
    project = ProjectFactory(alliance=world.alliance_a, start_on=datetime.date(2026, 3, 1), due_on=DUE)
    MilestoneFactory(project=project, title="土地平整", due_on=DUE, done_on=datetime.date(2026, 11, 30))
    ReportFactory(project=project, submitted_at=SUBMITTED, submitted_by=world.alice)
    return project


def test_the_formats_read_as_chinese_and_english():
    when = timezone.localtime(SUBMITTED)
    with translation.override("zh-hans"):
        assert date_format(DUE) == "2026年12月6日"
        assert date_format(when, "DATETIME_FORMAT") == "2026年12月6日 14:05"
        assert date_format(DUE, "YEAR_MONTH_FORMAT") == "2026年12月"
    with translation.override("en"):
        assert date_format(DUE) == "6 Dec 2026"
        assert date_format(when, "DATETIME_FORMAT") == "6 Dec 2026 14:05"
        assert date_format(DUE, "YEAR_MONTH_FORMAT") == "December 2026"


def test_a_project_page_shows_its_dates_in_chinese(world, client, project):
    client.force_login(world.alice)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "2026年12月6日" in page
    assert "2026年11月30日" in page
    assert "2026年12月6日 14:05" in page
    assert ISO_IN_TEXT.findall(page) == []


def test_a_project_page_shows_its_dates_in_english(world, client, project):
    english(client).force_login(world.alice)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "6 Dec 2026" in page
    assert "30 Nov 2026" in page
    assert "6 Dec 2026 14:05" in page
    assert "2026年" not in page
    assert ISO_IN_TEXT.findall(page) == []


def test_the_review_queue_shows_submission_times_in_shanghai(world, client, project):
    client.force_login(world.alice)
    page = client.get(reverse("projects:review-queue")).content.decode()
    assert "2026年12月6日 14:05" in page
    assert "2026-12-06" not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_edit_form_keeps_its_dates_iso_for_the_date_picker(language, world, client, project):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(world.alice)
    page = client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert 'value="2026-12-06"' in page
    assert 'value="2026-03-01"' in page


def test_no_template_writes_a_date_pattern_of_its_own():
    """Templates name a format (``|date``, ``|date:"DATETIME_FORMAT"``), so config/formats
    decides how every page's dates read."""
    templates = Path(settings.BASE_DIR) / "templates"
    patterned = re.compile(r'\|date:"(?![A-Z_]+")[^"]*[-/][^"]*"')
    found = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        for match in patterned.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_rollups_stored_dates_read_as_the_page_language_writes_them():
    from evaluations.templatetags.reports import report_value

    with translation.override("zh-hans"):
        assert report_value("2026-12-06", "date") == "2026年12月6日"
    with translation.override("en"):
        assert report_value("2026-12-06", "date") == "6 Dec 2026"
    assert report_value(None, "date") == "—"


def test_the_dispatch_names_an_overdue_milestone_with_its_date_in_the_readers_language(world):
    from evaluations.reports import overdue_milestones
    from evaluations.texts import stored_text

    project = ProjectFactory(alliance=world.alliance_a, start_on=datetime.date(2026, 3, 1), due_on=DUE)
    MilestoneFactory(project=project, title="主体完工", due_on=datetime.date(2026, 10, 20))
    lines = overdue_milestones([project.pk], datetime.date(2026, 11, 1))
    with translation.override("zh-hans"):
        assert {pk: stored_text(line) for pk, line in lines.items()} == {project.pk: "主体完工（2026年10月20日）"}
    with translation.override("en"):
        assert stored_text(lines[project.pk]) == "主体完工 (20 Oct 2026)"
