"""Nobody meets a page they may not use: a form is refused on GET to who may not submit
it, and the pages a user reads offer only the actions they may take.

Both tests are generated from the access-matrix registry (tests/security/routes.py), so a
new form page is covered as soon as it is registered there (and the matrix fails until it is).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from tests.members.factories import OrganizationFactory
from tests.security.matrix import INSIDE, LEADER, OUTSIDE, USERS, VIEWER
from tests.security.routes import PAGES, shops

pytestmark = pytest.mark.django_db

PAGE_ROLES = [role for role in USERS if role != "viewer_token"]
FORM_KINDS = ("form", "create_form")
WRITE_KINDS = (*FORM_KINDS, "update", "create")

FORMS = {key: route for key, route in PAGES.items() if route.kind in FORM_KINDS}
# Every form page × every role that may not use it.
REFUSED = [(key, role) for key, route in FORMS.items() for role in PAGE_ROLES if role not in route.readers]
# The pages a role reads about one object or a list (not downloads, not the forms themselves).
READ_PAGES = [
    (key, role)
    for key, route in PAGES.items()
    if route.kind in ("list", "detail") and not route.binary and not route.api
    for role in PAGE_ROLES
    if role in route.readers and role not in route.invisible
]


def url_of(key, route, world, placement=INSIDE):
    if route.resource is None or route.kind in ("create", "create_form", "list"):
        return reverse(key)
    return reverse(key, args=route.args(route.resource.build(placement, world)))


def open_form(key, role, world, client):
    """The form page as the role gets it (after the route's own preparation)."""
    route = FORMS[key]
    client.force_login(getattr(world, USERS[role]))
    if route.prepare:
        route.prepare(client, world, None)
    return client.get(url_of(key, route, world))


def test_the_viewer_may_use_no_form_page():
    assert [key for key, route in FORMS.items() if VIEWER in route.readers] == ["projects:report-detail"]


@pytest.mark.parametrize(("key", "role"), REFUSED, ids=[f"{k}|{r}" for k, r in REFUSED])
def test_it_refuses_a_form_on_get_to_who_may_not_submit_it(key, role, world, client):
    route = FORMS[key]
    response = open_form(key, role, world, client)
    expected = 404 if role in route.invisible else 403  # what the role never sees is not found
    assert response.status_code == expected, f"{key} as {role}: {response.status_code}"


@pytest.mark.parametrize("key", [k for k, r in FORMS.items() if r.resource and r.resource.outside])
def test_it_answers_404_to_the_viewer_for_a_form_outside_their_scope(key, world, client):
    route = FORMS[key]
    client.force_login(world.vera)
    if route.kind == "create_form":
        pytest.skip("a create form is about no object")
    response = client.get(url_of(key, route, world, OUTSIDE))
    assert response.status_code in {403, 404}


class Targets(HTMLParser):
    """Every link's href and every form's action on a page."""

    def __init__(self, page: str):
        super().__init__()
        self.links: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.links.append(attrs.get("action") or "")


def forbidden_targets(page: str, role: str) -> list[str]:
    """Links and post forms to a write route the role may not use."""
    found = []
    for target in Targets(page).links:
        path = urlsplit(target).path
        if not path.startswith("/"):
            continue
        try:
            match = resolve(path)
        except Resolver404:
            continue
        route = PAGES.get(match.view_name)
        if route is None or route.kind not in WRITE_KINDS:
            continue
        allowed = route.readers if route.kind in FORM_KINDS else route.writers
        if role not in allowed:
            found.append(target)
    return found


@pytest.mark.parametrize(("key", "role"), READ_PAGES, ids=[f"{k}|{r}" for k, r in READ_PAGES])
def test_a_page_offers_only_the_actions_the_user_may_take(key, role, world, client):
    route = PAGES[key]
    client.force_login(getattr(world, USERS[role]))
    response = client.get(url_of(key, route, world))
    assert response.status_code == 200
    assert forbidden_targets(response.content.decode(), role) == []


# Every form page × the first role that may use it.
USABLE = [
    (key, next(role for role in PAGE_ROLES if role in route.readers and role not in route.invisible))
    for key, route in FORMS.items()
    if any(role in route.readers and role not in route.invisible for role in PAGE_ROLES)
]


class CancelLink(HTMLParser):
    """The href of the link in a form's actions (取消)."""

    def __init__(self, page: str):
        super().__init__()
        self.href: str | None = None
        self.depth = 0  # inside <div class="actions"> while above 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "actions" in (attrs.get("class") or "").split():
            self.depth = 1
        elif tag == "div" and self.depth:
            self.depth += 1
        elif tag == "a" and self.depth and self.href is None:
            self.href = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


@pytest.mark.parametrize(("key", "role"), USABLE, ids=[f"{k}|{r}" for k, r in USABLE])
def test_cancelling_a_form_leads_back_to_where_it_is_opened_not_to_the_home_page(key, role, world, client):
    response = open_form(key, role, world, client)
    assert response.status_code == 200
    cancel = CancelLink(response.content.decode()).href
    if cancel is None:
        pytest.skip("the page has no 取消 (a confirmation of one action)")
    assert urlsplit(cancel).path != reverse("home"), f"{key}: 取消 leads to the home page"
    assert client.get(cancel).status_code == 200, f"{key}: 取消 leads to {cancel}, which does not open"


def test_a_leader_is_offered_no_write_on_another_alliances_records(world, client):
    client.force_login(world.lily)
    page = client.get(reverse("alliances:detail", args=[world.alliance_a.pk])).content.decode()
    assert forbidden_targets(page, LEADER) == []
    assert reverse("alliances:edit", args=[world.alliance_a.pk]) not in page


def test_a_steward_may_not_open_the_forms_of_a_workshop_they_do_not_keep(world, client):
    shop = shops(world)
    client.force_login(shop.sam)
    assert client.get(reverse("workshops:report-create", args=[shop.a.pk])).status_code == 200
    assert client.get(reverse("workshops:edit", args=[shop.a.pk])).status_code == 403
    assert client.get(reverse("workshops:report-create", args=[shop.b.pk])).status_code == 404
    page = client.get(reverse("workshops:detail", args=[shop.a.pk])).content.decode()
    assert reverse("workshops:edit", args=[shop.a.pk]) not in page


def menu_links(page: str) -> list[str]:
    menu = page.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
    return [resolve(urlsplit(href).path).view_name for href in Targets(menu).links if href.startswith("/")]


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_the_menu_shows_no_section_that_is_always_empty_for_the_role(role, world, client):
    client.force_login(getattr(world, USERS[role]))
    links = menu_links(client.get(reverse("alliances:meeting-list"), follow=True).content.decode())
    lists = [name for name in links if name in PAGES and PAGES[name].kind == "list"]
    assert lists, "the menu lists something"
    assert [name for name in lists if role in PAGES[name].invisible or role not in PAGES[name].readers] == []


def test_a_stewards_menu_shows_only_their_workshops(world, client):
    client.force_login(shops(world).sam)
    links = menu_links(client.get(reverse("workshops:list")).content.decode())
    assert [name for name in links if name in PAGES and PAGES[name].kind == "list"] == ["workshops:list"]


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_the_api_documentation_is_in_the_menu_of_staff_and_viewers_not_of_a_leader_on_a_phone(role, world, client):
    """Big screens are set up by staff (with a key) and read by viewers; a leader's, a
    steward's or a liaison's phone menu has no use for the API's documentation."""
    client.force_login(getattr(world, USERS[role]))
    links = menu_links(client.get(reverse("alliances:meeting-list"), follow=True).content.decode())
    assert ("swagger-ui" in links) == (role != LEADER)


def test_a_stewards_and_a_liaisons_menu_have_no_api_documentation(world, client):
    from tests.tracking.factories import make_desk

    for user in (shops(world).sam, make_desk(world).dora):
        client.force_login(user)
        assert "swagger-ui" not in menu_links(client.get(reverse("home"), follow=True).content.decode())


# --------------------------------------------------------------------------- lists


def names_in_order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_a_list_finds_names_by_their_pinyin_initials(world, client):
    client.force_login(world.alice)
    found = client.get(reverse("alliances:list"), {"q": "JSGF"}).content.decode()  # 姜山共富联盟
    assert world.alliance_a.name in found and world.alliance_a2.name not in found
    page = client.get(reverse("members:organization-list"), {"q": "zmt"}).content.decode()
    assert world.org_a.name in page
    by_code = client.get(reverse("alliances:list"), {"q": "LM-A-2"}).content.decode()
    assert world.alliance_a2.name in by_code and world.alliance_a.name not in by_code


def test_the_api_search_finds_names_by_their_pinyin_initials(world, api):
    response = api.as_user(world.alice).get("/api/v1/organizations/", {"q": "zmt"})
    assert [row["name"] for row in response.json()["results"]] == [world.org_a.name]


def test_names_sort_by_pinyin_not_by_code_point(world, client):
    # By code point 阿 (U+963F) sorts after 北 (U+5317) and 中 (U+4E2D); by pinyin a < b < z.
    names = ["中心村党委", "阿拉村党委", "北仑村党委"]
    for name in names:
        OrganizationFactory(name=name, region=world.village_a)
    client.force_login(world.alice)
    page = client.get(reverse("members:organization-list"), {"ordering": "name"}).content.decode()
    assert names_in_order(page, names) == ["阿拉村党委", "北仑村党委", "中心村党委"]


def test_the_add_member_list_offers_only_organizations_that_are_not_members(world, client):
    newcomer = OrganizationFactory(name="新来村党委", region=world.village_a)
    client.force_login(world.alice)
    form = client.get(reverse("alliances:membership-add", args=[world.alliance_a.pk])).context["form"]
    offered = list(form.fields["organization"].queryset)
    assert newcomer in offered and world.org_a not in offered
