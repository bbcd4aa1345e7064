from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.models import Alliance, Membership, TeamRole
from members.models import MemberOrganization, Person
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db


def many_alliances(world, n=120):
    """n alliances in county A, each with two members and a leader."""
    alliances = Alliance.objects.bulk_create(
        Alliance(
            code=f"LM-BULK-{i:03d}",
            name=f"批量联盟{i}",
            formation_mode="neighbour",
            scope="cross_field",
            lead_region=world.town_a,
            founded_on=datetime.date(2022, 1, 1),
            status="active",
        )
        for i in range(n)
    )
    orgs = MemberOrganization.objects.bulk_create(
        MemberOrganization(name=f"批量单位{i}", kind="village", region=world.village_a) for i in range(2 * n)
    )
    people = Person.objects.bulk_create(Person(name=f"带头人{i}", organization=orgs[i]) for i in range(n))
    Membership.objects.bulk_create(
        Membership(
            alliance=a,
            organization=orgs[2 * i + k],
            role="lead" if k == 0 else "member",
            joined_on=datetime.date(2022, 1, 1),
        )
        for i, a in enumerate(alliances)
        for k in range(2)
    )
    TeamRole.objects.bulk_create(
        TeamRole(alliance=a, person=people[i], role="leader", started_on=datetime.date(2022, 1, 1))
        for i, a in enumerate(alliances)
    )


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_alliance_list_has_team_and_member_count(api, world):
    body = api.as_user(world.alice).get("/api/v1/alliances/?q=姜山").json()
    (row,) = body["results"]
    assert row["name"] == "姜山共富联盟"
    assert row["member_count"] == 1
    assert row["lead_region"] == "330212001000"
    assert [(m["role"], m["person_name"]) for m in row["current_team"]] == [("leader", world.lily.person.name)]


def test_api_list_runs_the_same_number_of_queries_at_page_sizes_10_and_100(api, world, django_assert_max_num_queries):
    many_alliances(world)
    api.as_user(world.alice)
    small = count_queries(lambda: api.get("/api/v1/alliances/?page_size=10"))
    large = count_queries(lambda: api.get("/api/v1/alliances/?page_size=100"))
    assert small == large
    with django_assert_max_num_queries(small):
        body = api.get("/api/v1/alliances/?page_size=100").json()
    assert len(body["results"]) == 100
    assert all(row["member_count"] == 2 for row in body["results"] if row["code"].startswith("LM-BULK"))


@pytest.mark.parametrize("endpoint", ["organizations", "people", "memberships", "team-roles", "regions"])
def test_other_lists_run_a_constant_number_of_queries(api, world, endpoint):
    many_alliances(world)
    api.as_user(world.carol)
    assert count_queries(lambda: api.get(f"/api/v1/{endpoint}/?page_size=10")) == count_queries(
        lambda: api.get(f"/api/v1/{endpoint}/?page_size=100")
    )


def test_page_size_is_capped_at_100(api, world):
    many_alliances(world, n=130)
    body = api.as_user(world.alice).get("/api/v1/alliances/?page_size=1000").json()
    assert len(body["results"]) == 100
    assert body["count"] == 132


def test_region_filter_includes_everything_below(api, world):
    api.as_user(world.admin)
    by_county = [a["code"] for a in api.get("/api/v1/alliances/?region=330212000000").json()["results"]]
    by_town = [a["code"] for a in api.get("/api/v1/alliances/?region=330212001000").json()["results"]]
    assert by_county == ["LM-A-1", "LM-A-2"]
    assert by_town == ["LM-A-1"]


def test_filters_combine_and_sort(api, world):
    api.as_user(world.admin)
    rows = api.get("/api/v1/alliances/?formation_mode=neighbour&ordering=-code").json()["results"]
    assert [r["code"] for r in rows] == ["LM-B-1", "LM-A-1"]


