"""Shared fixtures: two counties with an alliance each, and a named user for every role.

county A = 鄞州区 (330212), county B = 岱山县 (330921, another city). alice is staff of
county A, bob of county B, carol city staff of Ningbo, tina township staff in county A,
lily the leader of alliance A1, vera a read-only viewer of county A.

The world is built once per test module, inside a transaction that is rolled back when the
module ends (as Django's ``TestCase.setUpTestData``); each test runs in a savepoint of it
and gets its own deep copy of the Python objects, so a test changes neither the rows nor
the objects the next test sees. A module with a test that commits (``transactional_db``,
``live_server``) builds the world for each test instead, as that test must see it
committed.
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from members.models import Region
from tests.alliances.factories import AllianceFactory, MembershipFactory, TeamRoleFactory, leader_of
from tests.members.factories import (
    OrganizationFactory,
    PersonFactory,
    RegionFactory,
    township,
    user_with_scope,
    village,
)


@pytest.fixture(autouse=True, scope="session")
def _require_postgresql(django_db_setup, django_db_blocker):
    """`make test` runs on PostgreSQL: a suite that silently fell back to SQLite fails."""
    if os.environ.get("REQUIRE_TEST_SERVERS") == "1":
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "make test must run against PostgreSQL"


@dataclass
class World:
    province_zj: Region
    ningbo: Region
    county_a: Region
    town_a: Region
    village_a: Region
    county_b: Region
    town_b: Region
    alliance_a: object
    alliance_a2: object
    alliance_b: object
    org_a: object
    org_b: object
    person_a: object
    person_b: object
    alice: object
    bob: object
    carol: object
    tina: object
    lily: object
    vera: object
    admin: object


def build_world() -> World:
    django_user_model = get_user_model()
    zj = Region.objects.create(code="330000000000", name="浙江省", level="province")
    ningbo = Region.objects.create(code="330200000000", name="宁波市", level="city", parent=zj)
    zhoushan = Region.objects.create(code="330900000000", name="舟山市", level="city", parent=zj)
    county_a = RegionFactory(code="330212000000", name="鄞州区", parent=ningbo)
    county_b = RegionFactory(code="330921000000", name="岱山县", parent=zhoushan)
    town_a = township(county_a, 1, "姜山镇")
    town_a2 = township(county_a, 2, "云龙镇")
    village_a = village(town_a, 1, "走马塘村")
    town_b = township(county_b, 1, "高亭镇")

    alliance_a = AllianceFactory(code="LM-A-1", name="姜山共富联盟", lead_region=town_a)
    alliance_a2 = AllianceFactory(
        code="LM-A-2", name="云龙产业联盟", lead_region=town_a2, formation_mode="industry_chain"
    )
    alliance_b = AllianceFactory(code="LM-B-1", name="岱山海岛联盟", lead_region=town_b)
    org_a = OrganizationFactory(name="走马塘村党委", region=village_a)
    org_b = OrganizationFactory(name="高亭社区党委", region=town_b, kind="community")
    MembershipFactory(alliance=alliance_a, organization=org_a, role="lead")
    MembershipFactory(alliance=alliance_b, organization=org_b, role="lead")
    person_a = PersonFactory(name="王建国", mobile="13812345678", organization=org_a, id_number="330212198001011234")
    person_b = PersonFactory(name="李海", mobile="13998765432", organization=org_b)
    TeamRoleFactory(alliance=alliance_b, person=person_b, role="leader")

    return World(
        province_zj=zj,
        ningbo=ningbo,
        county_a=county_a,
        town_a=town_a,
        village_a=village_a,
        county_b=county_b,
        town_b=town_b,
        alliance_a=alliance_a,
        alliance_a2=alliance_a2,
        alliance_b=alliance_b,
        org_a=org_a,
        org_b=org_b,
        person_a=person_a,
        person_b=person_b,
        alice=user_with_scope("alice", "county_staff", county_a),
        bob=user_with_scope("bob", "county_staff", county_b),
        carol=user_with_scope("carol", "city_staff", ningbo),
        tina=user_with_scope("tina", "township_staff", town_a),
        lily=leader_of(alliance_a, username="lily"),
        vera=user_with_scope("vera", "viewer", county_a),
        admin=django_user_model.objects.create_superuser("root", "root@example.com", "test-pass-2026"),
    )


def commits(item: pytest.Item) -> bool:
    """Whether a test runs outside a rolled-back transaction (its writes are committed)."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker):
    """The world of one test module, kept in an open transaction until the module ends;
    None for a module that has a test that commits."""
    if any(commits(item) for item in request.session.items if item.module is request.module):
        yield None
        return
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(module_world, db) -> World:
    if module_world is None:
        return build_world()
    return copy.deepcopy(module_world)


@pytest.fixture
def desk(world):
    """County A's departments with their liaisons, and a report asking for coordination
    (tests/tracking/factories.py)."""
    from tests.tracking.factories import make_desk

    return make_desk(world)


@pytest.fixture
def api(client, django_user_model):
    """A DRF test client; ``api.as_user(u)`` logs in by forcing authentication."""
    from rest_framework.test import APIClient

    class ScopedAPIClient(APIClient):
        """Each request gets a freshly loaded user, as a real request would."""

        user_pk = None

        def as_user(self, user):
            self.user_pk = user.pk
            return self

        def request(self, **kwargs):
            if self.user_pk is not None:
                self.force_authenticate(user=django_user_model.objects.get(pk=self.user_pk))
            return super().request(**kwargs)

    return ScopedAPIClient()


@pytest.fixture(autouse=True)
def xdist_group_kept(request: pytest.FixtureRequest) -> None:
    """Under ``--dist loadgroup`` (``make test``), tests marked ``xdist_group`` must reach
    one worker together: the Celery worker tests share the broker's queue, the demo tests
    one seeded database. pytest-xdist marks them by a suffix on the test id, which pytest
    9.2 silently drops (pytest-xdist#1386): the groups are then split across workers and
    fail at random. Fail each grouped test with the reason instead."""
    if not getattr(request.config.option, "loadgroup", False) or not request.node.get_closest_marker("xdist_group"):
        return
    if "@" not in request.node.nodeid:
        pytest.fail(
            "pytest-xdist did not keep this test's xdist_group: this pytest and pytest-xdist do not "
            "work together (see requirements/dev.in)"
        )
