"""The access matrix: every page and API operation × every role × an object inside and
outside the role's scope. Inside works; outside is 404 with none of the object's data; a
write outside changes nothing. Routes are declared in tests/security/routes.py, and the
first two tests fail when a route exists that the registry does not cover."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from members.tokens import api_token_create, touch, user_token_create

from .matrix import (
    ANONYMOUS,
    INSIDE,
    NARROW,
    NONE,
    OUTSIDE,
    READERS,
    ROLES,
    SCREEN,
    SIBLING,
    TOKEN,
    USERS,
    cases,
    snapshot,
)
from .routes import API, PAGES

pytestmark = pytest.mark.django_db

# Named URLs the matrix leaves to other tests: the Django admin (its own permissions,
# tests/alliances/test_admin.py).
EXCLUDED_NAMESPACES = {"admin"}


def named_urls(resolver=None, namespace: str = "", prefix: str = ""):
    """(name, route) of every named URL pattern, walking includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from named_urls(entry, inner or "", prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), prefix + str(entry.pattern)


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(path, method) for path, operations in schema["paths"].items() for method in operations}


def api_url_names() -> set[str]:
    """URL names the API schema's paths resolve to (the router's list and detail routes)."""
    return {resolve(re.sub(r"\{\w+\}", "1", path)).url_name for path, _method in schema_operations()}


def test_every_named_url_is_in_the_registry():
    names = {name for name, _route in named_urls() if name.split(":")[0] not in EXCLUDED_NAMESPACES}
    via_api = api_url_names()
    missing = sorted(names - set(PAGES) - via_api)
    stale = sorted(set(PAGES) - names)
    assert missing == [], f"add these URL names to tests/security/routes.py PAGES: {missing}"
    assert stale == [], f"these PAGES entries no longer exist: {stale}"


def test_every_api_operation_is_in_the_registry():
    operations = schema_operations()
    missing = sorted(operations - set(API))
    stale = sorted(set(API) - operations)
    assert missing == [], f"add these operations to tests/security/routes.py API: {missing}"
    assert stale == [], f"these API entries no longer exist: {stale}"


def test_the_api_url_names_are_the_routers_list_and_detail_routes():
    names = {name for name, route in named_urls() if route.startswith("api/v1/")} - {"api-root"}
    assert names == api_url_names()


# --------------------------------------------------------------------------- the matrix

PAGE_CASES = cases(PAGES, page=True)
API_CASES = cases(API, page=False)


def sign_in(client, world, role: str) -> dict:
    """Log the role's user in (session) or return its token header; anonymous: nothing."""
    if role == ANONYMOUS:
        return {}
    if role == SCREEN:
        token, key = api_token_create(actor=world.alice, name="县委大厅大屏", region=world.county_a)
        touch(token)  # used a moment ago: the request itself records no use (a refused write changes nothing)
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    user = getattr(world, USERS[role])
    if role == TOKEN:
        _token, key = user_token_create(user)
        return {"HTTP_AUTHORIZATION": f"Token {key}"}
    client.force_login(user)
    return {}


def body_text(response) -> str:
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json")):
        return ""  # a download (Excel): not searched
    text = response.content.decode()
    if content_type.startswith("application/json"):
        # Compare with the characters themselves, not their \\u escapes.
        return json.dumps(json.loads(text), ensure_ascii=False) if text else ""
    return text


