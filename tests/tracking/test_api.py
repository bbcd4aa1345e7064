"""/api/v1/tracked-items/: scoped like the pages, filtered like the list."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tracking.models import TrackedItem

pytestmark = pytest.mark.django_db

URL = "/api/v1/tracked-items/"


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


@pytest.fixture
def items(desk):
    w = desk.world
    late = desk.item("in_progress", title="逾期事项")
    past = timezone.localdate() - datetime.timedelta(days=3)
    TrackedItem.objects.filter(pk=late.pk).update(deadline=past, raised_on=past - datetime.timedelta(days=4))
    return {
        "late": late,
        "solved": desk.item("solved", title="已解决事项"),
        "b": desk.item("assigned", title="岱山码头", alliance=w.alliance_b),
    }


def test_the_list_is_scoped_to_the_caller(api, desk, items):
    assert titles(api.as_user(desk.world.alice).get(URL)) == ["已解决事项", "逾期事项"]
    assert titles(api.as_user(desk.world.bob).get(URL)) == ["岱山码头"]
    assert titles(api.as_user(desk.dora).get(URL)) == ["已解决事项", "逾期事项"]
    assert titles(api.as_user(desk.walt).get(URL)) == []
    assert titles(api.as_user(desk.world.lily).get(URL)) == ["已解决事项", "逾期事项"]


def test_the_list_filters_like_the_page(api, desk, items):
    client = api.as_user(desk.world.alice)
    assert titles(client.get(URL, {"overdue": "true"})) == ["逾期事项"]
    assert titles(client.get(URL, {"bucket": "handled"})) == ["已解决事项"]
    assert titles(client.get(URL, {"state": "solved"})) == ["已解决事项"]
    assert titles(client.get(URL, {"department": desk.transport.pk})) == ["已解决事项", "逾期事项"]
    assert client.get(URL, {"overdue": "maybe"}).status_code == 400
    assert client.get(URL, {"department": desk.farming_b.pk}).status_code == 400


def test_the_detail_carries_state_bucket_days_and_history(api, desk, items):
    row = api.as_user(desk.world.alice).get(f"{URL}{items['late'].pk}/").json()
    assert (row["state"], row["bucket"], row["is_overdue"]) == ("in_progress", "overdue", True)
    assert row["days_open"] == 7
    assert row["assignee_name"] == "交通运输局"
    assert [event["action"] for event in row["events"]] == ["raised", "assigned", "replied"]
    solved = api.as_user(desk.world.alice).get(f"{URL}{items['solved'].pk}/").json()
    assert (solved["rating"], solved["bucket"], solved["is_overdue"]) == (5, "handled", False)


def test_an_item_out_of_scope_is_404(api, desk, items):
    assert api.as_user(desk.world.bob).get(f"{URL}{items['late'].pk}/").status_code == 404
    assert api.as_user(desk.walt).get(f"{URL}{items['late'].pk}/").status_code == 404
    assert api.as_user(desk.bert).get(f"{URL}{items['b'].pk}/").status_code == 200


def test_the_api_is_read_only(api, desk, items):
    response = api.as_user(desk.world.alice).post(URL, {"title": "x"}, format="json")
    assert response.status_code == 405
