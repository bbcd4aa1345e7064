"""Chinese text uses full-width punctuation (，：；？！（）), English text half-width: in the
catalog's msgids and translations, in the templates, and on every page as it is rendered."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tests.security.routes import PAGES
from tests.site.test_english import PO_FILE, parse_po
from tests.site.test_forms_roundtrip import open_page, opened_by_get

CHINESE = r"[\u4e00-\u9fff]"
HALF_WIDTH = r"[,:;?!()]"
# A half-width mark right before or after a Chinese character (a space between counts too).
HALF_WIDTH_IN_CHINESE = re.compile(rf"{CHINESE} ?{HALF_WIDTH}|{HALF_WIDTH} ?{CHINESE}")
FULL_WIDTH = re.compile(r"[\uff01-\uff5e\u3000-\u303f]")
FULL_WIDTH_OF = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


def half_width_in_chinese(text: str) -> list[str]:
    return [text[max(0, m.start() - 8) : m.end() + 8] for m in HALF_WIDTH_IN_CHINESE.finditer(text)]


def test_the_scan_finds_half_width_marks_next_to_chinese():
    assert half_width_in_chinese("保存成功,请返回") and half_width_in_chinese("区域 (含下级)")
    assert half_width_in_chinese("联盟:姜山") and not half_width_in_chinese("联盟：姜山（含下级）")
    assert not half_width_in_chinese("JPEG、PNG 或 WebP, 10 MB (yuan)")


def test_chinese_msgids_use_full_width_punctuation():
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    found = {msgid: half_width_in_chinese(msgid) for msgid, _msgstrs, _flags in entries}
    assert {msgid: spots for msgid, spots in found.items() if spots} == {}


def test_english_translations_use_half_width_punctuation():
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    found = [(msgid, s) for msgid, msgstrs, _flags in entries for s in msgstrs if FULL_WIDTH.search(s)]
    assert found == []


TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
TRANSLATED = re.compile(r"""\{% *(?:translate|trans) +(["'])(.*?)\1.*?%\}""")


def test_template_text_uses_full_width_punctuation_next_to_chinese():
    """A template's words as the reader meets them: each {% translate "…" %} replaced by its
    text, other tags and variables by nothing."""
    templates = Path(settings.BASE_DIR) / "templates"
    found = {}
    for path in templates.rglob("*.html"):
        text = TRANSLATED.sub(lambda m: m.group(2), path.read_text(encoding="utf-8"))
        spots = half_width_in_chinese(TEMPLATE_TAG.sub("", text))
        if spots:
            found[str(path.relative_to(templates))] = spots
    assert found == {}


class Text(HTMLParser):
    """A page's words: its text (scripts and styles left out) and the attributes read aloud
    or shown (title, alt, placeholder, aria-label, data-label)."""

    SHOWN = {"title", "alt", "placeholder", "aria-label", "data-label"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in self.SHOWN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


@pytest.mark.django_db
def test_every_page_reads_full_width_punctuation_in_chinese(world, client):
    found = {}
    for name, route in PAGES.items():
        if not opened_by_get(route):
            continue
        _url, response = open_page(client, world, name, "zh-hans")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        spots = [spot for part in Text(response.content.decode()).parts for spot in half_width_in_chinese(part)]
        if spots:
            found[name] = sorted(set(spots))
    assert found == {}, "\n".join(f"{name}: {spots}" for name, spots in found.items())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "ascending", "descending"),
    [("zh-hans", ">名称</option>", ">名称（降序）</option>"), ("en", ">Name</option>", ">Name (descending)</option>")],
)
def test_a_lists_sort_choices_read_in_the_pages_language(world, client, language, ascending, descending):
    from django.urls import reverse

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(world.alice)
    page = client.get(reverse("alliances:list")).content.decode()
    assert ascending in page and descending in page
    assert "(descending)" not in page or language == "en"
