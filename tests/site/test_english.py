"""The English catalog: pages switch to English with the language cookie, and every msgid
in locale/en has a translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_login_page_is_english_with_the_language_cookie(client):
    page = english(client).get(reverse("login")).content.decode()
    assert 'lang="en"' in page
    assert "<h1>Log in</h1>" in page
    assert "Party-Building Alliance Platform" in page
    assert "登录" not in page and "党建联盟平台" not in page


def test_the_language_switcher_turns_pages_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert "<h1>Log in</h1>" in page


def test_alliance_list_is_english_with_the_language_cookie(client, world):
    english(client).force_login(world.alice)
    page = client.get(reverse("alliances:list")).content.decode()
    assert "<title>Party-building alliances · Party-Building Alliance Platform</title>" in page
    assert "<h1>Party-building alliances</h1>" in page
    assert "Common-prosperity workshops" in page
    assert "<title>党建联盟" not in page and "<h1>党建联盟</h1>" not in page
    assert "姜山共富联盟" in page  # data stays as entered


def parse_po(text: str) -> list[tuple[str, list[str], str]]:
    """(msgid, [msgstr...], flags) for each entry; the header entry is skipped."""

    def unquote(lines):
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "\n".join(lines)))

    entries = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, list[str]] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"(msgid_plural|msgid|msgstr(?:\[\d+\])?|msgctxt) ", line)
            if match:
                key = match.group(1)
                fields[key] = [line[match.end() :]]
            elif key:
                fields[key].append(line)
        msgid = unquote(fields.get("msgid", []))
        if not msgid:
            continue
        msgstrs = [unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
        entries.append((msgid, msgstrs, flags))
    return entries


def test_english_catalog_has_a_translation_for_every_msgid():
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    assert len(entries) > 1000
    untranslated = [msgid for msgid, msgstrs, _flags in entries if not msgstrs or not all(msgstrs)]
    assert untranslated == []
    assert [msgid for msgid, _msgstrs, flags in entries if "fuzzy" in flags] == []
    placeholder = re.compile(r"%\(\w+\)s|%%")
    mismatched = [
        msgid
        for msgid, msgstrs, _flags in entries
        if any(sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(s)) for s in msgstrs)
    ]
    assert mismatched == []


def test_the_choices_of_a_field_stay_apart_in_english():
    """Two states a user must tell apart (已办结, handled and waiting for the leader, and
    已解决, confirmed) must not read the same in English."""
    from django.apps import apps

    merged = {}
    with translation.override("en"):
        for model in apps.get_models():
            for field in model._meta.get_fields():
                labels = [str(label) for _value, label in getattr(field, "flatchoices", None) or []]
                if len(set(labels)) < len(labels):
                    merged[f"{model._meta.label}.{field.name}"] = sorted(
                        {label for label in labels if labels.count(label) > 1}
                    )
    assert merged == {}


def test_english_catalog_is_compiled():
    assert PO_FILE.with_suffix(".mo").exists()
    with translation.override("en"):
        assert translation.gettext("年考评") == "Annual review"
        assert translation.ngettext("%(n)s 份待审", "%(n)s 份待审", 2) % {"n": 2} == "2 pending"


# ------------------------------------------------------ rollups read in the reader's language


@pytest.fixture
def graded_kind(monkeypatch):
    """A monthly bulletin whose figures carry the labels and grades of the annual review."""
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy

    from core.periods import MONTH
    from evaluations import rollups

    def graded_report(period, region):
        return {
            "summary": [rollups.summary_item("excellent", gettext_lazy("优秀"), 2)],
            "tables": [
                rollups.table(
                    "ranking",
                    gettext_lazy("联盟排名"),
                    [
                        rollups.column("alliance_name", gettext_lazy("联盟")),
                        rollups.column("grade", gettext_lazy("等次")),
                    ],
                    [["姜山共富联盟", _("良好")], ["云龙产业联盟", _("整顿") + _("（待确认）")]],
                )
            ],
        }

    kind = rollups.RollupKind(
        key=rollups.MONTHLY_BULLETIN,
        label=gettext_lazy("月通报"),
        period_kind=MONTH,
        region_levels=("county", "city"),
        compute=graded_report,
    )
    monkeypatch.setitem(rollups.KINDS, rollups.MONTHLY_BULLETIN, kind)
    return kind


def produced_in(language: str, world, kind):
    from core.periods import MONTH, Period
    from evaluations.services import rollup_produce

    with translation.override(language):
        rollup, _created = rollup_produce(kind=kind.key, period=Period.parse(MONTH, "2026-03"), region=world.county_a)
    return rollup


def test_an_english_rollup_page_reads_its_stored_labels_and_grades_in_english(client, world, graded_kind):
    rollup = produced_in("zh-hans", world, graded_kind)
    english(client).force_login(world.alice)
    page = client.get(reverse("evaluations:rollup-detail", args=[rollup.pk])).content.decode()
    assert "<h2>Alliance ranking</h2>" in page
    assert "<th>Alliance</th><th>Grade</th>" in page
    assert ">Excellent</dt>" in page
    assert ">Good</td>" in page
    assert ">Rectification (pending confirmation)</td>" in page
    for chinese in ("联盟排名", "等次", "优秀", "良好", "整顿", "待确认"):
        assert chinese not in page, chinese
    assert "姜山共富联盟" in page  # names stay as entered


@pytest.mark.parametrize("asked_in", ["zh-hans", "en"])
def test_a_rollup_produced_from_an_english_page_still_reads_chinese_on_chinese_pages(
    client, world, graded_kind, asked_in
):
    rollup = produced_in(asked_in, world, graded_kind)
    assert rollup.report["tables"][0]["columns"][1]["label"] == "等次"
    client.force_login(world.alice)
    page = client.get(reverse("evaluations:rollup-detail", args=[rollup.pk])).content.decode()
    assert "<h2>联盟排名</h2>" in page and "<th>联盟</th><th>等次</th>" in page
    assert ">良好</td>" in page and ">整顿（待确认）</td>" in page


def test_every_forms_labels_and_help_texts_read_english_on_english_pages(world, client):
    """Each form field's label, help text and choices as the page gives them (a text built
    with ``gettext_lazy(...) % values`` on the class is translated once, at import, and
    stays Chinese)."""
    from tests.security.routes import PAGES
    from tests.site.test_forms_roundtrip import open_page, opened_by_get

    chinese = re.compile(r"[\u4e00-\u9fff]")
    found = {}
    for name, route in PAGES.items():
        if not opened_by_get(route):
            continue
        _url, response = open_page(client, world, name, "en")
        form = (response.context or {}).get("form") if response.status_code == 200 else None
        if form is None or not hasattr(form, "fields"):
            continue
        with translation.override("en"):
            for field_name, field in form.fields.items():
                texts = [str(field.label or ""), str(field.help_text or "")]
                if getattr(field, "choices", None) is not None and not hasattr(field, "queryset"):
                    texts += [str(label) for _value, label in field.choices if not isinstance(label, (list, tuple))]
                spots = [text for text in texts if chinese.search(text)]
                if spots:
                    found[f"{name}.{field_name}"] = spots
    assert found == {}
