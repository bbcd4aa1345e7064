"""Every form page of the site, opened in Chinese and in English and submitted as a
browser would submit it untouched: the object it edits is left exactly as it was (dates,
money, files, choices), and nothing is created.

The pages come from the access-matrix registry (tests/security/routes.py): each one is
opened by a user allowed to use it, with the object the registry builds inside every
scope. ``FORMS`` says what each form page is; the first test fails when a page shows a
form that ``FORMS`` does not know, so a new form page cannot be left out.

Every page that creates or acts is also posted twice with the registry's data, as a
double tap would: the second request changes nothing.
"""

from __future__ import annotations

import datetime
import importlib
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from core.widgets import DateInput, Textarea
from tests.projects.factories import pdf
from tests.security.matrix import ANONYMOUS, CITY, COUNTY, EVERYONE, INSIDE, LEADER, TOWNSHIP, USERS, Route
from tests.security.routes import ITEM, PAGES, assignment

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "en")
NOTHING_CHANGED = {"zh-hans": "没有修改，无需保存。", "en": "Nothing was changed, so nothing was saved."}
APPS = ("members", "alliances", "projects", "workshops", "evaluations", "tracking", "notices")


# --------------------------------------------------------------------------- the browser


class Forms(HTMLParser):
    """The POST forms of a page: for each, its action and the fields a browser would send
    if the user pressed its first submit button without touching anything."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = {"method": attrs.get("method", "get").lower(), "action": attrs.get("action", ""), "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attrs:
            return
        fields = self._form["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            fields.append({"tag": "input", "name": name, **attrs})
        elif tag in ("button",) and name:
            fields.append({"tag": "button", "name": name, "type": attrs.get("type", "submit"), **attrs})
        elif tag == "select" and name:
            self._select = {"tag": "select", "name": name, "multiple": "multiple" in attrs, "options": []}
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = {"tag": "textarea", "name": name, "text": ""}
            fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = self._option = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


# What a browser keeps of a value attribute it cannot show (the HTML value sanitization
# algorithm): an <input type="date"> given 2021/07/01 shows nothing and sends nothing.
VALID = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4,}-\d{2}"),
    "number": re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?"),
}


def submitted(form: dict) -> dict[str, list[str]]:
    """The fields a browser sends for ``form`` untouched (no file chosen: a file input sends
    an empty part, which Django reads as no file, so it is left out)."""
    data: dict[str, list[str]] = {}
    pressed = False
    for field in form["fields"]:
        name = field["name"]
        if field["tag"] == "textarea":
            # The parser drops one newline right after <textarea>, as browsers do; a browser
            # sends every line break of the text as CR LF (HTML's form submission).
            text = field["text"].removeprefix("\n").replace("\r\n", "\n").replace("\r", "\n")
            data.setdefault(name, []).append(text.replace("\n", "\r\n"))
        elif field["tag"] == "select":
            chosen = [o for o in field["options"] if o["selected"]]
            if not chosen and not field["multiple"] and field["options"]:
                chosen = field["options"][:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                data.setdefault(name, []).append(value)
        elif field["tag"] == "button" or field.get("type") in ("submit", "image"):
            if not pressed and field.get("type", "submit") == "submit":
                pressed = True
                data.setdefault(name, []).append(field.get("value", ""))
        elif field.get("type") in ("checkbox", "radio"):
            if "checked" in field:
                data.setdefault(name, []).append(field.get("value") or "on")
        elif field.get("type") == "file":
            continue
        else:
            value = field.get("value", "")
            pattern = VALID.get(field.get("type", "text"))
            if pattern is not None and not pattern.fullmatch(value):
                value = ""
            data.setdefault(name, []).append(value)
    data.pop("csrfmiddlewaretoken", None)
    return data


def own_form(page: str, url: str) -> dict | None:
    """The page's own POST form (posting back to the page) with the most fields, or None."""
    path = urlsplit(url).path
    found = [
        form for form in Forms(page).forms if form["method"] == "post" and urlsplit(form["action"]).path in ("", path)
    ]
    return max(found, key=lambda form: len(form["fields"])) if found else None


