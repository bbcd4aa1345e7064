"""The machinery of the access matrix: roles, where an object lies, what each role may do.

tests/security/routes.py declares every page and API operation with these classes;
tests/security/test_access_matrix.py turns the declarations into one test per route ×
role × object placement. A route says which kind of object it is about (a
:class:`Resource`: how to find one in the ``world`` fixture inside every role's scope,
one in another county, one in a sibling township/alliance) and which roles may read and
write it; the expected outcome of every case follows from that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models

# Roles of the matrix: the user of the `world` fixture who plays each. The viewer token is
# vera's own API token (``Authorization: Token``); the screen token is a big-screen key of
# county A (members.tokens, ``Authorization: Bearer``), which reads as a viewer of county A
# with no user account behind it. Pages ignore both headers: there they are anonymous.
CITY, COUNTY, TOWNSHIP, LEADER, VIEWER, TOKEN, SCREEN, ANONYMOUS = (
    "city_staff",
    "county_staff",
    "township_staff",
    "alliance_leader",
    "viewer",
    "viewer_token",
    "screen_token",
    "anonymous",
)
ROLES = [CITY, COUNTY, TOWNSHIP, LEADER, VIEWER, TOKEN, SCREEN, ANONYMOUS]
USERS = {CITY: "carol", COUNTY: "alice", TOWNSHIP: "tina", LEADER: "lily", VIEWER: "vera", TOKEN: "vera"}
STAFF = frozenset({CITY, COUNTY, TOWNSHIP})
READERS = frozenset({CITY, COUNTY, TOWNSHIP, LEADER, VIEWER, TOKEN, SCREEN})
HEADER_ROLES = frozenset({TOKEN, SCREEN})  # signed in by a request header: API only
EVERYONE = frozenset(ROLES)
# Roles whose scope is narrower than county A: a sibling township's or alliance's objects
# are outside it (for city and county staff and the viewer they are inside).
NARROW = frozenset({TOWNSHIP, LEADER})

INSIDE, OUTSIDE, SIBLING, NONE = "inside", "outside", "sibling", "none"

# The project's own apps: every row of their models is compared before and after a
# refused write (history tables included: a refused write leaves no history either).
PROJECT_APPS = {"members", "notices", "alliances", "projects", "workshops", "tracking", "evaluations"}

Builder = Callable[[Any], models.Model]


@dataclass(frozen=True)
class Resource:
    """Where to find an object of one kind in ``world``.

    ``inside``: in the scope of every signed-in role (county A, township A, alliance A1).
    ``outside``: in county B, another city: outside every role's scope (``None`` for
    public reference data such as regions). ``sibling``: in county A but another township
    and another alliance, outside the township staff's and the leader's scope.
    ``show``: text that identifies the object on a page or in JSON, which must never
    appear in a response to a role outside its scope.
    """

    inside: Builder
    outside: Builder | None = None
    sibling: Builder | None = None
    show: Callable[[Any], str] = lambda obj: obj.name

    def placements(self, role: str) -> list[str]:
        found = [INSIDE]
        if role in READERS and self.outside is not None:
            found.append(OUTSIDE)
        if role in NARROW and self.sibling is not None:
            found.append(SIBLING)
        return found

    def build(self, placement: str, world: Any) -> models.Model:
        return {INSIDE: self.inside, OUTSIDE: self.outside, SIBLING: self.sibling}[placement](world)


def pk_args(obj: models.Model) -> list:
    return [obj.pk]


@dataclass(frozen=True)
class Route:
    """One page (by URL name) or API operation (by path and method).

    ``kind``: ``list`` (shows many objects: inside shown, outside and sibling absent),
    ``detail`` (one object by id), ``update`` (change one object by id), ``create``
    (``resource`` describes the parent the new row is attached to: a region, an alliance,
    an organization), ``form`` (a page showing a form about one object, and posting it),
    ``fixed`` (no object).
    ``readers`` / ``writers``: roles whose request in scope succeeds. ``data(world, obj)``
    builds the body of a write. ``ok``: the success statuses when not the usual ones.
    ``args(obj)``: the URL's arguments for the object: ``reverse()``'s args for a page, the
    ``{placeholders}`` of an API path in order (``/platforms/{id}/shareholdings/{holding_pk}/``
    takes the platform's id, then the shareholding's). ``method``: ``delete`` too.
    ``multipart``: an API write sent as multipart/form-data (a file upload) instead of JSON;
    pages always post multipart. ``params(world, obj)``: the query string of a GET (an
    API operation that needs ``?metric=``). ``prepare(client, world, obj)``: a step the
    signed-in user takes before the request (upload the file an import then previews); the
    dict it returns is added to the write's data (the upload's confirmation token).
    """

    kind: str
    resource: Resource | None = None
    method: str = "get"
    data: Callable[[Any, Any], dict] | None = None
    readers: frozenset = READERS
    writers: frozenset = STAFF
    args: Callable[[Any], list] = pk_args
    ok: frozenset | None = None
    api: bool = False  # a named URL that is an API endpoint (token auth, 401/403 for anonymous)
    invisible: frozenset = frozenset()  # signed-in roles that never see these objects (404, absent from lists)
    binary: bool = False  # a download: the object's text is not searched for in the body
    multipart: bool = False
    params: Callable[[Any, Any], dict] | None = None
    prepare: Callable[[Any, Any, Any], dict | None] | None = None

    @property
    def writes(self) -> bool:
        return self.method != "get" or self.data is not None


# Shorthands: one line per route in routes.py.
def listing(resource: Resource, **kw) -> Route:
    return Route("list", resource, **kw)


def detail(resource: Resource, **kw) -> Route:
    return Route("detail", resource, **kw)


def update(resource: Resource, data: Callable, method: str = "patch", **kw) -> Route:
    return Route("update", resource, method=method, data=data, **kw)


def create(parent: Resource, data: Callable, method: str = "post", **kw) -> Route:
    return Route("create", parent, method=method, data=data, **kw)


def form(resource: Resource | None, data: Callable, **kw) -> Route:
    """A page with a form: GET shows it, POST submits ``data``. With a resource, the form is
    about that object (edit it, add to it): outside the scope both are 404. Who may not
    submit the form may not open it either (403): ``readers`` default to ``writers``."""
    kw.setdefault("readers", kw.get("writers", STAFF))
    return Route("form" if resource else "create_form", resource, method="post", data=data, **kw)


def create_form(parent: Resource, data: Callable, **kw) -> Route:
    """A page with a form creating a row attached to ``parent`` (region, organization)."""
    kw.setdefault("readers", kw.get("writers", STAFF))
    return Route("create_form", parent, method="post", data=data, **kw)


def fixed(method: str = "get", ok: frozenset | None = None, **kw) -> Route:
    """A route about no object: the home redirect, log-in, the API docs."""
    return Route("fixed", None, method=method, ok=ok, **kw)


def snapshot() -> dict[str, tuple]:
    """Every row of every table of the project's apps, as each table's row count and a
    digest of its rows in key order: two snapshots differ when any row was added, removed
    or changed. On PostgreSQL one query reads them all (a write case takes two snapshots;
    reading every table as model instances took 60 ms each, the most of the matrix's time)."""
    models_ = [
        model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.managed and not model._meta.proxy
    ]
    if connection.vendor != "postgresql":
        return {m._meta.label: tuple(m._base_manager.order_by("pk").values_list()) for m in models_}
    quote = connection.ops.quote_name
    # Table and column names from the models, quoted: no outside input reaches the SQL.
    digest = "SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.{key}), '')) FROM {table} t"
    parts = [digest.format(key=quote(m._meta.pk.column), table=quote(m._meta.db_table)) for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [m._meta.label for m in models_])
        return {label: (count, digest) for label, count, digest in cursor.fetchall()}


@dataclass
class Case:
    """One generated test: a route, a role, where the object lies, GET or the write."""

    key: str
    route: Route
    role: str
    placement: str
    action: str  # "read" or "write"
    expected: str = field(default="")

    @property
    def id(self) -> str:
        return f"{self.key}|{self.action}|{self.role}|{self.placement}"


def expectation(route: Route, role: str, placement: str, action: str, *, page: bool) -> str:
    """ok, denied, login, missing, blocked or refused."""
    if role == ANONYMOUS or (page and role in HEADER_ROLES):
        allowed = route.readers if action == "read" else route.writers
        return "ok" if ANONYMOUS in allowed else "login"
    if role in route.invisible and route.kind != "list":
        return "missing"
    if placement in (OUTSIDE, SIBLING):
        if route.kind in ("create", "create_form"):
            return "refused"
        if role not in (route.readers if action == "read" else route.writers):
            return "blocked"  # 403 whatever the object (existence not revealed either way) or 404
        return "missing"
    allowed = route.readers if action == "read" else route.writers
    return "ok" if role in allowed else "denied"


def cases(registry: dict, *, page: bool) -> list[Case]:
    found = []
    for key, route in registry.items():
        for role in ROLES:
            actions = []
            if route.method == "get" or route.kind in ("form", "create_form"):
                actions.append("read")
            if route.writes:
                actions.append("write")
            for action in actions:
                placements = [NONE]
                if route.resource is not None and not (action == "read" and route.kind == "create_form"):
                    placements = route.resource.placements(role)
                if route.kind == "list":
                    placements = [INSIDE]  # one request shows inside present, outside absent
                for placement in placements:
                    case = Case(key, route, role, placement, action)
                    case.expected = expectation(route, role, placement, action, page=page and not route.api)
                    found.append(case)
    return found
