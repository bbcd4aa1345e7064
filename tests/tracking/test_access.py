"""Who sees which tracked items: one ``visible_to`` for pages, API and exports; anything
outside the scope is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.access import reaches
from tests.alliances.factories import leader_of
from tracking.models import TrackedItem, TrackedItemEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(desk):
    w = desk.world
    a1 = desk.item("assigned", title="姜山村道")
    a2 = desk.item("new", title="云龙水渠", alliance=w.alliance_a2)
    b1 = desk.item("assigned", title="岱山码头", alliance=w.alliance_b)
    return {"a1": a1, "a2": a2, "b1": b1}


def titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


def test_county_and_city_staff_and_viewers_see_their_regions_items(desk, items):
    w = desk.world
    assert titles(TrackedItem.objects.visible_to(w.alice)) == ["云龙水渠", "姜山村道"]
    assert titles(TrackedItem.objects.visible_to(w.carol)) == ["云龙水渠", "姜山村道"]
    assert titles(TrackedItem.objects.visible_to(w.vera)) == ["云龙水渠", "姜山村道"]
    assert titles(TrackedItem.objects.visible_to(w.bob)) == ["岱山码头"]


def test_township_staff_see_the_items_of_their_townships_alliances(desk, items):
    assert titles(TrackedItem.objects.visible_to(desk.world.tina)) == ["姜山村道"]


def test_a_leader_sees_their_alliances_items(desk, items):
    assert titles(TrackedItem.objects.visible_to(desk.world.lily)) == ["姜山村道"]
    other = leader_of(desk.world.alliance_a2, username="leo")
    assert titles(TrackedItem.objects.visible_to(other)) == ["云龙水渠"]


def test_a_liaison_sees_their_departments_items_only(desk, items):
    assert titles(TrackedItem.objects.visible_to(desk.dora)) == ["姜山村道"]
    assert titles(TrackedItem.objects.visible_to(desk.walt)) == []
    assert titles(TrackedItem.objects.visible_to(desk.bert)) == ["岱山码头"]


def test_a_reassigned_item_leaves_the_former_department(desk, items):
    from tests.tracking.factories import in_days
    from tracking import services

    services.item_assign(actor=desk.world.alice, item=items["a1"], assignee=desk.water, deadline=in_days(30))
    assert titles(TrackedItem.objects.visible_to(desk.dora)) == []
    assert titles(TrackedItem.objects.visible_to(desk.walt)) == ["姜山村道"]


def test_the_history_follows_the_item(desk, items):
    assert set(TrackedItemEvent.objects.visible_to(desk.dora).values_list("item__title", flat=True)) == {"姜山村道"}
    assert TrackedItemEvent.objects.visible_to(desk.walt).count() == 0


def test_a_user_without_a_profile_sees_nothing(desk, items, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-test-pass-2026")
    assert TrackedItem.objects.visible_to(nobody).count() == 0
    assert not reaches(nobody, TrackedItem)


@pytest.mark.parametrize(
    ("who", "item", "status"),
    [
        ("alice", "a1", 200),
        ("alice", "b1", 404),
        ("tina", "a2", 404),
        ("lily", "a1", 200),
        ("lily", "a2", 404),
        ("dora", "a1", 200),
        ("walt", "a1", 404),
        ("bert", "a1", 404),
    ],
)
def test_an_item_out_of_scope_is_not_found(client, desk, items, who, item, status):
    user = getattr(desk, who, None) or getattr(desk.world, who)
    client.force_login(user)
    assert client.get(reverse("tracking:detail", args=[items[item].pk])).status_code == status