# --------------------------------------------------------------------------- the pages

PREFERRED = (COUNTY, LEADER, CITY, TOWNSHIP)


def user_for(world, route: Route):
    """A user allowed to use the page (None: anonymous)."""
    if route.readers == EVERYONE or ANONYMOUS in route.writers:
        return None
    for role in PREFERRED:
        if role in route.writers and role in route.readers:
            return getattr(world, USERS[role])
    for role in PREFERRED:
        if role in route.readers:
            return getattr(world, USERS[role])
    return None


def target_of(world, route: Route):
    if route.resource is None:
        return None
    return route.resource.build(INSIDE, world)


def url_of(name: str, route: Route, target) -> str:
    object_route = target is not None and route.kind not in ("create", "create_form", "list")
    return reverse(name, args=route.args(target) if object_route else [])


def open_page(client, world, name: str, language: str, target=None):
    route = PAGES[name]
    user = user_for(world, route)
    client.logout()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    target = target if target is not None else target_of(world, route)
    if route.prepare:
        route.prepare(client, world, target)
    url = url_of(name, route, target)
    return url, client.get(url)


def opened_by_get(route: Route) -> bool:
    if route.binary or route.api:
        return False
    return route.method == "get" or route.kind in ("form", "create_form")


# --------------------------------------------------------------------------- what each form is


@dataclass(frozen=True)
class Unchanged:
    """An edit page: submitted untouched, its object is left as it was. ``fill`` first gives
    the object the optional values a round-trip could lose (dates, money, files)."""

    fill: Any = None


@dataclass(frozen=True)
class Renders:
    """A page whose submit creates a row or acts (adds, ends, reviews, logs in): it must
    render in both languages; submitting it untouched is another test's business."""

    why: str


def filled(**values):
    """A ``fill``: set these fields (a callable value is given the world) and save."""

    def fill(w, obj):
        for name, value in values.items():
            setattr(obj, name, value(w) if callable(value) else value)
        obj.save()

    return fill


JULY_1ST = datetime.date(2021, 7, 1)
MONEY = Decimal("60959800.00")
fill_project = filled(
    funds_higher_level=MONEY,
    funds_self_raised=Decimal("1234.56"),
    start_on=JULY_1ST,
    due_on=datetime.date(2031, 12, 31),
)


def fill_meeting(w, meeting):
    filled(minutes_file=pdf("纪要.pdf"), decisions="议定三件事")(w, meeting)
    meeting.attending_organizations.add(w.org_a)
    meeting.attendees.add(w.person_a)


