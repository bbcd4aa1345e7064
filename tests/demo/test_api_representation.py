"""The API's orjson renderer writes DRF's own bytes on every list and detail of the demo.

Each endpoint is read twice, once as served and once with DRF's ``JSONRenderer``, by
callers of every role, and the bodies must be equal byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework import renderers

from config.api import router
from core.api_base import ScopedQueryMixin
from core.renderers import JSONRenderer
from demo.members import DEMO_ACCOUNTS

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

LISTS = [
    prefix
    for prefix, viewset, _ in router.registry
    if issubclass(viewset, ScopedQueryMixin) and hasattr(viewset, "list")
]


def drf_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JSONRenderer, "render", renderers.JSONRenderer.render)


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


def test_every_scoped_list_endpoint_is_compared():
    assert {"alliances", "projects", "progress-reports", "workshops", "workshop-reports", "people"} <= set(LISTS)


@pytest.mark.parametrize("prefix", LISTS)
def test_a_list_reads_as_drf_would_serve_it_for_every_role(seeded, api, monkeypatch, prefix):
    url = f"/api/v1/{prefix}/?page_size=100"
    served = {username: read_body(api, username, url) for username in seeded}
    drf_renderer(monkeypatch)
    for username in seeded:
        assert served[username] == read_body(api, username, url), username
    assert json.loads(served[seeded[0]])["results"], "the superuser sees rows of every list in the demo"


@pytest.mark.parametrize("prefix", LISTS)
def test_a_detail_reads_as_drf_would_serve_it(seeded, api, monkeypatch, prefix):
    admin = seeded[0]
    ids = [row["id"] for row in read(api, admin, f"/api/v1/{prefix}/?page_size=5")["results"]]
    served = [read_body(api, admin, f"/api/v1/{prefix}/{pk}/") for pk in ids]
    drf_renderer(monkeypatch)
    assert served == [read_body(api, admin, f"/api/v1/{prefix}/{pk}/") for pk in ids]
    assert served


def test_a_list_scopes_each_caller(seeded, api):
    """Two roles in a row see their own rows."""
    everyone = read(api, seeded[0], "/api/v1/alliances/?page_size=100")
    county = read(api, "daishan_county", "/api/v1/alliances/?page_size=100")
    again = read(api, seeded[0], "/api/v1/alliances/?page_size=100")
    assert 0 < county["count"] < everyone["count"] == again["count"]
    assert {row["lead_region"][:6] for row in county["results"]} == {"330921"}
