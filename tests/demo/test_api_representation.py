"""Every list and detail of the API reads as JSON on the demo, for callers of every role,
each seeing their own rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from config.api import router
from core.api_base import ScopedQueryMixin
from demo.members import DEMO_ACCOUNTS

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

LISTS = [
    prefix
    for prefix, viewset, _ in router.registry
    if issubclass(viewset, ScopedQueryMixin) and hasattr(viewset, "list")
]


def read(api, username: str, url: str) -> Any:
    return json.loads(read_body(api, username, url))


def read_body(api, username: str, url: str) -> bytes:
    api.as_user(get_user_model().objects.get(username=username))
    response = api.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.content


@pytest.fixture(scope="module")
def seeded(demo_db):
    return [account.username for account in DEMO_ACCOUNTS]


def test_every_scoped_list_endpoint_is_read():
    assert {"alliances", "projects", "progress-reports", "workshops", "workshop-reports", "people"} <= set(LISTS)


@pytest.mark.parametrize("prefix", LISTS)
def test_a_list_reads_for_every_role_with_no_more_rows_than_the_superuser_sees(seeded, api, prefix):
    url = f"/api/v1/{prefix}/?page_size=100"
    # The growing tables are paged by cursor, without a count: the page's rows are compared.
    rows = {username: len(read(api, username, url)["results"]) for username in seeded}
    assert rows[seeded[0]], "the superuser sees rows of every list in the demo"
    assert max(rows.values()) == rows[seeded[0]]


@pytest.mark.parametrize("prefix", LISTS)
def test_a_detail_reads_as_the_row_of_its_list(seeded, api, prefix):
    admin = seeded[0]
    rows = read(api, admin, f"/api/v1/{prefix}/?page_size=5")["results"]
    assert rows
    for row in rows:
        assert read(api, admin, f"/api/v1/{prefix}/{row['id']}/")["id"] == row["id"]


def test_a_list_scopes_each_caller(seeded, api):
    """Two roles in a row see their own rows."""
    everyone = read(api, seeded[0], "/api/v1/alliances/?page_size=100")
    county = read(api, "daishan_county", "/api/v1/alliances/?page_size=100")
    again = read(api, seeded[0], "/api/v1/alliances/?page_size=100")
    assert 0 < county["count"] < everyone["count"] == again["count"]
    assert {row["lead_region"][:6] for row in county["results"]} == {"330921"}