FORMS: dict[str, Unchanged | Renders] = {
    "login": Renders("signs in"),
    "login-code": Renders("sends a code, then signs in with it"),
    "password-reset": Renders("sends a code, then checks it"),
    "members:login-create": Renders("opens a login"),
    "members:login-password": Renders("resets a password"),
    "members:login-disable": Renders("disables a login"),
    "members:organization-create": Renders("creates an organization"),
    "members:organization-edit": Unchanged(),
    "members:person-create": Renders("creates a person"),
    "members:person-edit": Unchanged(),
    "members:import": Renders("uploads a workbook"),
    "members:token-create": Renders("creates a token"),
    "members:department-create": Renders("adds a department"),
    "members:department-edit": Unchanged(),
    "notices:robot-create": Renders("sets a region's robot"),
    "notices:robot-edit": Unchanged(),
    "notices:settings": Renders("saves the person's channels and quiet hours"),
    "tracking:raise": Renders("raises a tracked item"),
    "tracking:assign": Renders("assigns a tracked item"),
    "tracking:confirm": Renders("confirms a tracked item solved"),
    "tracking:reopen": Renders("reopens a tracked item"),
    "alliances:create": Renders("creates an alliance"),
    "alliances:edit": Unchanged(filled(is_demonstration=True, demonstration_year=2024, covenant="共建共享\n按季通报")),
    "alliances:membership-add": Renders("adds a member"),
    "alliances:membership-end": Renders("ends a membership"),
    "alliances:teamrole-assign": Renders("assigns a role"),
    "alliances:teamrole-end": Renders("ends a role"),
    "workshops:create": Renders("creates a workshop"),
    "workshops:edit": Unchanged(filled(opened_on=JULY_1ST)),
    "workshops:report-create": Renders("files a month"),
    # Who filed the month last is kept as who saved it: the county officer who opens the form.
    "workshops:report-edit": Unchanged(
        filled(sales=MONEY, wages_paid=Decimal("1234567.89"), submitted_by=lambda w: w.alice)
    ),
    "alliances:meeting-create": Renders("records a meeting"),
    "alliances:meeting-edit": Unchanged(fill_meeting),
    "alliances:meeting-photo-add": Renders("adds a photo"),
    "alliances:activity-create": Renders("records an activity"),
    "alliances:activity-edit": Unchanged(),
    "alliances:activity-photo-add": Renders("adds a photo"),
    "alliances:mentorship-create": Renders("starts a mentorship"),
    "alliances:mentorship-edit": Unchanged(),
    "alliances:mentorship-end": Renders("ends a mentorship"),
    "alliances:platform-create": Renders("creates a platform"),
    "alliances:platform-edit": Unchanged(filled(registered_capital=MONEY, established_on=JULY_1ST)),
    "alliances:shareholding-set": Renders("sets a stake"),
    "alliances:need-create": Renders("posts a need"),
    "alliances:need-edit": Unchanged(),
    "alliances:need-claim": Renders("claims a need"),
    "alliances:resource-create": Renders("posts a resource"),
    "alliances:resource-edit": Unchanged(filled(quantity=Decimal("1234567.50"))),
    "alliances:resource-claim": Renders("claims a resource"),
    "alliances:claim-start": Renders("starts a claim"),
    "alliances:claim-resolve": Renders("resolves a claim"),
    "alliances:claim-withdraw": Renders("withdraws a claim"),
    "projects:create": Renders("creates a project"),
    "projects:edit": Unchanged(fill_project),
    "projects:status": Renders("changes the status"),
    "projects:milestone-add": Renders("adds a milestone"),
    "projects:milestone-edit": Unchanged(filled(done_on=JULY_1ST)),
    "projects:report-submit": Renders("files the week"),
    "projects:report-fix": Renders("resubmits a returned report"),
    "projects:report-detail": Renders("reviews a report"),
    "evaluations:score-create": Renders("records a score"),
    "evaluations:veto-create": Renders("records a finding"),
    "evaluations:rollup-visit": Renders("scores a visit"),
    "evaluations:rollup-create": Renders("drafts a rollup"),
}


# --------------------------------------------------------------------------- the state


def state() -> dict[str, list[dict]]:
    """Every row of the project's models with every field (many-to-many as sets), their
    history included: an untouched edit saves nothing, not even a new version or an entry
    in the change log."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        m2m = [f.name for f in model._meta.many_to_many]
        rows = []
        for obj in model._base_manager.order_by("pk").prefetch_related(*m2m):
            row = {f.attname: stored(f.value_from_object(obj)) for f in model._meta.concrete_fields}
            row.update({name: sorted(o.pk for o in getattr(obj, name).all()) for name in m2m})
            rows.append(row)
        found[model._meta.label] = rows
    return found


def stored(value: Any) -> Any:
    """A file field's value as the name of the stored file."""
    return value.name if isinstance(value, FieldFile) else value


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for label, rows in before.items():
        if len(rows) != len(after[label]):
            found.append(f"{label}: {len(rows)} rows before, {len(after[label])} after")
            continue
        for old, new in zip(rows, after[label], strict=True):
            changed = {key: (old[key], new[key]) for key in old if old[key] != new[key]}
            if changed:
                found.append(f"{label} #{old.get('id')}: {changed}")
    return found


# --------------------------------------------------------------------------- the tests


