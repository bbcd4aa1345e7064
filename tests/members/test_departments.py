"""Departments (承办部门) of a county and their liaisons (部门联络员): the list each county
keeps, the liaison role's scope, and the access profile's constraints."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from members.access import Role, reaches, scope_for
from members.models import AccessProfile, Department
from members.services import (
    department_create,
    department_restore,
    department_retire,
    department_update,
    user_with_role,
)
from tests.members.factories import DepartmentFactory, PersonFactory, UserFactory, liaison_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def transport(world):
    return DepartmentFactory(county=world.county_a, name="交通运输局")


def test_county_staff_add_rename_and_retire_their_departments(world):
    water = department_create(actor=world.alice, county=world.county_a, name="水利局", kind="county_department")
    department_update(actor=world.alice, department=water, name="水利局（水务）")
    department_retire(actor=world.alice, department=water)
    water.refresh_from_db()
    assert water.name == "水利局（水务）"
    assert water.retired_at is not None
    assert water not in Department.objects.visible_to(world.alice).active()
    department_restore(actor=world.alice, department=water)
    assert water in Department.objects.visible_to(world.alice).active()


def test_a_township_may_be_an_assignee(world):
    town = department_create(actor=world.alice, county=world.county_a, name="姜山镇", kind="township")
    assert town.get_kind_display() == "乡镇/街道"


def test_a_name_is_unique_within_a_county_only(world, transport):
    with pytest.raises(ValidationError) as error:
        department_create(actor=world.alice, county=world.county_a, name="交通运输局", kind="county_department")
    assert "name" in error.value.message_dict or error.value.messages
    other = department_create(actor=world.bob, county=world.county_b, name="交通运输局", kind="county_department")
    assert other.pk


def test_the_database_refuses_a_second_department_of_the_same_name(world, transport):
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(county=world.county_a, name="交通运输局")


def test_a_department_belongs_to_a_county_not_a_township(world):
    with pytest.raises(ValidationError) as error:
        department_create(actor=world.alice, county=world.town_a, name="某局", kind="county_department")
    assert "承办部门必须属于区县。" in error.value.message_dict["county"]


def test_staff_of_another_county_and_township_staff_may_not_change_the_list(world, transport):
    with pytest.raises(PermissionDenied):
        department_create(actor=world.bob, county=world.county_a, name="财政局", kind="county_department")
    with pytest.raises(PermissionDenied):
        department_update(actor=world.tina, department=transport, name="改名")
    with pytest.raises(PermissionDenied):
        department_retire(actor=world.lily, department=transport)


def test_retiring_twice_is_refused_with_a_message(world, transport):
    department_retire(actor=world.alice, department=transport)
    with pytest.raises(ValidationError, match="该部门已停用。"):
        department_retire(actor=world.alice, department=transport)


def test_the_county_list_is_seen_by_its_county_city_and_townships_not_by_another_county(world, transport):
    assert transport in Department.objects.visible_to(world.alice)
    assert transport in Department.objects.visible_to(world.carol)
    assert transport in Department.objects.visible_to(world.tina)
    assert transport in Department.objects.visible_to(world.vera)
    assert transport not in Department.objects.visible_to(world.bob)
    assert transport not in Department.objects.visible_to(world.lily)


def test_a_liaison_sees_their_own_department_only(world, transport):
    water = DepartmentFactory(county=world.county_a, name="水利局")
    dora = liaison_of(transport)
    scope = scope_for(dora)
    assert scope.kind == "department"
    assert scope.department_id == transport.pk
    assert scope.role_label == "部门联络员"
    assert not scope.can_write
    assert list(Department.objects.visible_to(dora)) == [transport]
    assert water not in Department.objects.visible_to(dora)


def test_a_liaison_sees_no_alliance_or_organization(world, transport):
    from alliances.models import Alliance
    from members.models import MemberOrganization

    dora = liaison_of(transport)
    assert Alliance.objects.visible_to(dora).count() == 0
    assert MemberOrganization.objects.visible_to(dora).count() == 0
    assert not reaches(dora, Alliance)
    assert reaches(dora, Department)


def test_a_liaison_profile_needs_a_department_and_no_region(world, transport):
    user = UserFactory(username="nodept")
    with pytest.raises(ValidationError) as error:
        AccessProfile(user=user, role=Role.DEPARTMENT_LIAISON).full_clean()
    assert "部门联络员必须指定所属部门。" in error.value.message_dict["department"]
    with pytest.raises(ValidationError) as error:
        AccessProfile(user=user, role=Role.DEPARTMENT_LIAISON, department=transport, region=world.county_a).full_clean()
    assert "部门联络员的范围由其所属部门决定，不指定区域。" in error.value.message_dict["region"]
    with pytest.raises(ValidationError) as error:
        AccessProfile(user=user, role=Role.COUNTY_STAFF, region=world.county_a, department=transport).full_clean()
    assert "只有部门联络员指定所属部门。" in error.value.message_dict["department"]


@pytest.mark.parametrize(
    "fields",
    [
        {"role": "department_liaison"},
        {"role": "department_liaison", "department": "transport", "region": "county"},
        {"role": "county_staff", "region": "county", "department": "transport"},
        {"role": "alliance_leader", "department": "transport"},
    ],
)
def test_the_database_keeps_the_department_set_exactly_for_liaisons(world, transport, fields):
    values = {"transport": transport, "county": world.county_a}
    user = UserFactory(username="constraint")
    row = {key: values.get(value, value) for key, value in fields.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessProfile.objects.create(user=user, **row)


def test_user_with_role_creates_a_liaison_login(world, transport):
    user = user_with_role(
        username="jt_liaison", password="demo-pass-2026", role=Role.DEPARTMENT_LIAISON, department=transport
    )
    assert scope_for(user).department_id == transport.pk


def test_county_staff_manage_the_list_on_pages(client, world, transport):
    client.force_login(world.alice)
    page = client.get(reverse("members:department-list"))
    assert page.status_code == 200
    assert "交通运输局" in page.content.decode()
    assert "新增承办部门" in page.content.decode()
    response = client.post(
        reverse("members:department-create"),
        {"county": world.county_a.pk, "name": "农业农村局", "kind": "county_department"},
    )
    created = Department.objects.get(name="农业农村局")
    assert response.status_code == 302
    assert response.url == created.get_absolute_url()
    client.post(
        reverse("members:department-edit", args=[created.pk]),
        {"name": "农业农村局（乡村振兴）", "kind": "county_department"},
    )
    created.refresh_from_db()
    assert created.name == "农业农村局（乡村振兴）"
    client.post(reverse("members:department-retire", args=[created.pk]))
    created.refresh_from_db()
    assert created.retired_at is not None


def test_a_duplicate_name_on_the_page_is_a_form_error(client, world, transport):
    client.force_login(world.alice)
    response = client.post(
        reverse("members:department-create"),
        {"county": world.county_a.pk, "name": "交通运输局", "kind": "county_department"},
    )
    assert response.status_code == 200
    assert "本区县已有同名承办部门。" in response.content.decode()


def test_township_staff_read_the_list_but_get_no_add_button_and_403_on_the_form(client, world, transport):
    client.force_login(world.tina)
    page = client.get(reverse("members:department-list"))
    assert "交通运输局" in page.content.decode()
    assert "新增承办部门" not in page.content.decode()
    detail = client.get(transport.get_absolute_url())
    assert "停用" not in detail.content.decode().split("<h1>")[1].split("</section>")[0]
    assert client.get(reverse("members:department-edit", args=[transport.pk])).status_code == 403
    assert client.post(reverse("members:department-retire", args=[transport.pk])).status_code == 403


def test_another_countys_department_is_not_found(client, world, transport):
    client.force_login(world.bob)
    assert client.get(transport.get_absolute_url()).status_code == 404
    assert client.get(reverse("members:department-edit", args=[transport.pk])).status_code == 404


def test_a_liaison_lands_on_their_department_and_cannot_open_another(client, world, transport):
    water = DepartmentFactory(county=world.county_a, name="水利局")
    client.force_login(liaison_of(transport))
    assert client.get(transport.get_absolute_url()).status_code == 200
    assert client.get(water.get_absolute_url()).status_code == 404
    assert client.get(reverse("members:department-create")).status_code == 403


def test_the_department_page_names_each_liaison_once_with_the_login_beside_a_persons_name(client, world, transport):
    liaison_of(transport, username="dora")
    named = liaison_of(transport, username="walt")
    PersonFactory(user=named, name="王水利")
    client.force_login(world.alice)
    page = client.get(transport.get_absolute_url()).content.decode()
    listed = page[page.index('id="liaisons"') :].split("</ul>", 1)[0]
    assert listed.count("dora") == 1
    assert "王水利 <small" in listed and listed.count("walt") == 1
