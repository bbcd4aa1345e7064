"""What the API fuzzing found, pinned down: invalid query values are 400s, errors are JSON
and documented, nullable fields are nullable in the schema."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/organizations/?star_rating=0.5", "star_rating"),
        ("/api/v1/memberships/?current=maybe", "current"),
        ("/api/v1/team-roles/?current=2", "current"),
        ("/api/v1/alliances/?is_demonstration=null", "is_demonstration"),
        ("/api/v1/alliances/?page_size=abc", "page_size"),
    ],
)
def test_a_malformed_query_value_is_a_400_naming_it(api, world, url, field):
    response = api.as_user(world.alice).get(url)
    assert response.status_code == 400
    assert field in response.json()


def test_empty_filters_mean_any(api, world):
    rows = api.as_user(world.alice).get("/api/v1/alliances/?status=&is_demonstration=&page_size=").json()
    assert rows["count"] == 2


def test_boolean_filters_still_filter(api, world):
    api.as_user(world.admin)
    assert api.get("/api/v1/memberships/?current=true").json()["count"] == 2
    assert api.get("/api/v1/memberships/?current=false").json()["count"] == 0


def test_an_api_path_no_route_matches_is_a_json_404(api, world):
    response = api.as_user(world.alice).get("/api/v1/alliances/0.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_a_page_no_route_matches_is_still_the_404_page(client, world):
    client.force_login(world.alice)
    response = client.get("/alliances/not-a-number/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_an_unhandled_api_error_is_a_json_500(api, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("alliances.api.AllianceViewSet.get_queryset", broken)
    api.raise_request_exception = False
    response = api.as_user(world.alice).get("/api/v1/alliances/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


def test_a_top_level_region_has_a_null_parent_and_the_schema_allows_it(api, world):
    body = api.as_user(world.alice).get(f"/api/v1/regions/{world.province_zj.pk}/").json()
    assert body["parent"] is None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"]["Region"]["properties"]["parent"]["nullable"] is True
    organization = schema["components"]["schemas"]["MemberOrganization"]["properties"]
    assert organization["secretary_name"]["nullable"] is True


def test_every_operation_documents_its_error_responses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"401", "403", "404"} <= set(operation["responses"]), (path, method)
            if method in {"post", "patch"}:
                assert "400" in operation["responses"], (path, method)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/rollups/?year=0", "year"),  # was a 500: year 0 has no date range
        ("/api/v1/rollups/?year=2025.5", "year"),
        ("/api/v1/workshops/?checklist_complete=-58800", "checklist_complete"),
    ],
)
def test_malformed_filters_of_later_apps_are_400s_too(api, world, url, field):
    response = api.as_user(world.alice).get(url)
    assert response.status_code == 400
    assert field in response.json()


def typed_query_parameters():
    """Every boolean and integer query parameter of every GET operation in the schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            kind = parameter.get("schema", {}).get("type")
            # An invalid page number is DRF's 404 ("no such page"), tested with pagination.
            if parameter["in"] == "query" and kind in {"boolean", "integer"} and parameter["name"] != "page":
                yield path, parameter["name"], kind


BAD_VALUE = {"boolean": "-58800", "integer": "0.5"}


def test_every_typed_query_parameter_refuses_a_value_of_the_wrong_type(api, world):
    """Each FilterSet's yes/no filters are members.filters.BooleanFilter and its numbers
    IntegerFilter: a value the schema forbids is a 400 naming the parameter, never a
    silently ignored filter (the fuzzing found `?current=-58800` and `?year=0.5` ignored)."""
    api.as_user(world.alice)
    checked = []
    for path, name, kind in typed_query_parameters():
        response = api.get(path, {name: BAD_VALUE[kind]})
        assert response.status_code == 400, (path, name, response.status_code)
        assert name in response.json(), (path, name)
        checked.append((path, name))
    assert ("/api/v1/mentorships/", "current") in checked
    assert ("/api/v1/projects/", "year") in checked
