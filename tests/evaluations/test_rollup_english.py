"""A rollup is computed once, in Chinese; its page, its Excel file and the API read it in
the reader's language, the texts with a figure or a month in them too."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.periods import WEEK, YEAR, Period
from evaluations.models import Rollup, RollupStatus
from evaluations.services import rollup_produce
from evaluations.texts import list_param, phrase, stored_text
from tests.projects.factories import MilestoneFactory, ProjectFactory
from tests.workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db
WEEK_46 = Period.parse(WEEK, "2026-W46")  # 9 to 15 November 2026: the workshops' month is October


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def dispatch(world):
    """A weekly dispatch produced in Chinese: a workshop without October's figures and a
    project late by a milestone due on 10 November."""
    WorkshopFactory(name="青瓷工坊", region=world.village_a)
    project = ProjectFactory(
        alliance=world.alliance_a,
        title="直播带货",
        start_on=datetime.date(2026, 6, 1),
        due_on=datetime.date(2027, 6, 1),
    )
    MilestoneFactory(project=project, title="主体完工", due_on=datetime.date(2026, 11, 10))
    with translation.override("zh-hans"):
        rollup, _created = rollup_produce(kind="weekly_dispatch", period=WEEK_46, region=world.county_a)
    return rollup


def workbook(client, rollup):
    return load_workbook(io.BytesIO(client.get(reverse("evaluations:rollup-xlsx", args=[rollup.pk])).content))


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def table_of(report: dict, key: str) -> dict:
    return next(t for t in report["tables"] if t["key"] == key)


def test_an_english_dispatch_page_names_the_month_and_the_milestone_dates_in_english(client, world, dispatch):
    english(client).force_login(world.alice)
    page = client.get(dispatch.get_absolute_url()).content.decode()
    assert "<h2>Workshops without data for October 2026</h2>" in page
    assert ">主体完工 (10 Nov 2026)</td>" in page  # the title as entered, the date in English
    assert "数据的工坊" not in page and "2026年10月" not in page and "2026年11月10日" not in page
    assert "青瓷工坊" in page  # names stay as entered


def test_a_chinese_dispatch_page_reads_as_it_was_computed(client, world, dispatch):
    client.force_login(world.alice)
    page = client.get(dispatch.get_absolute_url()).content.decode()
    assert "<h2>未报2026年10月数据的工坊</h2>" in page
    assert ">主体完工（2026年11月10日）</td>" in page


def test_the_dispatch_stores_the_month_and_the_dates_for_the_reader_to_read(dispatch):
    title = table_of(dispatch.report, "workshops_missing")["title"]
    assert title == {"msgid": "未报%(month)s数据的工坊", "params": {"month": {"month": "2026-10"}}}


def test_an_english_dispatch_workbook_reads_in_english_with_its_figures_unchanged(client, world, dispatch):
    client.force_login(world.alice)
    chinese = workbook(client, dispatch)
    book = workbook(english(client), dispatch)
    assert book.sheetnames[0] == "Weekly dispatch"
    assert rows_of(book["Weekly dispatch"])[0] == ("Indicator", "Value")
    summary = dict(rows_of(book["Weekly dispatch"])[1:])
    assert summary["Overdue projects"] == 1 and summary["Workshops without monthly data"] == 1
    # The same figures as in Chinese, row by row.
    figures = [row[1] for row in rows_of(book["Weekly dispatch"])[1:]]
    assert figures == [row[1] for row in rows_of(chinese["周调度"])[1:]]
    late = rows_of(book["Overdue projects"])
    headers = ("Alliance code", "Alliance", "Project", "Planned completion date", "Status", "Overdue milestones")
    assert late[0] == headers
    assert late[1][2:] == ("直播带货", "2027-06-01", "In progress", "主体完工 (10 Nov 2026)")
    # An Excel sheet's name holds 31 characters: the English title is cut there.
    titles = [title for title in book.sheetnames if title.startswith("Workshops without data for Oct")]
    assert len(titles) == 1 and rows_of(book[titles[0]])[1][0] == "青瓷工坊"
    for title in book.sheetnames:
        for row in rows_of(book[title])[:1]:
            assert not any("\u4e00" <= ch <= "\u9fff" for cell in row for ch in str(cell or "")), (title, row)


def test_a_chinese_dispatch_workbook_reads_in_chinese(client, world, dispatch):
    client.force_login(world.alice)
    book = workbook(client, dispatch)
    assert "未报2026年10月数据的工坊" in book.sheetnames
    late = rows_of(book["逾期项目"])
    assert late[0][-1] == "逾期节点" and late[1][-1] == "主体完工（2026年11月10日）"


def test_the_api_returns_the_report_in_the_requests_language(api, world, dispatch):
    url = f"/api/v1/rollups/{dispatch.pk}/"
    chinese = api.as_user(world.alice).get(url).json()["report"]
    assert table_of(chinese, "workshops_missing")["title"] == "未报2026年10月数据的工坊"
    assert table_of(chinese, "late")["rows"][0][-1] == "主体完工（2026年11月10日）"
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    report = api.get(url).json()["report"]
    assert table_of(report, "workshops_missing")["title"] == "Workshops without data for October 2026"
    late = table_of(report, "late")
    assert late["columns"][-1] == {"key": "overdue", "label": "Overdue milestones", "type": "text"}
    assert late["rows"][0][2:] == ["直播带货", "2027-06-01", "In progress", "主体完工 (10 Nov 2026)"]
    summary = {item["key"]: item for item in report["summary"]}
    assert summary["late_projects"] == {"key": "late_projects", "label": "Overdue projects", "value": 1, "type": "int"}


def test_a_rollup_stored_before_phrases_still_reads(client, api, world, dispatch):
    """A report stored with its month and dates already written in (plain strings)."""
    old = dispatch.report
    table_of(old, "workshops_missing")["title"] = "未报2026年10月数据的工坊"
    table_of(old, "late")["rows"][0][-1] = "主体完工（2026年11月10日）"
    Rollup.objects.filter(pk=dispatch.pk).update(report=old, status=RollupStatus.DRAFT)
    client.force_login(world.alice)
    page = client.get(dispatch.get_absolute_url()).content.decode()
    assert "<h2>未报2026年10月数据的工坊</h2>" in page and ">主体完工（2026年11月10日）</td>" in page
    english(client)
    page = client.get(dispatch.get_absolute_url()).content.decode()
    assert "<h2>未报2026年10月数据的工坊</h2>" in page  # as stored: no catalog knows it
    assert "<h2>Overdue projects</h2>" in page
    assert "未报2026年10月数据的工坊" in workbook(client, dispatch).sheetnames
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    report = api.as_user(world.alice).get(f"/api/v1/rollups/{dispatch.pk}/").json()["report"]
    assert table_of(report, "workshops_missing")["title"] == "未报2026年10月数据的工坊"


def test_a_note_naming_the_counties_without_a_scheme_reads_in_the_readers_language(world):
    from evaluations.reports import annual_review

    with translation.override("zh-hans"):
        report = annual_review(Period.parse(YEAR, "2026"), world.county_a)
    assert report["notes"] == [
        phrase("以下区县本年度尚无启用的考评方案，未参与考评：%(counties)s", counties=list_param(["鄞州区"]))
    ]
    note = phrase("以下区县本年度尚无启用的考评方案，未参与考评：%(counties)s", counties=list_param(["甲县", "乙县"]))
    with translation.override("zh-hans"):
        assert stored_text(note) == "以下区县本年度尚无启用的考评方案，未参与考评：甲县、乙县"
    with translation.override("en"):
        assert stored_text(note) == (
            "The following counties have no active evaluation scheme this year and were not evaluated: 甲县, 乙县"
        )


def test_a_stored_phrase_whose_translation_is_broken_reads_as_its_msgid():
    broken = {"msgid": "未报%(month)s数据的工坊", "params": {}}
    with translation.override("en"):
        assert stored_text(broken) == "未报%(month)s数据的工坊"
        assert stored_text({"msgid": "未报%(month)s数据的工坊", "params": {"month": {"month": "2026-13"}}}) == (
            "Workshops without data for 2026-13"
        )


def test_a_bulletins_note_on_the_counties_without_a_scheme_is_on_its_page_in_the_readers_language(client, world):
    from core.periods import MONTH

    with translation.override("zh-hans"):
        rollup, _created = rollup_produce(
            kind="monthly_bulletin", period=Period.parse(MONTH, "2026-10"), region=world.county_a
        )
    client.force_login(world.alice)
    page = client.get(rollup.get_absolute_url()).content.decode()
    assert ">以下区县本年度尚无启用的考评方案，未参与排名：鄞州区</p>" in page
    page = english(client).get(rollup.get_absolute_url()).content.decode()
    assert ">The following counties have no active evaluation scheme this year and were not ranked: 鄞州区</p>" in page


def test_the_dashboard_reads_its_bulletins_grades_in_the_readers_language(client, api, world):
    from core.periods import MONTH
    from evaluations.rollups import column, table

    month = Period.parse(MONTH, "2026-10")
    ranking = table(
        "ranking",
        "联盟排名",
        [
            column("rank", "名次", "int"),
            column("alliance", "联盟编号"),
            column("alliance_name", "联盟"),
            column("region", "牵头区域"),
            column("base", "指标得分", "decimal"),
            column("total", "总分", "decimal"),
            column("grade", "等次"),
            column("vetoed", "触碰底线"),
        ],
        [[1, "LM-A-1", "姜山共富联盟", "姜山镇", "80.00", "80.00", "良好", ""]],
    )
    Rollup.objects.create(
        kind="monthly_bulletin",
        period_key=month.key,
        period_start=month.start,
        region=world.county_a,
        report={"summary": [], "tables": [ranking]},
    )
    client.force_login(world.alice)
    assert '<td data-label="等次">良好</td>' in client.get(reverse("evaluations:dashboard")).content.decode()
    page = english(client).get(reverse("evaluations:dashboard")).content.decode()
    assert '<td data-label="Grade">Good</td>' in page and "良好" not in page
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    top = api.as_user(world.alice).get("/api/v1/dashboard/summary/").json()["bulletin"]["top"]
    assert top == [[1, "LM-A-1", "姜山共富联盟", "姜山镇", "80.00", "80.00", "Good", ""]]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_whole_numbers_are_grouped_by_thousands_as_money_is_in_both_languages(language):
    """A summary reads 9,924 人 beside 2,563.52 万元, not 9924 (Django's Chinese formats
    leave whole numbers ungrouped)."""
    from evaluations.templatetags.reports import report_value

    with translation.override(language):
        assert report_value(9924, "int") == "9,924"
        assert report_value("2563.52", "decimal") == "2,563.52"
        assert report_value(12, "int") == "12"
