"""A text of several lines is stored with LF line breaks, whether it comes from a browser
now (CR LF, read back by the shared text box) or was saved before (the data migration)."""

from __future__ import annotations

import pytest
from django.apps import apps

from core.db import store_line_breaks_as_lf
from core.widgets import Textarea
from projects.models import Project
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_text_box_reads_a_browsers_line_breaks_as_lf():
    sent = {"text": "第一行\r\n第二行\r第三行\n"}
    assert Textarea().value_from_datadict(sent, {}, "text") == "第一行\n第二行\n第三行\n"
    assert Textarea().value_from_datadict({}, {}, "text") is None


def test_texts_saved_with_cr_are_stored_with_lf_and_the_others_are_left_alone(world):
    old = ProjectFactory(alliance=world.alliance_a, description="第一行\r\n第二行\r第三行", title="路灯\r亮化")
    plain = ProjectFactory(alliance=world.alliance_a, description="一行\n两行")
    plain_changed_at = Project.objects.get(pk=plain.pk).updated_at
    store_line_breaks_as_lf(apps, None, "projects")
    old.refresh_from_db()
    assert (old.description, old.title) == ("第一行\n第二行\n第三行", "路灯\n亮化")
    kept = Project.objects.get(pk=plain.pk)
    assert (kept.description, kept.updated_at) == ("一行\n两行", plain_changed_at)
    assert old.history.count() == 1  # no history row: the text is as the user wrote it
