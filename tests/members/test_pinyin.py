"""Names are sorted and found by pinyin; the rows stored before the pinyin columns existed
are filled by one function that every app's migration runs."""

from __future__ import annotations

import functools

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from alliances.models import Alliance
from members.models import Person
from members.pinyin import fill_pinyin, initials_of, pinyin_of
from projects.models import Project
from tests.projects.factories import ProjectFactory

PINYIN_MIGRATIONS = {
    ("members", "0006_name_pinyin"): (
        ("members", "Region", "name"),
        ("members", "MemberOrganization", "name"),
        ("members", "Person", "name"),
    ),
    ("alliances", "0007_name_pinyin"): (("alliances", "Alliance", "name"),),
    ("projects", "0006_name_pinyin"): (("projects", "Project", "title"),),
    ("workshops", "0003_name_pinyin"): (("workshops", "Workshop", "name"),),
}


def test_a_name_reads_as_pinyin_and_initials():
    assert pinyin_of("姜山镇") == "jiang shan zhen"
    assert initials_of("LM-A-1共富") == "lm-a-1gf"


def test_every_pinyin_migration_runs_the_one_shared_function():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key, targets in PINYIN_MIGRATIONS.items():
        runs = [op for op in loader.disk_migrations[key].operations if op.__class__.__name__ == "RunPython"]
        assert len(runs) == 1, key
        code = runs[0].code
        assert isinstance(code, functools.partial) and code.func is fill_pinyin, key
        assert code.keywords == {"targets": targets}, key


@pytest.mark.django_db
def test_the_shared_function_fills_rows_stored_without_pinyin(world):
    project = ProjectFactory(alliance=world.alliance_a, title="姜山饮水工程")
    Alliance.objects.update(name_pinyin="", name_initials="")
    Person.objects.update(name_pinyin="", name_initials="")
    Project.objects.update(name_pinyin="", name_initials="")
    fill_pinyin(
        apps,
        connection.schema_editor,
        targets=(("alliances", "Alliance", "name"), ("members", "Person", "name"), ("projects", "Project", "title")),
    )
    alliance = Alliance.objects.get(pk=world.alliance_a.pk)
    assert (alliance.name_pinyin, alliance.name_initials) == (pinyin_of(alliance.name), initials_of(alliance.name))
    assert Person.objects.get(pk=world.person_a.pk).name_initials == "wjg"
    assert Project.objects.get(pk=project.pk).name_initials == "jsysgc"
    assert not Alliance.objects.filter(name_pinyin="").exists()