def test_every_form_page_is_known(world, client):
    """Open every page of the registry; each one showing a form that posts back to it is
    in FORMS (and FORMS names no page that shows none)."""
    showing_forms = set()
    for name, route in PAGES.items():
        if not opened_by_get(route):
            continue
        url, response = open_page(client, world, name, "zh-hans")
        if response.status_code == 200 and own_form(response.content.decode(), url) is not None:
            showing_forms.add(name)
    unknown = sorted(showing_forms - set(FORMS))
    stale = sorted(set(FORMS) - showing_forms)
    assert unknown == [], f"add these form pages to FORMS in tests/site/test_forms_roundtrip.py: {unknown}"
    assert stale == [], f"these FORMS entries show no form (or no longer exist): {stale}"


def form_classes() -> list[type[forms.BaseForm]]:
    """Every form class of the project's apps' forms modules (the Django admin keeps its own
    text date inputs, which read localized dates)."""
    modules = {importlib.import_module(f"{app}.forms").__name__ for app in APPS}
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__ in modules:
            found.append(cls)
    return found


def test_every_date_number_and_text_input_renders_and_reads_what_a_browser_does():
    """A date field of any form uses the shared ISO date input; no number is localized
    (60,959,800.00 is blank in an <input type="number">); a text of several lines uses the
    shared text box, which reads the browser's CR LF line breaks back as the stored LF."""
    wrong = []
    for cls in form_classes():
        for name, field in cls.base_fields.items():
            label = f"{cls.__module__}.{cls.__name__}.{name}"
            if isinstance(field, forms.DateField) and not isinstance(field.widget, DateInput):
                wrong.append(f"{label}: {type(field.widget).__name__}")
            if isinstance(field.widget, forms.Textarea) and not isinstance(field.widget, Textarea):
                wrong.append(f"{label}: {type(field.widget).__name__}")
            if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) and (
                field.localize or field.widget.is_localized
            ):
                wrong.append(f"{label}: localized")
    assert len(form_classes()) > 30
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_and_money_render_as_a_browser_reads_them(language, world, client, settings):
    """The edit page of a project under either language, with thousands separators on."""
    settings.USE_THOUSAND_SEPARATOR = True
    project = PAGES["projects:edit"].resource.build(INSIDE, world)
    fill_project(world, project)
    url, response = open_page(client, world, "projects:edit", language, project)
    data = submitted(own_form(response.content.decode(), url))
    assert data["start_on"] == ["2021-07-01"]
    assert data["funds_higher_level"] == ["60959800.00"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_reassigning_an_item_shows_the_deadline_it_has(language, world, client):
    """The 改派或调整期限 form of an assigned item shows its department and deadline (the
    deadline was blank in Chinese and English): sent untouched it is refused as no change,
    and with another department alone the item keeps its deadline."""
    item = ITEM.build(INSIDE, world)
    deadline = item.deadline
    assert deadline and item.assignee_id
    url, response = open_page(client, world, "tracking:assign", language, item)
    data = submitted(own_form(response.content.decode(), url))
    assert data["deadline"] == [deadline.isoformat()]
    assert data["assignee"] == [str(item.assignee_id)]
    untouched = client.post(url, data)
    assert untouched.status_code == 200
    no_change = {
        "zh-hans": "承办部门和办理期限都没有变化。",
        "en": "Neither the department nor the deadline has changed.",
    }
    assert untouched.context["form"].non_field_errors() == [no_change[language]]
    other = assignment(world, item)["assignee"]
    assert client.post(url, data | {"assignee": [str(other)]}).status_code == 302
    item.refresh_from_db()
    assert (item.assignee_id, item.deadline) == (other, deadline)


def test_the_browser_keeps_what_an_input_can_show():
    page = """<form method="post"><input type="date" name="a" value="2021/07/01">
    <input type="date" name="b" value="2021-07-01"><input type="number" name="c" value="60,959,800.00">
    <input type="number" name="d" value="60959800.00"><input type="checkbox" name="e" value="1">
    <select name="f"><option value="x">X</option><option value="y" selected>Y</option></select>
    <textarea name="g">
两行
文字</textarea><button type="submit" name="go" value="1">保存</button></form>"""
    form = own_form(page, "/x/")
    assert submitted(form) == {
        "a": [""],
        "b": ["2021-07-01"],
        "c": [""],
        "d": ["60959800.00"],
        "f": ["y"],
        "g": ["两行\r\n文字"],
        "go": ["1"],
    }


EDITS = sorted(name for name, kind in FORMS.items() if isinstance(kind, Unchanged))
OTHERS = sorted(name for name, kind in FORMS.items() if isinstance(kind, Renders))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", EDITS)
def test_an_edit_form_submitted_untouched_changes_nothing(name, language, world, client):
    route = PAGES[name]
    target = target_of(world, route)
    if FORMS[name].fill:
        FORMS[name].fill(world, target)
    url, response = open_page(client, world, name, language, target)
    assert response.status_code == 200, f"{name}: {response.status_code}"
    form = own_form(response.content.decode(), url)
    assert form is not None, f"{name} shows no form"
    data = submitted(form)
    before = state()
    response = client.post(url, data)
    after = state()
    errors = response.context["form"].errors if response.context and "form" in response.context else None
    assert response.status_code == 302, f"{name} ({language}) refused its own values: {errors}\nsent {data}"
    assert differences(before, after) == [], f"{name} ({language}) changed what it was given back\nsent {data}"
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [NOTHING_CHANGED[language]], f"{name} ({language}) said {said}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", OTHERS)
def test_a_form_page_renders_in_both_languages(name, language, world, client):
    url, response = open_page(client, world, name, language)
    assert response.status_code == 200, f"{name}: {response.status_code}"
    assert own_form(response.content.decode(), url) is not None, f"{name} shows no form"
    assert response["Content-Language"] == language


