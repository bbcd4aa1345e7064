"""The API's shortcuts give DRF's own answers, on every list and detail of the demo.

- ``FastRepresentationMixin`` reads plain attributes without DRF's per-field dispatch;
- ``FieldTemplateMixin`` builds each serializer class's fields once and copies them;
- ``ScopedQueryMixin`` builds each viewset's optimized queryset once and adds the caller's
  scope to a clone;
- ``members.renderers.JSONRenderer`` encodes the body with orjson.

Each endpoint is read twice, once as served and once with every shortcut replaced by the
code it stands for (DRF's ``Serializer.to_representation``, ``ModelSerializer.get_fields``
and ``JSONRenderer``; ``optimize`` applied to ``visible_to`` on every request), by callers
of every role, and the bodies must be equal byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework import renderers, serializers

from config.api import router
from members.api_base import FastRepresentationMixin, FieldTemplateMixin, ScopedQueryMixin
from members.demo import DEMO_ACCOUNTS
from members.renderers import JSONRenderer

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

LISTS = [
    prefix
    for prefix, viewset, _ in router.registry
    if issubclass(viewset, ScopedQueryMixin) and hasattr(viewset, "list")
]


def uncached_queryset(self):
    return self.optimize(self.model.objects.visible_to(self.request.user))


def drf_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FastRepresentationMixin, "to_representation", serializers.Serializer.to_representation)
    monkeypatch.setattr(ScopedQueryMixin, "get_queryset", uncached_queryset)
    monkeypatch.setattr(FieldTemplateMixin, "get_fields", serializers.ModelSerializer.get_fields)
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
    drf_paths(monkeypatch)
    for username in seeded:
        assert served[username] == read_body(api, username, url), username
    assert json.loads(served[seeded[0]])["results"], "the superuser sees rows of every list in the demo"


@pytest.mark.parametrize("prefix", LISTS)
def test_a_detail_reads_as_drf_would_serve_it(seeded, api, monkeypatch, prefix):
    admin = seeded[0]
    ids = [row["id"] for row in read(api, admin, f"/api/v1/{prefix}/?page_size=5")["results"]]
    served = [read_body(api, admin, f"/api/v1/{prefix}/{pk}/") for pk in ids]
    drf_paths(monkeypatch)
    assert served == [read_body(api, admin, f"/api/v1/{prefix}/{pk}/") for pk in ids]
    assert served


def test_a_list_built_once_still_scopes_each_caller(seeded, api):
    """The cached queryset carries no caller: two roles in a row see their own rows."""
    everyone = read(api, seeded[0], "/api/v1/alliances/?page_size=100")
    county = read(api, "daishan_county", "/api/v1/alliances/?page_size=100")
    again = read(api, seeded[0], "/api/v1/alliances/?page_size=100")
    assert 0 < county["count"] < everyone["count"] == again["count"]
    assert {row["lead_region"][:6] for row in county["results"]} == {"330921"}


def test_the_fast_path_leaves_missing_attributes_methods_and_none_midway_to_drf():
    class Row:
        name = "甲"
        parent = None

        def shout(self) -> str:
            return "甲!"

    class RowSerializer(FastRepresentationMixin, serializers.Serializer):
        name = serializers.CharField()
        note = serializers.CharField(required=False)
        size = serializers.IntegerField(default=3)
        loud = serializers.CharField(source="shout")
        parent_name = serializers.CharField(source="parent.name", allow_null=True)

    expected = {"name": "甲", "size": 3, "loud": "甲!", "parent_name": None}
    assert RowSerializer(Row()).data == expected
    assert serializers.Serializer.to_representation(RowSerializer(), Row()) == expected
