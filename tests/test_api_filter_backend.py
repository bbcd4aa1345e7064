"""The API's filter backend skips django-filter for a request that names no filter; that is
only right because an empty filter set returns the queryset it was given, which every
filter set of the API is held to here."""

from __future__ import annotations

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api import router
from members.api_filters import FilterBackend
from tests.factories_workshops import WorkshopFactory

pytestmark = pytest.mark.django_db

FILTERED = [
    (prefix, viewset)
    for prefix, viewset, _ in router.registry
    if getattr(viewset, "filterset_class", None) or getattr(viewset, "filterset_fields", None)
]


def request_for(user, query: str = "") -> Request:
    request = Request(APIRequestFactory().get(f"/api/v1/x/{query}"))
    request.user = user
    return request


def view_for(viewset, request):
    view = viewset()
    view.request, view.action, view.format_kwarg, view.kwargs = request, "list", None, {}
    return view


def test_every_filtered_endpoint_of_the_api_is_held_to_it():
    assert {"alliances", "projects", "progress-reports", "workshops"} <= {prefix for prefix, _ in FILTERED}


@pytest.mark.parametrize(("prefix", "viewset"), FILTERED, ids=[prefix for prefix, _ in FILTERED])
def test_an_empty_filter_set_returns_the_queryset_it_was_given(world, prefix, viewset):
    request = request_for(world.alice)
    view = view_for(viewset, request)
    queryset = view.get_queryset()
    filterset_class = FilterBackend().get_filterset_class(view, queryset)
    filtered = filterset_class(data={}, queryset=queryset, request=request).qs
    assert str(filtered.query) == str(queryset.query)


def test_a_request_with_only_pagination_skips_the_filter_set(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the filter set was built")

    viewset = dict(FILTERED)["workshops"]
    request = request_for(world.alice, "?page=2&page_size=50&format=json")
    view = view_for(viewset, request)
    queryset = view.get_queryset()
    monkeypatch.setattr(FilterBackend, "get_filterset", refuse)
    assert FilterBackend().filter_queryset(request, queryset, view) is queryset


def test_a_request_with_a_filter_goes_through_the_filter_set(world):
    WorkshopFactory(name="运营工坊", region=world.village_a)
    WorkshopFactory(name="关停工坊", region=world.village_a, status="closed")
    viewset = dict(FILTERED)["workshops"]
    request = request_for(world.alice, "?status=active&page=1")
    view = view_for(viewset, request)
    queryset = view.get_queryset()
    filtered = FilterBackend().filter_queryset(request, queryset, view)
    assert set(queryset.values_list("name", flat=True)) == {"运营工坊", "关停工坊"}
    assert list(filtered.values_list("name", flat=True)) == ["运营工坊"]
