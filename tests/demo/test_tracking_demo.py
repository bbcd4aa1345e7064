"""The demo's tracked items (督办事项) and department liaisons."""

from __future__ import annotations

import pytest
from django.utils import timezone

from demo.members import DEMO_ACCOUNTS
from tracking.models import ItemState, TrackedItem

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def seeded(demo_db):
    return True


def test_the_demo_has_items_in_every_state_some_overdue(seeded):
    items = TrackedItem.objects.all()
    assert set(items.values_list("state", flat=True)) == set(ItemState.values)
    assert items.overdue(timezone.localdate()).filter(escalated_at__isnull=False).count() >= 2
    assert set(items.values_list("source", flat=True)) == {"report", "need", "staff"}
    for item in items.filter(source="report").select_related("report"):
        assert item.report.needs_coordination and item.detail == item.report.coordination_request.strip()
    assert all(item.events.exists() for item in items)


def test_yinzhou_keeps_a_department_list_with_a_township(seeded):
    from members.models import Department

    names = set(Department.objects.filter(county__code="330212000000").values_list("name", "kind"))
    assert ("交通运输局", "county_department") in names and ("姜山镇", "township") in names


def test_each_liaison_login_signs_in_and_lands_on_their_items(seeded, client):
    liaisons = [account for account in DEMO_ACCOUNTS if account.department]
    assert len(liaisons) >= 3
    seen = 0
    for account in liaisons:
        assert client.login(username=account.username, password=account.password)
        response = client.get("/", follow=True)
        assert response.redirect_chain[-1][0] == "/items/"
        assert "我的督办" in response.content.decode()
        seen += response.context["paginator"].count
    assert seen >= 5


def test_the_demo_leader_has_an_item_to_confirm(seeded, client):
    client.login(username="leader", password="demo-pass-2026")
    response = client.get("/items/", {"state": "handled"})
    assert response.context["paginator"].count >= 1
    item = response.context["object_list"][0]
    assert 'id="confirm"' in client.get(item.get_absolute_url()).content.decode()
