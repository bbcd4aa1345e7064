"""Texts a rollup stores, and how they read in the reader's language.

A rollup is computed once and stored as JSON; its labels, titles and the words among its
values are stored as the catalog's msgids (Chinese) and translated when they are shown.
A text with a figure or a period in it cannot be stored interpolated ("未报2026年3月数据
的工坊" is in no catalog): it is stored as a *phrase*, its msgid and its parameters,

    {"msgid": "未报%(month)s数据的工坊", "params": {"month": {"month": "2026-03"}}}

and put together when shown, in the reader's language. A parameter is a name or a number
(shown as stored), or one of

    {"month": "2026-03"}                 a month, in the language's format ("2026年3月", "March 2026")
    {"date": "2026-12-06"}               a day, in the language's format ("2026年12月6日", "6 Dec 2026")
    {"list": [parameter, ...]}           the parameters, joined ("、" in Chinese, ", " in English)
    {"text": stored text}                a stored text, translated
    a phrase                             a phrase inside a phrase

Reports stored before phrases existed hold plain strings only; they read as before.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.weeks import week_label

# What a stored value may carry after a label of its own: 整顿（待确认）.
STORED_SUFFIXES = ("（待确认）",)
# Unit suffixes a stored label may carry (a money figure's label from before amounts were
# shown in 万元), read or not.
YUAN_SUFFIXES = ("（元）", " (yuan)")
# Joins the items of a list parameter.
LIST_SEPARATOR = _("、")
# Labels that rollups stored before the label was renamed: kept in the catalog, so that
# those rollups still read in the reader's language (待协调事项 counted every project with
# a blocker, not only those asking for coordination: now 有堵点或协调事项的项目).
STORED_EARLIER = (_("待协调事项"),)


# ----------------------------------------------------------------------- storing


def phrase(msgid: Any, **params: Any) -> dict:
    """A text with parameters, to store: its msgid (``msgid`` is read in the language
    active while the report is computed, the catalog's) and its parameters."""
    return {"msgid": str(msgid), "params": params}


def month_param(day: datetime.date) -> dict:
    """The month of ``day`` (its first day, a month period's start)."""
    return {"month": day.strftime("%Y-%m")}


def date_param(day: datetime.date) -> dict:
    return {"date": day.isoformat()}


def list_param(items: list) -> dict:
    return {"list": list(items)}


# ----------------------------------------------------------------------- reading


def week_text(value: Any) -> str:
    """A column of type ``week``: the week starting the stored ISO Monday, as the page's
    language names it (2026年第48周（11月23日–11月29日）), not a day that reads as a date of
    sending."""
    try:
        return week_label(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def stored_text(value: Any) -> str:
    """A label, title or value a rollup stored, in the active language: a msgid through
    the catalog (等次, 良好, 整顿（待确认）), a phrase put together from its parameters.
    Anything the catalog does not know (names, codes) is shown as stored."""
    if isinstance(value, dict):
        return _structured(value)
    text = "" if value is None else str(value)
    if not text:
        return text  # gettext("") is the catalog's header
    for suffix in STORED_SUFFIXES:
        if text.endswith(suffix) and text != suffix:
            return gettext(text.removesuffix(suffix)) + gettext(suffix)
    return gettext(text)


def _param(value: Any) -> str:
    """A phrase's parameter: a name or a number as stored, a structured one read."""
    if isinstance(value, dict):
        return _structured(value)
    return "" if value is None else str(value)


def _structured(value: dict) -> str:
    if "msgid" in value:
        params = {name: _param(param) for name, param in (value.get("params") or {}).items()}
        msgid = str(value["msgid"])
        for pattern in (gettext(msgid), msgid):  # a translation with a broken placeholder falls back
            try:
                return pattern % params
            except (KeyError, ValueError, TypeError):
                continue
        return msgid
    if "month" in value:
        try:
            return date_format(datetime.date.fromisoformat(f"{value['month']}-01"), "YEAR_MONTH_FORMAT")
        except ValueError:
            return str(value["month"])
    if "date" in value:
        try:
            return date_format(datetime.date.fromisoformat(str(value["date"])))
        except ValueError:
            return str(value["date"])
    if "list" in value:
        return str(LIST_SEPARATOR).join(_param(item) for item in value["list"])
    if "text" in value:
        return stored_text(value["text"])
    return ""


class _Reader:
    """Reads stored texts in the active language, each distinct string once (a province's
    tables repeat the same grades and words thousands of times)."""

    def __init__(self):
        self.cache: dict[str, str] = {}

    def text(self, value: Any) -> Any:
        if isinstance(value, dict):
            return stored_text(value)
        if not isinstance(value, str):
            return value
        if value not in self.cache:
            self.cache[value] = stored_text(value)
        return self.cache[value]

    def table(self, t: dict) -> dict:
        columns = t.get("columns", [])
        texts = [col.get("type") == "text" for col in columns]
        rows = [
            [self.text(cell) if i < len(texts) and texts[i] else cell for i, cell in enumerate(row)]
            for row in t.get("rows", [])
        ]
        return {
            **t,
            "title": self.text(t.get("title", "")),
            "columns": [{**col, "label": self.text(col.get("label", ""))} for col in columns],
            "rows": rows,
        }


def rendered_table(table: dict) -> dict:
    """A stored table with its title, column labels and text cells read in the active
    language; numbers and dates as stored."""
    return _Reader().table(table)


def rendered_report(report: dict) -> dict:
    """The report with every stored text (labels, titles, notes and the text cells) read in
    the active language; keys, numbers and dates as stored. What the API returns."""
    reader = _Reader()
    rendered = {**report}
    if "summary" in report:
        rendered["summary"] = [
            {**item, "label": reader.text(item.get("label", ""))}
            | ({"value": reader.text(item.get("value"))} if item.get("type") == "text" else {})
            for item in report["summary"]
        ]
    if "tables" in report:
        rendered["tables"] = [reader.table(t) for t in report["tables"]]
    if "notes" in report:
        rendered["notes"] = [reader.text(note) for note in report["notes"]]
    return rendered
