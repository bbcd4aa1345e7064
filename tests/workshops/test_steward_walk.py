"""What a steward meets walking the site: the workshop's change log names who filed a month
by their name, never by their login (a steward's login is their mobile number), and a
second report for a filed month is told what is true for that month: correct the filed
one, or, once its bulletin is published, that the county corrects it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import HistorySource, change_log
from tests.members.factories import PersonFactory, UserFactory
from tests.workshops.factories import ReportFactory, Shops, steward_of
from tests.workshops.factories import report_figures as figures
from tests.workshops.test_reports import form_data
from workshops.models import WorkshopReport
from workshops.services import close_month, workshop_report_create, workshop_report_update

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 1)
MOBILE = "13805740123"


@pytest.fixture
def shops(world):
    return Shops(world)


@pytest.fixture
def steward(shops):
    """The workshop's steward, signed in with their mobile number, as a real one is."""
    user = steward_of(shops.a, username=MOBILE)
    user.person.name = "陈晓燕"
    user.person.save()
    return user


def history_section(page: str) -> str:
    return re.search(r'<section class="card" id="history">(.*?)</section>', page, re.S).group(1)


def month_errors(response) -> list[str]:
    return response.context["form"].errors["month"]


# --------------------------------------------------------------------------- the change log


def test_the_change_log_names_who_filed_a_month_by_their_person_never_their_login(client, world, shops, steward):
    report = ReportFactory(workshop=shops.a, month=MAY, employed=20, low_income_employed=6)
    client.force_login(steward)
    edit = reverse("workshops:report-edit", args=[report.pk])
    assert client.post(edit, form_data(employed="25", low_income_employed="6")).status_code == 302
    world.alice.first_name = "周宁"
    world.alice.save()
    workshop_report_update(actor=world.alice, report=WorkshopReport.objects.get(pk=report.pk), employed=26)
    for reader in (world.alice, steward):
        client.force_login(reader)
        section = history_section(client.get(reverse("workshops:detail", args=[shops.a.pk])).content.decode())
        assert "填报人</span>：<del>—</del> → <ins>陈晓燕</ins>" in section
        assert "填报人</span>：<del>陈晓燕</del> → <ins>周宁</ins>" in section
        assert MOBILE not in section and "alice" not in section


def test_a_filer_without_a_person_is_named_by_their_accounts_name_then_their_login(world, shops):
    named = UserFactory(username="ops01", first_name="王芳")
    bare = UserFactory(username="ops02")
    report = ReportFactory(workshop=shops.a, month=MAY, submitted_by=named)
    report.submitted_by = bare
    report.save()
    log = change_log([HistorySource(WorkshopReport.history.filter(id=report.pk), title="month")], user=world.alice)
    assert [(c.before, c.after) for c in log[0].changes if c.field == "submitted_by"] == [("王芳", "ops02")]


def test_naming_the_filers_costs_no_query_per_filer(world, shops):
    """A guard for the fix: the filers' people are read in the one query of the users."""
    report = ReportFactory(workshop=shops.a, month=MAY)

    def queries_for_log_of(filers: int) -> int:
        for n in range(filers):
            report.submitted_by = PersonFactory(user=UserFactory(username=f"1380000{filers}{n:03d}")).user
            report.save()
        history = WorkshopReport.history.filter(id=report.pk)
        change_log([HistorySource(history, title="month")], user=world.alice)  # the reader's scope, once
        with CaptureQueriesContext(connection) as queries:
            log = change_log([HistorySource(history, title="month")], user=world.alice)
        names = {c.after for entry in log for c in entry.changes if c.field == "submitted_by"}
        assert names and not any(name.startswith("1380000") for name in names)
        return len(queries.captured_queries)

    assert queries_for_log_of(2) == queries_for_log_of(4)


# --------------------------------------------------------------------------- a filed month chosen again


def test_a_filed_month_still_open_is_named_and_linked_to_correct_it(client, world, shops, steward):
    report = ReportFactory(workshop=shops.a, month=MAY)
    client.force_login(steward)
    response = client.post(reverse("workshops:report-create", args=[shops.a.pk]), form_data())
    assert response.status_code == 200
    assert month_errors(response) == ["该工坊2025年5月的报表已填报，请修改已有报表。"]
    page = response.content.decode()
    assert reverse("workshops:report-edit", args=[report.pk]) in page and "本月" not in page
    assert WorkshopReport.objects.filter(workshop=shops.a).count() == 1


def test_a_filed_month_closed_by_its_bulletin_says_it_is_locked_and_who_corrects_it(client, world, shops, steward):
    report = ReportFactory(workshop=shops.a, month=MAY)
    close_month(actor=world.alice, region=world.county_a, month=MAY)  # what publishing May's bulletin does
    client.force_login(steward)
    response = client.post(reverse("workshops:report-create", args=[shops.a.pk]), form_data())
    assert response.status_code == 200
    assert month_errors(response) == [
        "该工坊2025年5月的报表已填报，并已随月通报发布，不能再修改；如需更正，请联系县（市、区）委组织部。"
    ]
    page = response.content.decode()
    assert "请修改已有报表" not in page and "本月" not in page
    assert reverse("workshops:report-edit", args=[report.pk]) not in page and "修改该月数据" not in page
    assert page.count("如需更正，请联系县（市、区）委组织部") == 1  # said once, on the month
    # County staff still correct a closed month (to re-issue the bulletin): they are sent to it.
    client.force_login(world.alice)
    response = client.post(reverse("workshops:report-create", args=[shops.a.pk]), form_data())
    assert month_errors(response) == ["该工坊2025年5月的报表已填报，请修改已有报表。"]
    assert reverse("workshops:report-edit", args=[report.pk]) in response.content.decode()


def test_the_api_tells_a_steward_a_filed_closed_month_is_locked_not_to_edit_it(api, world, shops, steward):
    ReportFactory(workshop=shops.a, month=MAY)
    close_month(actor=world.alice, region=world.county_a, month=MAY)
    response = api.as_user(steward).post("/api/v1/workshop-reports/", form_data(workshop=shops.a.pk), format="json")
    assert response.status_code == 400
    assert response.json()["month"] == [
        "该工坊2025年5月的报表已填报，并已随月通报发布，不能再修改；如需更正，请联系县（市、区）委组织部。"
    ]
    response = api.as_user(world.alice).post("/api/v1/workshop-reports/", form_data(workshop=shops.a.pk), format="json")
    assert response.json()["month"] == ["该工坊2025年5月的报表已填报，请修改已有报表。"]
    assert WorkshopReport.objects.filter(workshop=shops.a).count() == 1


def test_a_report_racing_another_for_the_same_month_is_told_that_month(world, shops, steward, monkeypatch):
    """The database refuses the second row (the checks before it switched off, as when two
    requests race): the steward is told the month, not the constraint's general 本月."""
    ReportFactory(workshop=shops.a, month=MAY)
    monkeypatch.setattr(WorkshopReport, "full_clean", lambda self, *args, **kwargs: None)
    with pytest.raises(ValidationError) as caught:
        workshop_report_create(actor=steward, workshop=shops.a, **figures(month=MAY))
    assert caught.value.message_dict == {"month": ["该工坊2025年5月的报表已填报，请修改已有报表。"]}
    assert WorkshopReport.objects.filter(workshop=shops.a).count() == 1