def test_an_edit_form_keeps_a_stored_file_when_none_is_chosen(world, client):
    """The meeting's minutes (a PDF) stay attached when the form is saved without a new one."""
    route = PAGES["alliances:meeting-edit"]
    meeting = target_of(world, route)
    fill_meeting(world, meeting)
    stored = meeting.minutes_file.name
    url, response = open_page(client, world, "alliances:meeting-edit", "zh-hans", meeting)
    client.post(url, submitted(own_form(response.content.decode(), url)))
    meeting.refresh_from_db()
    assert stored and meeting.minutes_file.name == stored


# --------------------------------------------------------------------------- posted twice

TOKEN = re.compile(r'name="submission" value="([0-9a-f]+)"')
POSTED = sorted(name for name in OTHERS if PAGES[name].data is not None)


@pytest.mark.parametrize("name", POSTED)
def test_a_form_posted_twice_saves_once(name, world, client):
    """A double tap (or a reload of the page the form answered with) sends the same form
    again: the second request changes nothing."""
    route = PAGES[name]
    target = target_of(world, route)
    url, response = open_page(client, world, name, "zh-hans", target)
    token = TOKEN.search(response.content.decode())
    extra = {"submission": token.group(1)} if token else {}
    first = client.post(url, route.data(world, target) | extra)
    assert first.status_code in (route.ok or {302}), f"{name}: {first.status_code}"
    before = state()
    second = client.post(url, route.data(world, target) | extra)
    assert second.status_code in (200, 302, 403)
    assert differences(before, state()) == [], f"{name} saved a second time"


def test_a_form_refused_for_another_field_asks_for_its_files_again(world, client):
    """A browser cannot be given back a chosen file: the page says to choose it again."""
    client.force_login(world.alice)
    url = reverse("alliances:meeting-create", args=[world.alliance_a.pk])
    response = client.post(url, {"kind": "quarterly", "held_on": "", "topics": "季度例会", "minutes_file": pdf()})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "held_on" in errors and "重新选择" in errors["minutes_file"][0]
    assert "季度例会" in response.content.decode()
