"""A paginated list gives the rows and the count Django gives: a page built from its ids
(the deferred join), and time-dependent columns computed for the day of the request."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.pagination import DeferredJoinPaginator
from tests.projects.factories import ProjectFactory
from tests.workshops.factories import ReportFactory, WorkshopFactory
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)


@pytest.fixture
def shops(world):
    """Three workshops in county A: two with reports (one of them two months), one without."""
    first = WorkshopFactory(name="甲工坊", region=world.village_a, host=world.org_a, alliance=world.alliance_a)
    second = WorkshopFactory(name="乙工坊", region=world.village_a, host=world.org_a, has_team=True)
    WorkshopFactory(name="丙工坊", region=world.village_a, host=world.org_a, has_team=True, has_base=True)
    ReportFactory(workshop=first, month=JAN, employed=10)
    ReportFactory(workshop=first, month=FEB, employed=12)
    ReportFactory(workshop=second, month=JAN, employed=7)
    return first, second


def listed():
    return Workshop.objects.with_names().with_checklist().with_latest_report()


def test_pages_of_a_deferred_join_hold_the_same_count(shops):
    paginator = DeferredJoinPaginator(listed().order_by("name"), 2)
    assert paginator.count == 3
    assert [row.name for row in paginator.page(2)] == ["甲工坊"]


def test_every_page_of_a_deferred_join_holds_each_row_once_with_its_figures(shops):
    paginator = DeferredJoinPaginator(listed().order_by("-checklist_score"), 1)
    rows = [row for number in paginator.page_range for row in paginator.page(number)]
    assert sorted(row.name for row in rows) == ["丙工坊", "乙工坊", "甲工坊"]
    assert {row.name: (row.latest_month, row.latest_employed) for row in rows} == {
        "甲工坊": (FEB, 12),
        "乙工坊": (JAN, 7),
        "丙工坊": (None, None),
    }


def test_a_list_computes_its_flags_for_the_day_of_each_request(api, world, monkeypatch):
    """Nothing of a list is kept between requests: a project due tomorrow is late the day after."""
    due = datetime.date(2026, 6, 10)
    ProjectFactory(alliance=world.alliance_a, title="按期项目", start_on=datetime.date(2026, 1, 5), due_on=due)
    api.as_user(world.alice)

    def is_late_on(day: datetime.date) -> bool:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        (row,) = api.get("/api/v1/projects/?q=按期项目").json()["results"]
        return row["is_late"]

    assert is_late_on(due - datetime.timedelta(days=1)) is False
    assert is_late_on(due + datetime.timedelta(days=1)) is True
