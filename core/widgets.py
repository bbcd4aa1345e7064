"""The inputs every form of the site uses for dates, numbers and texts of several lines.

A browser's ``<input type="date">`` shows and sends only an ISO date (2026-12-06), and an
``<input type="number">`` only a plain number (60959800.00): a value in any other shape
is shown blank and sent empty. Django renders dates in the first input format of the
active language (2026/12/06 under zh-hans), so an edit form would lose every date it was
given. These widgets render the one shape the browser reads, whatever the language, and
read back a text the way it was stored (``Textarea``).
"""

from __future__ import annotations

from typing import Any

from django import forms

from .uploads import ACCEPT, MAX_UPLOAD_BYTES

ISO_DATE = "%Y-%m-%d"
PHOTOS = "image/jpeg,image/png,image/webp"
# The field the photo script adds to a form it sends (static/js/photo-upload.js): the view
# answers a saved form with the address to go to, and a refused form's files stay chosen.
FILES_KEPT = "files_kept"


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


class Textarea(forms.Textarea):
    """A text of several lines, its line breaks kept as the data keeps them (LF).

    A browser sends each line break of a ``<textarea>`` as CR LF (HTML's form submission),
    so a text of two lines saved untouched would read as changed and be stored with a CR
    before every line break. The text comes back with LF alone."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value


class PhotoInput(forms.ClearableFileInput):
    """A file input the page's photo script takes over (static/js/photo-upload.js), phone
    first: previews, photos shrunk to 1600 px before upload, a file over the limit refused
    before it is sent, the upload's progress, and the chosen files kept when the form comes
    back with an error. The server checks every file as before."""

    def __init__(self, attrs: dict | None = None, *, accept: str = ACCEPT):
        super().__init__({"accept": accept, "data-max-bytes": MAX_UPLOAD_BYTES, **(attrs or {})})


def takes_photos(form: forms.BaseForm) -> bool:
    """Whether ``form`` has an input the photo script takes over (its page then offers
    the script's tools)."""
    return any("data-max-bytes" in field.widget.attrs for field in form.fields.values())
