"""Projects carry their alliance's code for the list's order, kept equal by the database
(and by the ORM where the database has no triggers)."""

from __future__ import annotations

import pytest
from django.db import connection

from alliances.models import Alliance
from projects import ordering
from projects.models import Project
from tests.alliances.factories import AllianceFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def copied_code(project: Project) -> str:
    return Project.objects.values_list("alliance_code", flat=True).get(pk=project.pk)


def test_a_new_project_carries_its_alliance_code():
    project = ProjectFactory(alliance=AllianceFactory(code="LM-Q-7"))
    assert copied_code(project) == "LM-Q-7"


def test_renaming_an_alliance_code_renames_the_copy_on_each_of_its_projects():
    alliance = AllianceFactory(code="LM-OLD")
    projects = ProjectFactory.create_batch(3, alliance=alliance)
    other = ProjectFactory(alliance=AllianceFactory(code="LM-OTHER"))
    alliance.code = "LM-NEW"
    alliance.save()
    assert {copied_code(p) for p in projects} == {"LM-NEW"}
    assert copied_code(other) == "LM-OTHER"


def test_a_stray_write_of_the_copy_is_undone_by_the_database():
    project = ProjectFactory(alliance=AllianceFactory(code="LM-TRUE"))
    Project.objects.filter(pk=project.pk).update(alliance_code="ZZZ")
    assert copied_code(project) == "LM-TRUE"
    project.alliance_code = "AAA"  # a stale or forged value carried by a save
    project.title = "改名"
    project.save()
    assert copied_code(project) == "LM-TRUE"


def test_moving_a_project_to_another_alliance_takes_that_alliance_code():
    project = ProjectFactory(alliance=AllianceFactory(code="LM-FROM"))
    Project.objects.filter(pk=project.pk).update(alliance=AllianceFactory(code="LM-TO"))
    assert copied_code(project) == "LM-TO"


def test_the_list_is_ordered_by_year_then_alliance_code_then_title():
    b, a = AllianceFactory(code="LM-B"), AllianceFactory(code="LM-A")
    ProjectFactory(alliance=b, year=2026, title="甲")
    ProjectFactory(alliance=a, year=2026, title="乙")
    ProjectFactory(alliance=a, year=2026, title="丙")
    ProjectFactory(alliance=a, year=2025, title="丁")
    a.code = "LM-C"  # now after LM-B
    a.save()
    assert [(p.year, p.alliance.code, p.title) for p in Project.objects.select_related("alliance")] == [
        (2026, "LM-B", "甲"),
        (2026, "LM-C", "丙"),
        (2026, "LM-C", "乙"),
        (2025, "LM-C", "丁"),
    ]


def alliance_code_triggers():
    return [
        (model, trigger)
        for model in (Project, Alliance)
        for trigger in model._meta.triggers
        if "alliance_code" in trigger.name
    ]


def test_the_migrations_install_both_triggers_on_postgresql():
    assert len(alliance_code_triggers()) == 2
    for model, trigger in alliance_code_triggers():
        assert trigger.get_installation_status(model) == ("INSTALLED", True)


def test_without_the_triggers_the_orm_keeps_the_copy_on_every_save(monkeypatch):
    for model, trigger in alliance_code_triggers():  # as on SQLite, where none is installed
        trigger.uninstall(model)
    monkeypatch.setattr(ordering, "_has_triggers", lambda using: False)
    alliance = AllianceFactory(code="LM-ORM")
    project = ProjectFactory(alliance=alliance)
    assert copied_code(project) == "LM-ORM"
    project.alliance_code = "FORGED"
    project.save()
    assert copied_code(project) == "LM-ORM"
    alliance.code = "LM-ORM-2"
    alliance.save()
    assert copied_code(project) == "LM-ORM-2"
    project.alliance = AllianceFactory(code="LM-ELSEWHERE")
    project.save()
    assert copied_code(project) == "LM-ELSEWHERE"


def test_any_page_of_the_default_order_is_read_from_an_index_without_sorting():
    ProjectFactory.create_batch(5)
    ids = Project.objects.order_by(*Project._meta.ordering, "pk").values_list("pk", flat=True)[40:60]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        # With sorting priced out, a plan without a Sort node exists only if an index gives the order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "project_list_order_idx" in plan
    assert "Sort" not in plan
    assert "alliances_alliance" not in plan


def test_every_alliance_code_fits_the_copy():
    copy = Project._meta.get_field("alliance_code")
    assert copy.max_length >= Alliance._meta.get_field("code").max_length
