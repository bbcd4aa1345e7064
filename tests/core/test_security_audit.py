"""The audit trail: who changed what and when, shown on the detail pages, never editable."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Alliance, Membership, TeamRole
from alliances.services import alliance_update, membership_end, team_role_assign
from core.audit import (
    HistorySource,
    bulk_create_with_history,
    bulk_update_with_history,
    change_log,
    historical_models,
)
from core.users import user_label
from members.models import MemberOrganization, Person
from members.services import person_update
from tests.members.factories import PersonFactory
from tests.workshops.factories import ReportFactory, Shops
from workshops.services import workshop_report_update

pytestmark = pytest.mark.django_db


def detail(client, user, alliance):
    client.force_login(user)
    return client.get(reverse("alliances:detail", args=[alliance.pk])).content.decode()


def history_section(page: str) -> str:
    return re.search(r'<section class="card" id="history">(.*?)</section>', page, re.S).group(1)


def test_alliance_page_shows_who_changed_what_before_and_after(client, world):
    alliance_update(actor=world.alice, alliance=world.alliance_a, name="姜山镇共富联盟", status="rectifying")
    section = history_section(detail(client, world.carol, world.alliance_a))
    assert "alice" in section
    assert "联盟名称" in section and "<del>姜山共富联盟</del> → <ins>姜山镇共富联盟</ins>" in section
    assert "<del>运行中</del> → <ins>整顿中</ins>" in section  # choices shown by their labels


def test_membership_and_team_changes_appear_on_the_alliance_page(client, world):
    membership = Membership.objects.get(alliance=world.alliance_a, organization=world.org_a)
    membership_end(actor=world.alice, membership=membership, left_on=datetime.date(2026, 5, 1))
    team_role_assign(
        actor=world.tina,
        alliance=world.alliance_a,
        person=world.person_a,
        role="instructor",
        started_on=datetime.date(2026, 5, 2),
    )
    section = history_section(detail(client, world.alice, world.alliance_a))
    assert "联盟成员 · 走马塘村党委" in section and "<del>—</del> → <ins>2026年5月1日</ins>" in section
    assert "工作团队角色 · 王建国" in section and "tina" in section


def test_history_of_another_alliance_is_not_on_the_page(client, world):
    alliance_update(actor=world.bob, alliance=world.alliance_b, name="岱山海岛共富联盟")
    section = history_section(detail(client, world.alice, world.alliance_a))
    assert "岱山" not in section and "bob" not in section


def test_history_runs_a_constant_number_of_queries(client, world):
    client.force_login(world.alice)
    url = reverse("alliances:detail", args=[world.alliance_a.pk])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    alliance_update(actor=world.alice, alliance=world.alliance_a, description="一")
    few = queries()
    for i in range(15):
        alliance_update(
            actor=world.alice,
            alliance=world.alliance_a,
            description=f"第{i}次修改",
            founded_on=datetime.date(2020, 1, i + 1),
        )
        team_role_assign(
            actor=world.alice,
            alliance=world.alliance_a,
            person=PersonFactory(organization=world.org_a),
            role="advisor",
            started_on=datetime.date(2024, 1, 1),
        )
    assert queries() == few


def test_phone_changes_in_the_history_are_masked_for_a_leader(client, world):
    person_update(actor=world.alice, person=world.person_a, mobile="13900001111")
    client.force_login(world.lily)
    page = client.get(reverse("members:organization-detail", args=[world.org_a.pk])).content.decode()
    section = history_section(page)
    assert "<del>138****5678</del> → <ins>139****1111</ins>" in section
    assert "13812345678" not in page and "13900001111" not in page
    client.force_login(world.alice)
    staff_page = client.get(reverse("members:organization-detail", args=[world.org_a.pk])).content.decode()
    assert "<del>13812345678</del> → <ins>13900001111</ins>" in history_section(staff_page)


def test_bulk_create_writes_one_history_row_per_object_attributed_to_the_actor(world):
    orgs = bulk_create_with_history(
        [MemberOrganization(name=f"导入单位{i}", kind="village", region=world.village_a) for i in range(7)],
        MemberOrganization,
        actor=world.alice,
        reason="Excel 导入",
    )
    history = MemberOrganization.history.filter(id__in=[o.pk for o in orgs])
    assert history.count() == 7
    assert set(history.values_list("history_type", "history_user__username", "history_change_reason")) == {
        ("+", "alice", "Excel 导入")
    }


def test_bulk_update_writes_history_with_before_and_after(world):
    people = PersonFactory.create_batch(4, organization=world.org_a, title="委员")
    stamp = Person.objects.get(pk=people[0].pk).updated_at
    for person in people:
        person.title = "副书记"
    assert bulk_update_with_history(people, Person, ["title"], actor=world.alice) == 4
    assert Person.objects.filter(pk__in=[p.pk for p in people], title="副书记").count() == 4
    assert Person.objects.get(pk=people[0].pk).updated_at > stamp

    log = change_log([HistorySource(Person.history.filter(id__in=[p.pk for p in people]))], user=world.alice)
    changed = [entry for entry in log if entry.action == "changed"]
    assert len(changed) == 4
    assert {(c.label, c.before, c.after) for e in changed for c in e.changes} == {("职务", "委员", "副书记")}
    assert {e.who for e in changed} == {"alice"}


@pytest.fixture
def append_only(db):
    """The trigger the migrations install (core.audit.APPEND_ONLY) is PostgreSQL's."""
    if connection.vendor != "postgresql":
        pytest.fail("the append-only trigger is PostgreSQL's; make test runs on PostgreSQL")


