"""Chart data for ``static/js/charts.js``: pass the dict to a template's ``json_script``.

The spec drawn by charts.js::

    {"type": "line" | "bar",
     "labels": ["2025-01", ...],
     "datasets": [{"label": "...", "data": [1, 2, null, ...],
                   "type": "bar" (optional, mixes bar and line), "axis": "y" | "y2"}],
     "axes": {"y": "title of the left axis", "y2": "title of the right axis"}}

Missing values are ``None`` (a gap in the line). Numbers must be plain ints or floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def number(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass
class ChartSpec:
    labels: list[str]
    type: str = "line"
    datasets: list[dict[str, Any]] = field(default_factory=list)
    axes: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, data: list[Any], *, axis: str = "y", type: str | None = None) -> ChartSpec:  # noqa: A002
        dataset: dict[str, Any] = {"label": str(label), "data": [number(v) for v in data], "axis": axis}
        if type:
            dataset["type"] = type
        self.datasets.append(dataset)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "labels": self.labels,
            "datasets": self.datasets,
            "axes": {key: str(title) for key, title in self.axes.items()},
        }
