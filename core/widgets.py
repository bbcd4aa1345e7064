"""The inputs every form of the site uses for dates and numbers.

A browser's ``<input type="date">`` shows and sends only an ISO date (2026-12-06), and an
``<input type="number">`` only a plain number (60959800.00): a value in any other shape
is shown blank and sent empty. Django renders dates in the first input format of the
active language (2026/12/06 under zh-hans), so an edit form would lose every date it was
given. These widgets render the one shape the browser reads, whatever the language.
"""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A date picker, its value always ISO ``YYYY-MM-DD``."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, format: str | None = None):
        super().__init__(attrs, format=format or ISO_DATE)


class NumberInput(forms.NumberInput):
    """A number (money in yuan, a count, a percentage), its value never localized: no
    thousands separator, a decimal point."""

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return str(value)


class MoneyInput(NumberInput):
    """An amount in yuan to the fen: the phone shows its decimal keyboard."""

    def __init__(self, attrs: dict | None = None):
        super().__init__({"min": 0, "step": "0.01", "inputmode": "decimal", **(attrs or {})})
