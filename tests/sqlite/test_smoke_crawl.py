"""The crawl of scripts/sqlite-smoke.sh (run by CI on SQLite) reports every 5xx it meets,
follows one link of each kind, and leaves signing out and exports alone."""

from __future__ import annotations

import importlib.util

import pytest
from django.http import HttpResponse, JsonResponse
from django.test import Client
from django.urls import path

from config.settings.base import BASE_DIR

spec = importlib.util.spec_from_file_location("sqlite_smoke", BASE_DIR / "scripts" / "sqlite_smoke.py")
smoke = importlib.util.module_from_spec(spec)
spec.loader.exec_module(smoke)

visited: list[str] = []


def page(html: str):
    def view(request, **kwargs):
        visited.append(request.get_full_path())
        return HttpResponse(html)

    return view


def broken(request):
    visited.append(request.path)
    raise RuntimeError("a bug on a page")


def api_root(request):
    visited.append(request.path)
    return JsonResponse({"things": "http://127.0.0.1/api/v1/things/", "elsewhere": "https://example.com/x/"})


HOME = """<a href="/rows/1/">1</a> <a href="/rows/2/">2</a> <a href="/broken/">b</a>
<a href="/rows/?page=2">next</a> <a href="/rows/?page=3">last</a> <a href="/rows/?export=xlsx">xlsx</a>
<a href="/accounts/logout/">out</a> <a href="https://example.com/">away</a> <a href="#top">top</a>"""

urlpatterns = [
    path("", page(HOME), name="home"),  # the error page links home
    path("rows/", page("rows")),
    path("rows/<int:pk>/", page("a row")),
    path("broken/", broken),
    path("accounts/logout/", page("signed out")),
    path("api/v1/", api_root),
    path("api/v1/things/", broken),
]


@pytest.fixture
def crawled(settings):
    settings.ROOT_URLCONF = __name__
    visited.clear()
    return smoke.crawl(Client(raise_request_exception=False))


@pytest.mark.django_db
def test_it_reports_each_5xx_with_the_page_that_linked_it(crawled):
    statuses, failures = crawled
    assert sorted(failures) == [("/api/v1/things/", 500, "/api/v1/"), ("/broken/", 500, "/")]
    assert statuses == {200: 4, 500: 2}


@pytest.mark.django_db
def test_it_follows_one_link_of_each_kind_and_leaves_signing_out_and_exports_alone(crawled):
    assert sorted(visited) == ["/", "/api/v1/", "/api/v1/things/", "/broken/", "/rows/1/", "/rows/?page=2"]


@pytest.mark.django_db
def test_it_stops_at_its_limit(settings):
    settings.ROOT_URLCONF = __name__
    statuses, _failures = smoke.crawl(Client(raise_request_exception=False), limit=3)
    assert sum(statuses.values()) == 3
