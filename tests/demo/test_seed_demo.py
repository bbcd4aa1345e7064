from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from alliances.models import Alliance, AllianceScope, AllianceStatus, FormationMode, TeamRole
from core.users import user_label
from members.models import MemberOrganization, OrganizationKind, Region
from notices.models import Notice
from tracking.models import TrackedItem

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

OUR_APPS = {"members", "alliances", "projects", "workshops", "tracking", "evaluations"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS | {"auth"}
    }


@pytest.fixture(scope="module")
def seeded(demo_db, django_db_blocker):
    """The demo loaded once for the package; what it counted when loaded."""
    with django_db_blocker.unblock():
        return row_counts()


def test_seed_demo_twice_gives_identical_row_counts(seeded):
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert row_counts() == seeded
    assert "(+" not in output.getvalue()  # nothing created or updated on the second run


def test_demo_uses_the_real_region_codes_from_the_sources(seeded):
    codes = set(Region.objects.filter(level="county").values_list("code", flat=True))
    assert {"330212000000", "330282000000", "330921000000", "370784000000"} <= codes
    for region in Region.objects.exclude(level="province").select_related("parent")[:200]:
        assert region.code.startswith(region.parent.prefix)


def test_demo_covers_every_mode_status_scope_and_kind(seeded):
    assert Alliance.objects.count() >= 60
    assert set(Alliance.objects.values_list("formation_mode", flat=True)) == set(FormationMode.values)
    assert set(Alliance.objects.values_list("status", flat=True)) == set(AllianceStatus.values)
    assert set(Alliance.objects.values_list("scope", flat=True)) == set(AllianceScope.values)
    assert set(MemberOrganization.objects.values_list("kind", flat=True)) == set(OrganizationKind.values)


def test_every_alliance_has_a_complete_team_and_some_have_history(seeded):
    for alliance in Alliance.objects.prefetch_related("team_roles"):
        current = [r.role for r in alliance.team_roles.all() if r.ended_on is None]
        assert current.count("leader") == 1 and current.count("instructor") == 1 and "advisor" in current
    assert TeamRole.objects.filter(role="leader", ended_on__isnull=False).exists()


def test_every_demo_account_logs_in_and_sees_its_scope(seeded, client):
    from demo.members import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.username, password=account.password), account.username
        assert client.get("/alliances/").status_code == 200
    client.login(username="leader", password="demo-pass-2026")
    assert client.get("/api/v1/alliances/").json()["count"] == 2


def test_the_demo_township_staff_instructs_the_demo_leaders_alliance_and_hears_what_the_leader_hears(seeded):
    township = TeamRole.objects.get(
        person__user__username="township_staff", role="instructor", alliance__name="姜山共富党建联盟", ended_on=None
    )
    assert township.alliance.team_roles.get(role="leader", ended_on=None).person.user.username == "leader"
    items = {
        f"item:{pk}:" for pk in TrackedItem.objects.filter(alliance=township.alliance).values_list("pk", flat=True)
    }
    told = set(Notice.objects.filter(recipient__username="township_staff").values_list("key", flat=True))
    about_the_alliance = {
        key
        for key in Notice.objects.filter(recipient__username="leader").values_list("key", flat=True)
        if any(key.startswith(prefix) for prefix in items)
    }
    assert about_the_alliance and about_the_alliance <= told


def test_every_demo_account_is_shown_by_a_name_not_its_user_name(seeded):
    from demo.members import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        user = get_user_model().objects.select_related("person").get(username=account.username)
        person = getattr(user, "person", None)
        # a login of a person record is named by the person; any other account by its name
        assert user_label(user) == (person.name if person else account.name) != account.username, account.username
