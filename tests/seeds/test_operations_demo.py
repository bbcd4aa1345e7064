"""seed_demo's operations data, on a two-county scale that seeds in seconds.

The full demo scale (and that a second run writes nothing for every model) is covered by
test_seed_demo.py; here the real pipeline runs on Yinzhou and Daishan only.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from alliances.models import Alliance, Claim, EntityPlatform, Meeting, Mentorship, Need
from alliances.rhythm import rhythm_for
from demo import alliances as alliance_demo
from demo import members as member_demo

pytestmark = pytest.mark.django_db

TINY = member_demo.Scale(
    name="tiny", county_codes=("330212", "330921"), townships_per_county=(3, 3), villages_per_township=(4, 6)
)


@pytest.fixture(scope="module")
def tiny_demo(django_db_blocker):
    member_demo.SCALES["tiny"] = TINY
    alliance_demo.QUOTAS["tiny"] = {"330212": 8, "330921": 4}
    try:
        with django_db_blocker.unblock():
            first = io.StringIO()
            call_command("seed_demo", "--scale", "tiny", stdout=first)
            second = io.StringIO()
            call_command("seed_demo", "--scale", "tiny", stdout=second)
            yield first.getvalue(), second.getvalue()
            call_command("flush", "--noinput")
    finally:
        del member_demo.SCALES["tiny"], alliance_demo.QUOTAS["tiny"]


def test_a_second_run_writes_no_operations_row(tiny_demo):
    first, second = tiny_demo
    assert "alliances.Meeting" in first and "(+" in first.split("alliances.Meeting")[1].split("\n")[0]
    assert "(+" not in second and "(~" not in second


def test_a_year_of_meetings_up_to_today_with_some_alliances_off_rhythm(tiny_demo):
    today = timezone.localdate()
    living = Alliance.objects.exclude(status="dissolved")
    assert Meeting.objects.filter(held_on__gt=today).count() == 0
    assert Meeting.objects.filter(held_on__gte=today.replace(year=today.year - 1)).count() >= 10 * living.count()
    rhythms = rhythm_for(living)
    on_rhythm = [a.name for a in living if rhythms[a.pk].on_rhythm]
    assert "姜山共富党建联盟" in on_rhythm
    assert "姜山片区强村富民党建联盟" not in on_rhythm
    assert 0 < len(on_rhythm) < living.count()
    assert not Meeting.objects.filter(alliance__status="dissolved").exists()


def test_meetings_have_attendance(tiny_demo):
    meetings = Meeting.objects.annotate(orgs=Count("attending_organizations", distinct=True))
    assert not meetings.filter(orgs=0).exists()
    assert Meeting.objects.filter(attendees__isnull=False).distinct().count() == Meeting.objects.count()


def test_mentors_carry_titles_such_as_gold_mentor(tiny_demo):
    titles = set(Mentorship.objects.values_list("mentor_title", flat=True))
    assert "金牌导师" in titles
    assert not Mentorship.objects.filter(mentor=F("apprentice")).exists()


def test_platforms_follow_the_covenants_and_their_stakes_never_exceed_100(tiny_demo):
    platforms = EntityPlatform.objects.with_share_total()
    assert platforms.exists()
    for platform in platforms.select_related("alliance"):
        assert Decimal("0") < platform.share_total <= Decimal("100")
        assert "实体支撑" in platform.alliance.covenant
        assert platform.get_ownership_display() in platform.alliance.covenant
    assert {"强村公司", "强社公司", "联合社", "共富公司"} & {p.get_kind_display() for p in platforms}


def test_claims_are_in_every_state_and_the_list_statuses_agree(tiny_demo):
    assert set(Claim.objects.values_list("status", flat=True)) == {"claimed", "in_progress", "resolved", "withdrawn"}
    assert Need.objects.filter(status="open").exists()
    for claim in Claim.objects.select_related("need", "resource"):
        target = claim.need or claim.resource
        live = [c.status for c in target.claims.all() if c.status != "withdrawn"]
        assert target.status == (live[0] if live else "open")
    assert Claim.objects.filter(claimant_organization__kind="government").exists()
    assert Need.objects.filter(open_to_all=True).exists()