def test_history_rows_cannot_be_updated_or_deleted_in_the_database(world, append_only):
    alliance_update(actor=world.alice, alliance=world.alliance_a, name="新名称")
    history = Alliance.history.filter(id=world.alliance_a.pk)
    before = list(history.order_by("history_id").values_list("history_id", "name", "history_user_id"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        history.update(name="篡改")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        history.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {history.model._meta.db_table} SET history_user_id = NULL")  # noqa: S608
    assert list(history.order_by("history_id").values_list("history_id", "name", "history_user_id")) == before
    # Appending still works: the next change is recorded.
    alliance_update(actor=world.alice, alliance=world.alliance_a, name="再改名")
    assert history.count() == len(before) + 1


def test_every_history_model_is_read_only_in_the_admin(client, world):
    client.force_login(world.admin)
    for model in historical_models():
        assert isinstance(admin.site._registry.get(model), admin.ModelAdmin), model
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(None) and not model_admin.has_delete_permission(None)
    alliance_update(actor=world.alice, alliance=world.alliance_a, name="新名称")
    row = Alliance.history.filter(id=world.alliance_a.pk).latest("history_date")
    change_url = reverse("admin:alliances_historicalalliance_change", args=[row.pk])
    assert client.post(change_url, {"name": "篡改"}).status_code == 403
    delete_url = reverse("admin:alliances_historicalalliance_delete", args=[row.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:alliances_historicalalliance_changelist")).content.decode()
    assert "alice" in changelist
    row.refresh_from_db()
    assert row.name == "新名称"


def test_the_admin_revert_form_cannot_save_a_past_version(client, world):
    client.force_login(world.admin)
    alliance_update(actor=world.alice, alliance=world.alliance_a, name="新名称")
    first = Alliance.history.filter(id=world.alliance_a.pk).earliest("history_date")
    url = reverse("admin:alliances_alliance_simple_history", args=[world.alliance_a.pk, first.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": "LM-A-1", "name": "姜山共富联盟", "formation_mode": "neighbour"})
    assert response.status_code == 403
    world.alliance_a.refresh_from_db()
    assert world.alliance_a.name == "新名称"


def test_staff_without_superuser_cannot_read_the_raw_history_in_the_admin(client, world):
    world.alice.is_staff = True
    world.alice.save()
    client.force_login(world.alice)
    response = client.get(reverse("admin:alliances_historicalalliance_changelist"))
    assert response.status_code == 403


def test_team_role_history_keeps_the_person_who_held_the_role(world):
    role = TeamRole.objects.get(alliance=world.alliance_b, role="leader")
    log = change_log([HistorySource(TeamRole.history.filter(id=role.pk), title="person")], user=world.bob)
    assert [entry.subject for entry in log] == ["工作团队角色 · 李海"]


def test_workshop_page_shows_who_corrected_a_monthly_report(client, world):

    shops = Shops(world)
    report = ReportFactory(workshop=shops.a, month=datetime.date(2025, 1, 1), employed=20)
    client.force_login(world.lily)  # the alliance's leader corrects the figures
    client.post(
        reverse("workshops:report-edit", args=[report.pk]),
        {
            "month": "2025-01",
            "employed": 25,
            "low_income_employed": report.low_income_employed,
            "wages_paid": report.wages_paid,
            "income_increase_per_person": report.income_increase_per_person,
            "sales": report.sales,
        },
    )
    report.refresh_from_db()
    assert report.employed == 25
    workshop_report_update(actor=world.alice, report=report, employed=26)
    client.force_login(world.carol)
    section = history_section(client.get(reverse("workshops:detail", args=[shops.a.pk])).content.decode())
    assert "<del>20</del> → <ins>25</ins>" in section and world.lily.person.name in section
    assert "lily" not in section  # a login name is never shown: a steward's is their mobile number
    assert "<del>25</del> → <ins>26</ins>" in section and user_label(world.alice) in section
    # A month's figures are named by the month, not by the first day of it.
    assert f"{report._meta.verbose_name} · 2025年1月" in section and "2025年1月1日" not in section
