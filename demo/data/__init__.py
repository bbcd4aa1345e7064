"""The demo's source data as data files: one JSON file per domain (``members.json``, ...),
the names, places, alliances, projects and workshops taken from the source reports and the
word lists the generators draw from. The modules of ``demo`` read them with ``load``."""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent


@cache
def load(name: str) -> Any:
    """The parsed ``<name>.json`` of this folder."""
    return json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))


def date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None
