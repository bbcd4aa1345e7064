"""Sections that apps building on alliances add to the alliance detail page.

The alliances app cannot import the apps to its right (projects, workshops,
evaluations), yet its detail page should show an alliance's projects, workshops and
scores. Those apps register a :class:`Panel` from their ``AppConfig.ready()``; the
detail view renders every registered panel in ``order``. A panel's ``context`` callable
receives the alliance and the request user and must read through ``visible_to``; it
should run a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[Any, Any], dict]
    order: int = 100


_registry: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Add (or replace, by key) a panel; called from an AppConfig.ready()."""
    _registry[panel.key] = panel


def panels_for(alliance: Any, user: Any) -> list[dict]:
    """The rendered-context list the detail template loops over."""
    return [
        {"key": panel.key, "template": panel.template, "context": panel.context(alliance, user)}
        for panel in sorted(_registry.values(), key=lambda p: (p.order, p.key))
    ]
