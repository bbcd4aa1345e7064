"""The three lists and two-way claiming: claimed → in progress → resolved (or withdrawn).

alice is staff of county A (Yinzhou), bob of county B (Daishan, another city), lily leads
alliance A1, vera only reads county A.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from alliances.models import Claim, Need, Resource
from alliances.services import (
    claim_create,
    claim_resolve,
    claim_start,
    claim_withdraw,
    need_create,
    need_update,
    resource_create,
)
from tests.alliances.factories import ClaimFactory, NeedFactory, ResourceFactory
from tests.members.factories import OrganizationFactory, RegionFactory, user_with_scope
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def need(world):
    return NeedFactory(alliance=world.alliance_a, title="高山村组季节性缺水", posted_on=D(2025, 5, 1))


@pytest.fixture
def open_need(world):
    return NeedFactory(alliance=world.alliance_a, title="农产品缺少销售渠道", posted_on=D(2025, 5, 1), open_to_all=True)


def status_of(entry) -> str:
    entry.refresh_from_db()
    return entry.status


def test_a_leader_posts_needs_and_resources_for_their_own_alliance(world):
    need = need_create(actor=world.lily, alliance=world.alliance_a, title="缺水", category="infrastructure")
    resource = resource_create(
        actor=world.lily, alliance=world.alliance_a, title="抛荒地", category="land", quantity=200, unit="亩"
    )
    assert need.status == "open" and need.posted_on is not None
    assert (resource.quantity, resource.unit) == (200, "亩")
    need_update(actor=world.lily, need=need, open_to_all=True)
    assert Need.objects.get(pk=need.pk).open_to_all


def test_a_leader_cannot_post_for_another_alliance_nor_a_viewer_for_any(world):
    with pytest.raises(PermissionDenied):
        need_create(actor=world.lily, alliance=world.alliance_a2, title="缺水", category="infrastructure")
    with pytest.raises(PermissionDenied):
        need_create(actor=world.vera, alliance=world.alliance_a, title="缺水", category="infrastructure")
    assert not Need.objects.exists()


def test_a_resource_quantity_needs_a_unit(world):
    with pytest.raises(ValidationError) as error:
        resource_create(actor=world.alice, alliance=world.alliance_a, title="闲置资金", category="funds", quantity=50)
    assert "unit" in error.value.message_dict


def test_the_whole_workflow_from_claim_to_resolution_with_the_project(world, need):
    claim = claim_create(
        actor=world.alice,
        need=need,
        claimant_alliance=world.alliance_a2,
        offer="铺设供水管网",
        claimed_on=D(2025, 5, 10),
    )
    assert (claim.status, status_of(need)) == ("claimed", "claimed")
    assert claim.recorded_by == world.alice

    claim = claim_start(actor=world.alice, claim=claim, started_on=D(2025, 6, 1))
    assert (claim.status, claim.started_on, status_of(need)) == ("in_progress", D(2025, 6, 1), "in_progress")

    project = ProjectFactory(alliance=world.alliance_a, title="供水管网改造")
    claim = claim_resolve(actor=world.lily, claim=claim, note="管网通水，惠及 120 户。", project_id=project.pk)
    need.refresh_from_db()
    assert (claim.status, claim.note, need.status, need.resolved_by_project_id) == (
        "resolved",
        "管网通水，惠及 120 户。",
        "resolved",
        project.pk,
    )
    assert claim.closed_on is not None


def test_resolving_needs_a_note_and_an_in_progress_claim(world, need):
    claim = claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a2)
    with pytest.raises(ValidationError) as error:
        claim_resolve(actor=world.alice, claim=claim, note="直接办结")
    assert "status" in error.value.message_dict
    claim_start(actor=world.alice, claim=claim)
    with pytest.raises(ValidationError) as error:
        claim_resolve(actor=world.alice, claim=claim, note="  ")
    assert "note" in error.value.message_dict
    assert Claim.objects.get(pk=claim.pk).status == "in_progress"
    assert status_of(need) == "in_progress"


def test_only_a_need_links_to_the_project_that_met_it(world):
    resource = ResourceFactory(alliance=world.alliance_a)
    claim = claim_create(actor=world.alice, resource=resource, claimant_alliance=world.alliance_a2)
    claim_start(actor=world.alice, claim=claim)
    with pytest.raises(ValidationError) as error:
        claim_resolve(actor=world.alice, claim=claim, note="资金已投入", project_id=7)
    assert "project_id" in error.value.message_dict
    claim_resolve(actor=world.alice, claim=claim, note="资金已投入康养项目")
    assert status_of(resource) == "resolved"


def test_a_claimed_need_cannot_be_claimed_twice_until_withdrawn(world, need):
    first = claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a2)
    with pytest.raises(ValidationError) as error:
        claim_create(actor=world.alice, need=need, claimant_organization=world.org_a)
    assert "need" in error.value.message_dict
    claim_withdraw(actor=world.alice, claim=first, note="资金不到位")
    assert status_of(need) == "open"
    second = claim_create(actor=world.alice, need=need, claimant_organization=world.org_a)
    assert second.status == "claimed"
    assert list(need.claims.order_by("pk").values_list("status", flat=True)) == ["withdrawn", "claimed"]


def test_the_database_allows_one_open_or_resolved_claim_per_need(world, need):
    ClaimFactory(need=need, claimant_alliance=world.alliance_a2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(need=need, claimant_alliance=world.alliance_b)


def test_an_alliance_cannot_claim_its_own_need(world, need):
    with pytest.raises(ValidationError) as error:
        claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a)
    assert "claimant_alliance" in error.value.message_dict


def test_a_government_department_claims_a_need_as_an_organization(world, need):
    bureau = OrganizationFactory(name="鄞州区水利局", kind="government", region=world.county_a)
    claim = claim_create(actor=world.alice, need=need, claimant_organization=bureau)
    assert claim.claimant == bureau


def test_a_user_outside_the_county_cannot_see_or_claim_a_need_that_is_not_open(client, world, need):
    assert need not in Need.objects.visible_to(world.bob)
    with pytest.raises(PermissionDenied):
        claim_create(actor=world.bob, need=need, claimant_alliance=world.alliance_b)
    client.force_login(world.bob)
    assert client.get(reverse("alliances:need-detail", args=[need.pk])).status_code == 404
    response = client.post(reverse("alliances:need-claim", args=[need.pk]), {"claimant_alliance": world.alliance_b.pk})
    assert response.status_code == 404
    assert status_of(need) == "open" and not Claim.objects.exists()


def test_a_user_outside_the_county_claims_a_need_open_to_all(client, world, open_need):
    client.force_login(world.bob)
    assert client.get(reverse("alliances:need-detail", args=[open_need.pk])).status_code == 200
    response = client.post(
        reverse("alliances:need-claim", args=[open_need.pk]),
        {"claimant_alliance": world.alliance_b.pk, "offer": "岱山渔港对接销售"},
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert (claim.claimant_alliance, claim.status, status_of(open_need)) == (world.alliance_b, "claimed", "claimed")


def test_an_outsider_sees_a_need_open_to_all_but_cannot_edit_it(client, world, open_need):
    client.force_login(world.bob)
    page = client.get(reverse("alliances:need-detail", args=[open_need.pk])).content.decode()
    assert reverse("alliances:need-edit", args=[open_need.pk]) not in page
    assert reverse("alliances:need-claim", args=[open_need.pk]) in page
    response = client.post(reverse("alliances:need-edit", args=[open_need.pk]), {"title": "改名", "category": "other"})
    assert response.status_code == 403
    open_need.refresh_from_db()
    assert open_need.title == "农产品缺少销售渠道"


def test_a_claim_is_seen_by_both_sides_and_nobody_else(world, open_need):
    claim = claim_create(actor=world.bob, need=open_need, claimant_alliance=world.alliance_b)
    zhoushan_other = RegionFactory(code="330902000000", name="定海区", parent=world.county_b.parent)
    stranger = user_with_scope("dinghai", "county_staff", zhoushan_other)
    assert claim in Claim.objects.visible_to(world.alice)  # poster's county
    assert claim in Claim.objects.visible_to(world.lily)  # poster's leader
    assert claim in Claim.objects.visible_to(world.bob)  # claimant's county
    assert claim in Claim.objects.visible_to(world.carol)  # poster's city
    assert open_need in Need.objects.visible_to(stranger)  # the need is public ...
    assert claim not in Claim.objects.visible_to(stranger)  # ... its claims are not
    assert claim in Claim.objects.visible_to(world.tina)  # the poster's township
    assert claim not in Claim.objects.visible_to(world.vera.__class__.objects.create_user("nobody"))


def test_either_side_moves_the_claim_along_but_a_third_party_cannot(world, open_need):
    claim = claim_create(actor=world.bob, need=open_need, claimant_alliance=world.alliance_b)
    claim_start(actor=world.bob, claim=claim)  # the claimant's side
    stranger = user_with_scope("dinghai", "county_staff", RegionFactory(code="330902000000", name="定海区"))
    with pytest.raises(PermissionDenied):
        claim_resolve(actor=stranger, claim=claim, note="代为办结")
    claim_resolve(actor=world.lily, claim=claim, note="已签订长期销售协议")  # the poster's side
    assert Claim.objects.get(pk=claim.pk).status == "resolved"


def test_a_leader_claims_for_their_own_alliance_or_its_members_only(world):
    need = NeedFactory(alliance=world.alliance_a2, open_to_all=True)
    with pytest.raises(PermissionDenied):
        claim_create(actor=world.lily, need=need, claimant_alliance=world.alliance_b)
    with pytest.raises(PermissionDenied):
        claim_create(actor=world.lily, need=need, claimant_organization=world.org_b)
    claim = claim_create(actor=world.lily, need=need, claimant_organization=world.org_a)
    assert claim.claimant == world.org_a


def test_staff_claim_only_for_claimants_in_their_region(world, open_need):
    with pytest.raises(PermissionDenied):
        claim_create(actor=world.bob, need=open_need, claimant_alliance=world.alliance_a2)
    assert status_of(open_need) == "open"


def test_a_viewer_cannot_claim(world, open_need):
    with pytest.raises(PermissionDenied):
        claim_create(actor=world.vera, need=open_need, claimant_alliance=world.alliance_a2)


def test_claims_cannot_predate_the_posting(world, need):
    with pytest.raises(ValidationError) as error:
        claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a2, claimed_on=D(2025, 4, 30))
    assert "claimed_on" in error.value.message_dict


def test_resources_are_only_visible_in_scope(world):
    resource = ResourceFactory(alliance=world.alliance_a)
    assert resource in Resource.objects.visible_to(world.alice)
    assert resource not in Resource.objects.visible_to(world.bob)
    assert resource in Resource.objects.visible_to(world.lily)
    assert resource in Resource.objects.visible_to(world.vera)
    assert resource in Resource.objects.visible_to(world.tina)
    assert ResourceFactory(alliance=world.alliance_a2) not in Resource.objects.visible_to(world.tina)


def test_a_need_cannot_name_a_project_outside_the_users_scope(world):
    need = NeedFactory(alliance=world.alliance_a, title="冷库建设")
    claim = claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a2)
    claim_start(actor=world.alice, claim=claim)
    foreign = ProjectFactory(alliance=world.alliance_b, title="外县项目")
    with pytest.raises(ValidationError) as error:
        claim_resolve(actor=world.alice, claim=claim, note="已解决", project_id=foreign.pk)
    assert "project_id" in error.value.message_dict
    need.refresh_from_db()
    assert (need.status, need.resolved_by_project) == ("in_progress", None)
