"""Pinyin of Chinese names: names sort by pinyin (not by code point) and are found by their
pinyin initials (``jsz`` finds 姜山镇). pypinyin reads the most common reading of each
character; letters and digits are kept as they are, in lower case."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.db import migrations
from pypinyin import Style, lazy_pinyin


def pinyin_of(text: str) -> str:
    """``姜山镇`` → ``jiang shan zhen``: a sort key in dictionary order (syllable by syllable)."""
    return " ".join(part.strip() for part in lazy_pinyin(text or "") if part.strip()).lower()


def initials_of(text: str) -> str:
    """``姜山镇`` → ``jsz``; other characters are kept (``LM-A-1共富`` → ``lm-a-1gf``)."""
    return "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER)).replace(" ", "").lower()


def backfill(model, source: str = "name", batch_size: int = 2000) -> None:
    """Set ``name_pinyin`` and ``name_initials`` of every row of ``model`` (a migration's
    historical model) from its ``source`` field."""
    batch = []
    for row in model._base_manager.only("pk", source).iterator(chunk_size=batch_size):
        text = getattr(row, source) or ""
        row.name_pinyin, row.name_initials = pinyin_of(text), initials_of(text)
        batch.append(row)
        if len(batch) >= batch_size:
            model._base_manager.bulk_update(batch, ["name_pinyin", "name_initials"])
            batch = []
    if batch:
        model._base_manager.bulk_update(batch, ["name_pinyin", "name_initials"])


def fill_pinyin(apps, schema_editor, *, targets: Sequence[tuple[str, str, str]]) -> None:
    """RunPython code of every migration that adds the pinyin columns: the rows already
    stored get them (new saves set them). ``targets``: ``(app_label, model, source field)``."""
    for app_label, model_name, source in targets:
        backfill(apps.get_model(app_label, model_name), source)


def fill_pinyin_operation(*targets: tuple[str, str, str]) -> migrations.RunPython:
    """The operation those migrations run, one for all of them: ``fill_pinyin`` bound to
    their ``targets`` (a ``functools.partial`` of a module-level function, which a squash
    can still write out), nothing to undo."""
    return migrations.RunPython(partial(fill_pinyin, targets=targets), migrations.RunPython.noop)
