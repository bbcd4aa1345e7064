"""Every list page of the site exports to Excel exactly the rows its filters show.

The list pages are found from the URL configuration (every view that lists objects, and
every URL named ``list`` or ``…-list``), so a new list page without an export fails here.
The rows come from the access matrix's registry (tests/security/routes.py): one object
inside county A's township 姜山镇, one in its sibling township 云龙镇 and one in county B.
A county-A officer exports the whole list and a filtered one; each file holds as many rows
as the page counts, never the county-B row.
"""

from __future__ import annotations

import io

import pytest
from django.urls import NoReverseMatch, resolve, reverse
from django.views.generic.list import MultipleObjectMixin
from openpyxl import load_workbook

from members.models import Department
from tests.security.matrix import INSIDE, OUTSIDE, SIBLING, Resource
from tests.security.routes import API_TOKEN, DEPARTMENT, PAGES
from tests.security.test_access_matrix import named_urls

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Pages named like lists that are not filtered lists of one kind of row, and why.
NOT_LISTS = {
    # Two short worklists (findings to confirm, the latest 50 scores) on one page, no filters.
    "evaluations:veto-list",
    # A person's own notices (the bell's page): an inbox, with no filters to export or print.
    "notices:list",
    # A region's one or two robot settings, whose webhooks hold their access keys: never exported.
    "notices:robot-list",
    # Login management's worklist of account names and their state: a page to act on, not a
    # table to circulate (account names stay out of spreadsheets).
    "members:login-list",
}

# Lists the access matrix declares about no object (staff-only pages): their rows.
RESOURCES = {
    "members:token-list": API_TOKEN,
    # A county's departments are one list for its townships too: the row the filter drops
    # is a township of county A (乡镇/街道), not another township's department.
    "members:department-list": Resource(
        inside=DEPARTMENT.inside,
        outside=DEPARTMENT.outside,
        sibling=lambda w: Department.objects.get_or_create(
            county=w.county_a, name="云龙镇", defaults={"kind": "township"}
        )[0],
    ),
}

# The filtered query of each list: by default the region filter on 姜山镇 (which keeps the
# inside object and drops the sibling's); a list without a region filter names its own.
FILTERS = {
    "alliances:claim-list": lambda w: {"alliance": w.alliance_a.pk},
    "members:department-list": lambda w: {"kind": "county_department"},
}


def is_list(name: str) -> bool:
    """A page (not an API endpoint) of no argument whose view lists objects or whose
    name says it is a list."""
    if name not in PAGES or PAGES[name].api:
        return False
    try:
        path = reverse(name)
    except NoReverseMatch:
        return False
    view = getattr(resolve(path).func, "view_class", None)
    return (view is not None and issubclass(view, MultipleObjectMixin)) or name.endswith("list")


LIST_PAGES = sorted(name for name, _route in named_urls() if is_list(name) and name not in NOT_LISTS)


def test_the_list_pages_are_found_from_the_url_configuration():
    assert {"alliances:list", "alliances:meeting-list", "projects:review-queue", "members:token-list"} <= set(
        LIST_PAGES
    )


def export_rows(client, url: str, params: dict) -> list[tuple]:
    response = client.get(url, {**params, "export": "xlsx"})
    assert response.status_code == 200, f"{url} has no Excel export"
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert all(isinstance(title, str) and title for title in header)
    return rows


def page_count(client, url: str, params: dict) -> int:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.context["paginator"].count


def shown_in(rows: list[tuple], text: str) -> bool:
    return any(isinstance(cell, str) and text in cell for row in rows for cell in row)


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_page_exports_the_rows_its_filters_show(name, client, world):
    resource = RESOURCES.get(name) or PAGES[name].resource
    inside, sibling, outside = (resource.build(placement, world) for placement in (INSIDE, SIBLING, OUTSIDE))
    client.force_login(world.alice)
    url = reverse(name)
    filtered = FILTERS.get(name, lambda w: {"region": w.town_a.code})(world)

    everything = export_rows(client, url, {})
    assert len(everything) == page_count(client, url, {})
    assert shown_in(everything, resource.show(inside)) and shown_in(everything, resource.show(sibling))
    assert not shown_in(everything, resource.show(outside))

    rows = export_rows(client, url, filtered)
    assert len(rows) == page_count(client, url, filtered) < len(everything)
    assert shown_in(rows, resource.show(inside)) and not shown_in(rows, resource.show(sibling))


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_page_links_to_its_export_with_its_filters(name, client, world):
    client.force_login(world.alice)
    body = client.get(reverse(name), {"q": "联盟"}).content.decode()
    assert "data-export" in body and "export=xlsx" in body and "q=%E8%81%94%E7%9B%9F" in body
