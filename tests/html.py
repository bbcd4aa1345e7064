"""Reading the HTML of a page in tests: its elements, not its words."""

from __future__ import annotations

from html.parser import HTMLParser


class Elements(HTMLParser):
    """A page's script elements as (attributes, text), its chart canvases and its inline event handlers."""

    def __init__(self, page: str):
        super().__init__()
        self.scripts, self.canvases, self.handlers = [], [], []
        self._open: tuple[dict, list] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"{tag} {name}" for name in attrs if name.startswith("on")]
        if tag == "script":
            self._open = (attrs, [])
        elif tag == "canvas" and "data-chart" in attrs:
            self.canvases.append(attrs["data-chart"])

    def handle_data(self, data):
        if self._open:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open:
            self.scripts.append((self._open[0], "".join(self._open[1]).strip()))
            self._open = None
