"""Admin for the operations models: stakes entered together are checked together; claims use the workflow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.alliances.factories import NeedFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def platform_form(platform, stakes):
    data = {
        "alliance": platform.alliance_id,
        "name": platform.name,
        "kind": platform.kind,
        "ownership": platform.ownership,
        "shareholdings-TOTAL_FORMS": str(len(stakes)),
        "shareholdings-INITIAL_FORMS": "0",
        "shareholdings-MIN_NUM_FORMS": "0",
        "shareholdings-MAX_NUM_FORMS": "1000",
    }
    for index, (field, value, percentage) in enumerate(stakes):
        data[f"shareholdings-{index}-{field}"] = value
        data[f"shareholdings-{index}-percentage"] = percentage
    return data


def test_stakes_entered_together_in_the_admin_may_not_exceed_100_percent(client, world):
    platform = PlatformFactory(alliance=world.alliance_a)
    client.force_login(world.admin)
    url = reverse("admin:alliances_entityplatform_change", args=[platform.pk])
    response = client.post(
        url, platform_form(platform, [("alliance", world.alliance_a.pk, "60"), ("organization", world.org_a.pk, "50")])
    )
    assert response.status_code == 200
    assert "不能超过 100%" in response.content.decode()
    assert not platform.shareholdings.exists()

    response = client.post(
        url, platform_form(platform, [("alliance", world.alliance_a.pk, "60"), ("organization", world.org_a.pk, "40")])
    )
    assert response.status_code == 302
    assert sorted(platform.shareholdings.values_list("percentage", flat=True)) == [40, 60]


def test_claims_cannot_be_added_in_the_admin(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("admin:alliances_claim_add")).status_code == 403
    need = NeedFactory(alliance=world.alliance_a)
    page = client.get(reverse("admin:alliances_need_change", args=[need.pk])).content.decode()
    assert 'name="claims-TOTAL_FORMS"' in page
