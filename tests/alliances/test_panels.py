from __future__ import annotations

import pytest
from django.urls import reverse

from alliances import panels

pytestmark = pytest.mark.django_db


def test_a_registered_panel_is_rendered_on_the_alliance_page(client, world, tmp_path, settings):
    (tmp_path / "panel.html").write_text("<section id='extra'>{{ panel.greeting }} {{ alliance.code }}</section>")
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    settings.TEMPLATES = [engine]
    panels.register(
        panels.Panel(
            key="test-extra",
            template="panel.html",
            context=lambda alliance, user: {"greeting": f"hello {user.username}"},
        )
    )
    try:
        client.force_login(world.alice)
        page = client.get(reverse("alliances:detail", args=[world.alliance_a.pk])).content.decode()
    finally:
        panels._registry.pop("test-extra")
    assert "<section id='extra'>hello alice LM-A-1</section>" in page