def test_an_unknown_filter_value_is_a_400_naming_the_filter(api, world):
    response = api.as_user(world.admin).get("/api/v1/alliances/?status=flying&region=12")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "region"}


def test_regions_within_a_code(api, world):
    codes = [r["code"] for r in api.as_user(world.bob).get("/api/v1/regions/?within=330212001000").json()["results"]]
    assert codes == ["330212001000", "330212001001"]


def test_staff_create_an_alliance_through_the_api(api, world):
    payload = {
        "code": "LM-A-9",
        "name": "新建联盟",
        "formation_mode": "other",
        "formation_mode_other": "头雁领航",
        "scope": "cross_industry",
        "lead_region": world.town_a.code,
        "founded_on": "2025-03-01",
        "status": "forming",
        "is_demonstration": True,
        "demonstration_year": 2025,
    }
    response = api.as_user(world.alice).post("/api/v1/alliances/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["member_count"] == 0
    assert Alliance.objects.get(code="LM-A-9").formation_mode_label == "其他（头雁领航）"


@pytest.mark.parametrize(
    ("endpoint", "payload", "field"),
    [
        (
            "organizations",
            {"name": "坏星级", "kind": "village", "region": "330212001001", "star_rating": 6},
            "star_rating",
        ),
        ("organizations", {"name": "坏区划", "kind": "village", "region": "3302120010"}, "region"),
        (
            "organizations",
            {"name": "坏电话", "kind": "village", "region": "330212001001", "contact_phone": "12"},
            "contact_phone",
        ),
        ("people", {"name": "坏手机", "mobile": "1381234", "organization": "ORG_A"}, "mobile"),
        ("people", {"name": "无单位", "mobile": "13812345678"}, "organization"),
        (
            "alliances",
            {
                "code": "LM-X",
                "name": "x",
                "formation_mode": "neighbour",
                "scope": "cross_region",
                "lead_region": "330212001000",
                "founded_on": "2024-01-01",
                "is_demonstration": True,
            },
            "demonstration_year",
        ),
        (
            "alliances",
            {
                "code": "LM-Y",
                "name": "y",
                "formation_mode": "other",
                "scope": "cross_region",
                "lead_region": "330212001000",
                "founded_on": "2024-01-01",
            },
            "formation_mode_other",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(api, world, endpoint, payload, field):
    payload = {k: world.org_a.pk if v == "ORG_A" else v for k, v in payload.items()}
    before = (MemberOrganization.objects.count(), Person.objects.count(), Alliance.objects.count())
    response = api.as_user(world.alice).post(f"/api/v1/{endpoint}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert (MemberOrganization.objects.count(), Person.objects.count(), Alliance.objects.count()) == before


def test_reversed_membership_dates_are_a_400_naming_left_on(api, world):
    membership = Membership.objects.get(alliance=world.alliance_a, organization=world.org_a)
    response = api.as_user(world.alice).patch(
        f"/api/v1/memberships/{membership.pk}/", {"left_on": "2001-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "left_on" in response.json()
    membership.refresh_from_db()
    assert membership.left_on is None


def test_posting_a_new_leader_closes_the_old_one(api, world):
    newcomer = PersonFactory(organization=world.org_a)
    response = api.as_user(world.alice).post(
        "/api/v1/team-roles/",
        {"alliance": world.alliance_a.pk, "person": newcomer.pk, "role": "leader", "started_on": "2025-06-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    history = TeamRole.objects.filter(alliance=world.alliance_a, role="leader").order_by("started_on")
    assert [(r.person_id, r.ended_on) for r in history] == [
        (world.lily.person.pk, datetime.date(2025, 6, 1)),
        (newcomer.pk, None),
    ]


def test_token_authentication_works(api, world):
    from members.tokens import user_token_create

    _token, key = user_token_create(world.bob)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert [a["code"] for a in api.get("/api/v1/alliances/").json()["results"]] == ["LM-B-1"]