def check(case, response, before, after, *, page: bool, shown=None, hidden=()):
    status = response.status_code
    route = case.route
    body = body_text(response)
    wrote = before is not None and after != before
    if case.expected == "ok":
        if route.ok:
            wanted = route.ok
        elif case.action == "read":
            wanted = {200}
        else:
            wanted = {302} if page else {200, 201}
        assert status in wanted, f"{case.id}: {status} not in {wanted}\n{body[:500]}"
        if shown is not None:
            assert shown in body, f"{case.id}: {shown!r} should be shown"
        if case.action == "write" and route.kind != "fixed":
            assert wrote, f"{case.id}: a successful write changed nothing"
    elif case.expected == "login":
        if page:
            assert status == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL)), case.id
        else:
            assert status in {401, 403}, f"{case.id}: {status}"
    elif case.expected == "denied":
        # A refused post may re-show its form with the refusal; a form is never shown to
        # who may not submit it.
        wanted = {200, 403} if page and case.action == "write" else {403}
        assert status in wanted, f"{case.id}: {status}\n{body[:500]}"
    elif case.expected == "missing":
        assert status == 404, f"{case.id}: {status}\n{body[:500]}"
    elif case.expected == "blocked":
        assert status in {403, 404}, f"{case.id}: {status}\n{body[:500]}"
    elif case.expected == "refused":
        wanted = {200, 403, 404} if page else {400, 403, 404}
        assert status in wanted, f"{case.id}: {status}\n{body[:500]}"
    if case.expected != "ok":
        assert not wrote, f"{case.id}: a refused request changed the database"
    for text in hidden:
        assert text not in body, f"{case.id}: {text!r} leaked"


def run(case, world, client, *, page: bool):
    route = case.route
    resource = route.resource
    target = resource.build(case.placement, world) if case.placement != NONE else None
    # For a list, build the objects that must not appear (a sibling may not exist yet).
    hidden = []
    if route.kind == "list" and case.role in READERS:
        hidden = [resource.show(resource.build(OUTSIDE, world))] if resource.outside else []
        if case.role in NARROW and resource.sibling:
            hidden.append(resource.show(resource.build(SIBLING, world)))
        if case.role in route.invisible:
            hidden.append(resource.show(target))
    elif case.placement in (OUTSIDE, SIBLING) and route.kind not in ("create", "create_form"):
        hidden = [resource.show(target)]
    writing = case.action == "write"
    data = route.data(world, target) if writing and route.data else None

    object_route = target is not None and route.kind not in ("create", "create_form", "list")
    if page:
        url = reverse(case.key, args=route.args(target) if object_route else [])
    else:
        path, _method = case.key
        values = iter(route.args(target) if object_route else [])
        url = re.sub(r"\{\w+\}", lambda _match: str(next(values)), path)
    headers = sign_in(client, world, case.role)
    if route.prepare:
        extra = route.prepare(client, world, target) or {}
        data = {**(data or {}), **extra} if writing else data

    before = snapshot() if writing else None
    if not writing:
        response = client.get(url, route.params(world, target) if route.params else None, **headers)
    elif page:
        response = client.post(url, data, **headers)
    elif route.multipart:
        body = encode_multipart(BOUNDARY, data)
        response = client.generic(route.method.upper(), url, body, content_type=MULTIPART_CONTENT, **headers)
    else:
        response = getattr(client, route.method)(url, json.dumps(data), content_type="application/json", **headers)
    after = snapshot() if writing else None

    shown = None
    if case.expected == "ok" and case.action == "read" and target is not None and route.kind != "create_form":
        shown = None if route.binary or case.role in route.invisible else resource.show(target)
    if route.binary:
        hidden = []
    check(case, response, before, after, page=page and not route.api, shown=shown, hidden=hidden)


@pytest.mark.parametrize("case", PAGE_CASES, ids=[c.id for c in PAGE_CASES])
def test_page(case, world, client):
    run(case, world, client, page=True)


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_api(case, world, client):
    run(case, world, client, page=False)


def test_the_matrix_covers_every_role_and_both_sides_of_the_scope():
    """Guard the generator itself: each role appears, and objects outside the scope are
    tried for every object route."""
    every = PAGE_CASES + API_CASES
    assert {c.role for c in every} == set(ROLES)
    assert {c.placement for c in every} == {INSIDE, OUTSIDE, SIBLING, NONE}
    object_routes = {
        key for key, r in {**PAGES, **API}.items() if r.resource and r.resource.outside and r.kind != "list"
    }
    assert object_routes - {c.key for c in every if c.placement == OUTSIDE} == set()
    assert {"ok", "denied", "login", "missing", "blocked", "refused"} == {c.expected for c in every}
